"""One report: read it, parse its tables, validate them, and expose everything as frames.

>>> import govreports as gr
>>> r = gr.read_report("data/raw/003_2ef598b92a3120fd.txt")
>>> r.meta["organ"], r.meta["year"], r.meta["template"]
('鹤岗市东山区人民政府', 2022, '2021')
>>> r.cells.query("row_key == 'licensing'")[["col_key", "value", "status"]].values.tolist()
[['decisions', 152.0, 'ok']]
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from govreports import frames
from govreports.errors import (
    NoTablesError,
    NotAReportError,
    NoValuesError,
    ReadError,
    RefusedInputError,
    UnsupportedInputError,
)
from govreports.figures import extract_figures
from govreports.metadata import extract_metadata
from govreports.normalize import detect_template, parse_tables
from govreports.readers import get_reader, sniff
from govreports.schema import DECIDED_STATUSES, PLACEHOLDER_STATUSES
from govreports.validate import check_records, soft_checks

# A report mentions its subject; a text without it (and without any table marker) is not one.
_REPORT_WORDS = ("政府信息公开", "政务公开", "信息公开")

MAX_BYTES = 50 * 1024 * 1024

# The standard tables exist from the 2019 reports on (国办公开办函〔2019〕60号); earlier
# reports state their figures in prose and tables of their own.
FIRST_TEMPLATE_YEAR = 2019


@dataclass(frozen=True)
class ParsedReport:
    """Everything parsed from one input, as plain records (cheap to pickle between processes)."""

    meta: dict
    cells: list[tuple]
    checks: list[tuple]
    figures: list[tuple]


@dataclass
class Report:
    """A parsed report. Frames are built on first access and handed out as copies."""

    parsed: ParsedReport
    _frames: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)

    @property
    def report_id(self) -> str:
        """Stable id: the file name without extension, or ``text-<sha256[:12]>`` for text."""
        return self.parsed.meta["report_id"]

    @property
    def meta(self) -> dict:
        """Metadata: organ, year, template, level, organ type, region, adcode, scope, sha256."""
        return dict(self.parsed.meta)

    @property
    def cells(self) -> pd.DataFrame:
        """Tidy long frame, one row per template cell (see ``govreports.schema.CELL_COLUMNS``)."""
        return self._frame("cells", frames.cells_frame, self.parsed.cells)

    @property
    def checks(self) -> pd.DataFrame:
        """One row per identity check with lhs, rhs, delta and pass / fail / not_assessable."""
        return self._frame("checks", frames.checks_frame, self.parsed.checks)

    @property
    def figures(self) -> pd.DataFrame:
        """Figures stated in the prose, each with the sentence it was read from."""
        return self._frame("figures", frames.figures_frame, self.parsed.figures)

    def _frame(self, name: str, build, records) -> pd.DataFrame:
        if name not in self._frames:
            self._frames[name] = build(records)
        return self._frames[name].copy()

    def __repr__(self) -> str:
        m = self.parsed.meta
        return f"<Report {m['report_id']} {m.get('organ')} {m.get('year')} template={m['template']}>"


def read_report(
    source: str | os.PathLike[str] | None = None,
    *,
    text: str | None = None,
    report_id: str | None = None,
) -> Report:
    """Read one report from a file path, or from its text.

    Raises a :class:`~govreports.errors.ReadError` subclass naming the file and the reason when
    the input is empty, undecodable, not a report, or has no tables.

    >>> import govreports as gr
    >>> gr.read_report(text="规章").meta  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    govreports.errors.NotAReportError: <text>: not a government information disclosure report ...
    """
    return Report(parse_source(source, text=text, report_id=report_id))


def parse_source(
    source: str | os.PathLike[str] | None = None,
    *,
    text: str | None = None,
    report_id: str | None = None,
) -> ParsedReport:
    """Parse one input into plain records; the work behind :func:`read_report`."""
    if (source is None) == (text is None):
        raise TypeError("read_report takes a path or text=..., not both")
    if text is not None:
        data = text.encode("utf-8")
        name, fmt = "<text>", sniff(data)
        if fmt in ("text", "markdown"):
            document = get_reader(fmt)(name, text=text)
        else:  # a crawler dump or a page given as text
            document = get_reader(fmt)(name, data=data)
    else:
        path = Path(source)
        name = str(path)
        data = _read_bytes(path)
        fmt = sniff(data)
        reader = get_reader(fmt)
        if reader is None:
            raise UnsupportedInputError(
                name, f"{fmt} input is not supported: tables in images need OCR, which is not supported"
            )
        document = reader(name, data=data)
    sha256 = hashlib.sha256(data).hexdigest()
    rid = report_id or (f"text-{sha256[:12]}" if text is not None else Path(name).stem)
    return _parse_document(document, rid, fmt, sha256)


def _read_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
    except OSError as error:
        raise ReadError(str(path), f"cannot read file: {error.strerror}") from error
    if size > MAX_BYTES:
        raise RefusedInputError(
            str(path), f"file is {size} bytes, over the {MAX_BYTES}-byte limit for one report"
        )
    return path.read_bytes()


_LINE_REF = re.compile(r"\bline (\d+)")


def _with_pages(records: list[tuple], document) -> list[tuple]:
    """Name the page in each cell's line reference where the input has pages ("page 3, line 67")."""
    if not document.page_starts:
        return records

    def with_page(ref: str) -> str:
        return _LINE_REF.sub(lambda m: f"page {document.page_of(int(m[1]))}, {m[0]}", ref)

    return [(*record[:6], with_page(record[6])) for record in records]


def _parse_document(document, report_id: str, fmt: str, sha256: str) -> ParsedReport:
    template = detect_template(document.text)
    if template == "unknown" and not any(word in document.text for word in _REPORT_WORDS):
        raise NotAReportError(
            document.source,
            "not a government information disclosure report (no 信息公开 wording and no template table)",
        )
    metadata = extract_metadata(document.text)
    year = metadata.get("year")
    if template == "unknown" and year is not None and year < FIRST_TEMPLATE_YEAR:
        template = "none"  # no cells are invented for a report that predates the tables
    parsed = parse_tables(document, template) if template != "none" else None
    if parsed is not None and not parsed.tables_found:
        raise NoTablesError(document.source, "no tables found: none of 表二, 表三, 表四 is in the text")
    records = parsed.records if parsed is not None else []
    decided = sum(r[4] in DECIDED_STATUSES for r in records)
    if parsed is not None and not decided and not any(r[4] in PLACEHOLDER_STATUSES for r in records):
        raise NoValuesError(
            document.source,
            f"tables found ({', '.join(parsed.tables_found)}) but not one value could be read from them",
        )
    meta = {
        "report_id": report_id,
        "path": document.source,
        **metadata,
        "template": template,
        "tables_found": ",".join(parsed.tables_found) if parsed is not None else "",
        "values_read": decided,
        "values_flagged": sum(r[4] != "ok" for r in records),
        "parse_notes": "; ".join(parsed.notes) or None if parsed is not None else None,
        "format": fmt,
        "encoding": document.encoding,
        "sha256": sha256,
        "source_url": document.source_url,
        "published": document.published,
    }
    cells = [(report_id, *record) for record in _with_pages(records, document)]
    stated = extract_figures(document.text)
    applications = [f.value for f in stated if f.figure == "applications_received"]
    found = check_records(records) + soft_checks(records, meta["level"], applications) if records else []
    checks = [(report_id, *check) for check in found]
    figures = [(report_id, *figure) for figure in stated]
    return ParsedReport(meta, cells, checks, figures)
