"""One report: read it, parse its tables, validate them, and expose everything as frames.

>>> import govreports as gr
>>> r = gr.read_report("data/raw/003_2ef598b92a3120fd.txt")
>>> r.meta["organ"], r.meta["year"], r.meta["template"]
('鹤岗市东山区人民政府', 2022, '2021')
>>> r.cells.query("row_key == 'licensing'")[["col_key", "value", "status"]].values.tolist()
[['decisions', 152.0, 'ok']]
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import signal
import stat
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache
from operator import itemgetter
from pathlib import Path
from types import FrameType
from typing import NoReturn, TypedDict, TypeVar, cast

import pandas as pd

from govreports import frames
from govreports.copies import find_copies, merge_copies
from govreports.errors import (
    MultipleReportsError,
    NoTablesError,
    NotARegularFileError,
    NotAReportError,
    NoValuesError,
    RefusedInputError,
    TimeLimitError,
    UnreadableFileError,
    UnsupportedInputError,
)
from govreports.metadata import extract_metadata
from govreports.narrative import extract_figures
from govreports.normalize import ParsedTables, Record, detect_template, parse_tables
from govreports.readers import Document, RawRow, get_reader, sniff
from govreports.readers.pdf_settings import PdfSettings, use_pdf_settings
from govreports.schema import DECIDED_STATUSES, PLACEHOLDER_STATUSES
from govreports.validate import cell_values, evaluate, soft_checks

# A report mentions its subject; a text without it (and without any table marker) is not one.
_REPORT_WORDS = ("政府信息公开", "政务公开", "信息公开")

MAX_BYTES = 50 * 1024 * 1024
# Seconds one report may take to parse (a pathological PDF, say) before it is refused.
TIME_LIMIT = 300.0

# The standard tables exist from the 2019 reports on (国办公开办函〔2019〕60号); earlier
# reports state their figures in prose and tables of their own.
FIRST_TEMPLATE_YEAR = 2019

# The records of one report's frames, each led by the report id:
# cells (report_id, table, row, col, value, status, raw, source_ref, in_failed_check);
CellRow = tuple[str, str, str, str, float | None, str, str, str, bool]
# checks: the report id and a validate.CheckRecord;
CheckRow = tuple[str, str, str, str, str, str, float | None, float | None, float | None, str]
# figures: the report id and a narrative.Figure (figure, value, unit, sentence, note).
FigureRow = tuple[str, str, float | None, str | None, str, str | None]
_Row = TypeVar("_Row")


@dataclass(frozen=True)
class ParsedReport:
    """Everything parsed from one input, as plain records (cheap to pickle between processes)."""

    meta: ReportMeta
    cells: list[CellRow]
    checks: list[CheckRow]
    figures: list[FigureRow]


class ReportMeta(TypedDict):
    """One report's metadata: the keys, in order, of its row in the ``reports`` frame."""

    report_id: str
    path: str | None
    title: str | None
    organ_raw: str | None
    organ: str | None
    year: int | None
    year_evidence: str | None
    stat_period_year: int | None
    year_conflict: bool | None
    level: str | None
    organ_type: str | None
    province: str | None
    prefecture: str | None
    county: str | None
    adcode: str | None
    adcode_confidence: str | None
    adcode_evidence: str | None
    scope: str | None
    scope_evidence: str | None
    template_cited: str | None
    template: str
    tables_found: str | None
    values_read: int
    values_flagged: int
    parse_notes: str | None
    format: str
    encoding: str | None
    sha256: str
    source_url: str | None
    published: str | None


@dataclass(frozen=True)
class Report:
    """A parsed report, read-only: frames are built on first access and handed out as copies.

    >>> import govreports as gr
    >>> r = gr.read_report("data/raw/002_5bfe4ddd4becc1ae.txt")
    >>> r.parsed = None
    Traceback (most recent call last):
    ...
    dataclasses.FrozenInstanceError: cannot assign to field 'parsed'
    """

    parsed: ParsedReport
    _frames: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)

    @property
    def report_id(self) -> str:
        """Stable id: the file name without extension, or ``text-<sha256[:12]>`` for text."""
        return self.parsed.meta["report_id"]

    @property
    def meta(self) -> ReportMeta:
        """Metadata: organ, year, template, level, organ type, region, adcode, scope, sha256."""
        return self.parsed.meta.copy()

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

    def _frame(
        self, name: str, build: Callable[[list[_Row]], pd.DataFrame], records: list[_Row]
    ) -> pd.DataFrame:
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
    time_limit: float | None = TIME_LIMIT,
    pdf: PdfSettings | Mapping[str, object] | None = None,
) -> Report:
    """Read one report from a file path, or from its text.

    ``pdf`` says how a PDF is read (:class:`~govreports.readers.pdf_settings.PdfSettings` or a
    mapping of its fields, e.g. ``{"engines": ("pdfium", "pdfplumber")}``); by default, the
    settings of ``use_pdf_settings`` in force, else the defaults.

    Raises a :class:`~govreports.errors.ReadError` subclass naming the file and the reason when
    the input is empty, undecodable, not a report, or has no tables; when it cannot be opened
    or is not a regular file; or when it is refused: over :data:`MAX_BYTES`, a bomb, or
    taking longer than ``time_limit`` seconds (:class:`~govreports.errors.TimeLimitError`;
    None for no limit; the limit needs the main thread).

    >>> import govreports as gr
    >>> gr.read_report(text="规章").meta  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    govreports.errors.NotAReportError: <text>: not a government information disclosure report ...
    """
    if pdf is None:
        return Report(parse_source(source, text=text, report_id=report_id, time_limit=time_limit))
    with use_pdf_settings(pdf):
        return Report(parse_source(source, text=text, report_id=report_id, time_limit=time_limit))


def parse_source(
    source: str | os.PathLike[str] | None = None,
    *,
    text: str | None = None,
    report_id: str | None = None,
    time_limit: float | None = TIME_LIMIT,
) -> ParsedReport:
    """Parse one input into plain records; the work behind :func:`read_report`."""
    name = "<text>" if source is None else display_path(source)
    with _deadline(time_limit, name):
        try:
            return _parse_source(source, text=text, report_id=report_id)
        except MemoryError:
            reason = "refused: parsing it needs more memory than this process may use"
            raise RefusedInputError(name, reason) from None
        except RecursionError:
            raise RefusedInputError(name, "refused: its structure is nested too deeply to parse") from None


# The formats text given as a string can be in: the others are binary files.
_TEXT_FORMATS = frozenset({"text", "markdown", "crawl", "html"})


def _parse_source(
    source: str | os.PathLike[str] | None, *, text: str | None, report_id: str | None
) -> ParsedReport:
    if (source is None) == (text is None):
        raise TypeError("read_report takes a path or text=..., not both")
    if text is not None:
        data = text.encode("utf-8")
        name, fmt = "<text>", sniff(data)
        if fmt not in _TEXT_FORMATS:
            fmt = "text"  # text that starts like a binary file ("%PDF", "GIF89a") is still text
        read = cast(Callable[..., Document], get_reader(fmt))
        if fmt in ("text", "markdown"):
            document = read(name, text=text)
        else:  # a crawler dump or a page given as text
            document = read(name, data=data)
    else:
        assert source is not None  # the check above: no text, so a path
        path = Path(source)
        name = display_path(path)
        data = read_bytes(path)
        fmt = sniff(data)
        reader = get_reader(fmt)
        if reader is None:
            raise UnsupportedInputError(
                name, f"{fmt} input is not supported: tables in images need OCR, which is not supported"
            )
        document = _with_fetch_hints(reader(name, data=data), path)
    sha256 = hashlib.sha256(data).hexdigest()
    rid = report_id or (f"text-{sha256[:12]}" if text is not None else Path(name).stem)
    return _parse_document(document, rid, fmt, sha256)


# Where `govreports fetch` keeps its manifest, in the folder it fetched into.
_FETCH_MANIFEST = Path(".fetch", "manifest.parquet")


@lru_cache(maxsize=1024)
def _in_fetch_folder(folder: str) -> bool:
    """Whether a folder is in one written by ``govreports fetch`` (asked once per folder)."""
    resolved = Path(folder).resolve()
    return any((parent / _FETCH_MANIFEST).is_file() for parent in (resolved, *resolved.parents))


def _with_fetch_hints(document: Document, path: Path) -> Document:
    """Fill where and when a fetched file was published from the manifest of its fetch folder."""
    if not _in_fetch_folder(str(path.parent)):
        return document  # not fetched: the crawler's modules are not even imported
    from govreports.fetch.manifest import hint_for

    hint = hint_for(path)
    if hint is None:
        return document
    return replace(
        document,
        source_url=document.source_url or hint.source_url,
        published=document.published or hint.published,
    )


def display_path(path: str | os.PathLike[str]) -> str:
    r"""Return a path as text that can be written anywhere: bytes that are not UTF-8 as ``\xNN``.

    A file name is bytes on Linux; Python keeps undecodable bytes as surrogates, which no
    Parquet, CSV or terminal accepts.

    >>> display_path(os.fsdecode(b"report-\xb1\xa8.txt"))
    'report-\\xb1\\xa8.txt'
    """
    return os.fsencode(path).decode("utf-8", errors="backslashreplace")


def read_bytes(path: Path) -> bytes:
    """Read a report file, checking what it is and its size before reading a byte of it."""
    name = display_path(path)
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer.
        file = open(path, "rb", opener=lambda p, flags: os.open(p, flags | os.O_NONBLOCK))  # noqa: SIM115
    except IsADirectoryError as error:  # open() refuses a directory itself
        raise NotARegularFileError(name, "not a regular file but a directory") from error
    except OSError as error:
        raise UnreadableFileError(name, _open_failure(path, error)) from error
    with file:
        info = os.fstat(file.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise NotARegularFileError(name, f"not a regular file but {_kind(info.st_mode)}")
        if info.st_size > MAX_BYTES:
            raise RefusedInputError(
                name, f"file is {info.st_size} bytes, over the {MAX_BYTES}-byte limit for one report"
            )
        # As much as the file holds, and one byte more to see it grow; a file that grows while
        # read is read on up to the limit. (A read of the limit itself would allocate it.)
        data = file.read(info.st_size + 1)
        if len(data) > info.st_size:
            data += file.read(MAX_BYTES + 1 - len(data))
    if len(data) > MAX_BYTES:
        raise RefusedInputError(name, f"file grew past the {MAX_BYTES}-byte limit for one report while read")
    return data


def _open_failure(path: Path, error: OSError) -> str:
    if error.errno == errno.ELOOP:
        return "cannot open: a loop of symbolic links"
    if error.errno == errno.ENOENT and path.is_symlink():
        return "cannot open: a broken symbolic link (its target does not exist)"
    if error.errno == errno.ENOENT:
        return "cannot open: no such file"
    return f"cannot open: {error.strerror}"


def _kind(mode: int) -> str:
    kinds = {stat.S_ISDIR: "a directory", stat.S_ISFIFO: "a FIFO (named pipe)", stat.S_ISSOCK: "a socket"}
    return next((kind for test, kind in kinds.items() if test(mode)), "a device")


@contextmanager
def _deadline(seconds: float | None, name: str) -> Iterator[None]:
    """Raise TimeLimitError after ``seconds`` (in the main thread only: signals need it)."""
    usable = threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")
    if seconds is None or not usable:
        yield
        return

    def expire(signum: int, frame: FrameType | None) -> NoReturn:
        reason = f"refused: parsing took longer than the {seconds:g} s limit for one report"
        raise TimeLimitError(name, reason)

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


_LINE_REF = re.compile(r"\bline (\d+)")
_STATUS = itemgetter(4)


def _with_places(records: list[Record], document: Document) -> list[Record]:
    """Name where each cell's line is in the input, where the reader says it.

    Lines of a PDF's or a web page's text are not the file's lines: "page 3, line 67",
    "table 2, row 5, line 30".
    """
    if not document.page_starts and not document.line_places:
        return records

    def placed(match: re.Match[str]) -> str:
        place = document.place_of(int(match[1]))
        return f"{place}, {match[0]}" if place else match[0]

    refs: dict[str, str] = {}  # the cells of a row share their reference: placed once
    for record in records:
        if record[6] not in refs:
            refs[record[6]] = _LINE_REF.sub(placed, record[6])
    return [(*record[:6], refs[record[6]]) for record in records]


def _parse_tables(document: Document, template: str) -> ParsedTables:
    """Parse the tables; where they are printed twice, read both copies and flag what differs."""
    copies = find_copies(document.rows)
    if copies.second_at is None:
        return parse_tables(document, template)
    line = document.rows[copies.second_at].line
    if copies.second_report:
        raise MultipleReportsError(
            document.source,
            f"the file holds a second report from line {line} on; split it into one file per report",
        )
    first = parse_tables(replace(document, rows=document.rows[: copies.second_at]), template)
    again = parse_tables(replace(document, rows=document.rows[copies.second_at :]), template)
    note = f"tables printed again from line {line}: cells the copies print differently are duplicated"
    return replace(
        first,
        records=merge_copies(first.records, again.records),
        tables_found=tuple(dict.fromkeys((*first.tables_found, *again.tables_found))),
        notes=[*first.notes, *again.notes, note],
    )


def _notes(parsed: ParsedTables | None, traditional: bool) -> str | None:
    notes = list(parsed.notes) if parsed is not None else []
    if traditional:
        notes.append("printed in traditional characters, read in simplified ones")
    return "; ".join(notes) or None


def _looks_traditional(text: str) -> bool:
    """Whether a report is printed in traditional characters (a portal's 繁體 version of it)."""
    return text.count("公開") + text.count("資訊") > text.count("公开")


@cache
def _to_simplified() -> Callable[[str], str]:
    import opencc  # only for the few reports printed in traditional characters

    return opencc.OpenCC("t2s").convert


def _simplified(document: Document) -> Document:
    """Return the document in simplified characters, which the template's labels are written in."""
    convert = _to_simplified()
    rows = [RawRow(tuple(map(convert, row.cells)), row.line) for row in document.rows]
    prose = convert(document.prose) if document.prose is not None else None
    return replace(document, text=convert(document.text), rows=rows, prose=prose)


def _parse_document(document: Document, report_id: str, fmt: str, sha256: str) -> ParsedReport:
    traditional = _looks_traditional(document.text)
    if traditional:
        document = _simplified(document)
    template = detect_template(document.text)
    if template == "unknown" and not any(word in document.text for word in _REPORT_WORDS):
        raise NotAReportError(
            document.source,
            "not a government information disclosure report (no 信息公开 wording and no template table)",
        )
    metadata = extract_metadata(document.text)
    year = metadata.get("year")
    if template == "unknown" and isinstance(year, int) and year < FIRST_TEMPLATE_YEAR:  # year: int or None
        template = "none"  # no cells are invented for a report that predates the tables
    parsed = _parse_tables(document, template) if template != "none" else None
    if parsed is not None and not parsed.tables_found:
        raise NoTablesError(document.source, "no tables found: none of 表二, 表三, 表四 is in the text")
    records = parsed.records if parsed is not None else []
    statuses = Counter(map(_STATUS, records))
    decided = sum(statuses[status] for status in DECIDED_STATUSES)
    if parsed is not None and not decided and not any(statuses[status] for status in PLACEHOLDER_STATUSES):
        raise NoValuesError(
            document.source,
            f"tables found ({', '.join(parsed.tables_found)}) but not one value could be read from them",
        )
    row = {
        "report_id": report_id,
        "path": document.source,
        **metadata,
        "template": template,
        "tables_found": ",".join(parsed.tables_found) if parsed is not None else "",
        "values_read": decided,
        "values_flagged": len(records) - statuses["ok"],
        "parse_notes": _notes(parsed, traditional),
        "format": fmt,
        "encoding": document.encoding,
        "sha256": sha256,
        "source_url": document.source_url,
        "published": document.published,
    }
    # extract_metadata gives the fields between path and template (metadata.KEYS) untyped.
    meta = cast(ReportMeta, row)
    values = cell_values(records)
    identities, failed = evaluate(records, values) if records else ([], frozenset())
    paged = _with_places(records, document)
    if failed:
        cells = [(report_id, *r, r[:3] in failed) for r in paged]
    else:  # most reports; a record is (table, row, col, value, status, raw, source_ref)
        cells = [(report_id, t, row, col, v, s, raw, ref, False) for t, row, col, v, s, raw, ref in paged]
    stated = extract_figures(document.text if document.prose is None else document.prose)
    applications = [f.value for f in stated if f.figure == "applications_received"]
    found = identities + soft_checks(records, meta["level"], applications, values) if records else []
    head = (report_id,)
    checks = [head + check for check in found]
    figures = [(report_id, *figure) for figure in stated]
    return ParsedReport(meta, cells, checks, figures)
