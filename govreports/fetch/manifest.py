"""The fetch manifest seen from ``parse``: where each saved file came from, and which files are one report.

:func:`manifest_hints` maps each saved file to its source URL, publication date and the hints
of its source (organ, year, region); :func:`hint_for` answers for one file, finding the fetch
folder above it; :func:`apply_hints` fills a parsed ``reports`` frame's ``source_url`` and
``published`` from them where the file itself did not say. :func:`report_forms` groups a
report page with its attachments (and a file found at two URLs) as one report, and names the
form to keep: the one parsed with the most values, the others listed as its duplicates;
:func:`other_forms` gives just those duplicates, as ``govreports parse`` lists them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol, cast

import pandas as pd
from pandas.api.typing import NAType

from govreports.fetch.archive import HIDDEN, MANIFEST_PARQUET

# Which form of a report to keep when two read equally well: the Word original, then the
# page, then the other word processors' files, then PDF.
FORM_RANK = {
    "docx": 0,
    "html": 1,
    "doc": 2,
    "wps": 2,
    "odt": 2,
    "text": 3,
    "crawl": 3,
    "markdown": 3,
    "pdf": 4,
}


@dataclass(frozen=True)
class Hint:
    """What the manifest says about one saved file."""

    source_url: str
    published: str | None
    organ: str | None
    year: int | None
    region: str | None
    report_url: str
    role: str  # "page" (a report page) or "attachment" (a file a page links, or a report file)
    title: str | None
    fetched_at: str | None


class _Fetched(Protocol):
    """A manifest row as ``itertuples`` gives it: the columns read here (``<NA>`` where empty)."""

    url: str
    final_url: str | NAType
    saved_file: str
    kind: str
    published: str | NAType
    organ: str | NAType
    year: int | NAType
    region: str | NAType
    report_url: str | NAType
    title: str | NAType
    fetched_at: str | NAType


def _read_manifest(root: Path) -> pd.DataFrame | None:
    path = root / MANIFEST_PARQUET
    if not path.is_file():
        return None
    return pd.read_parquet(path)


def manifest_hints(folder: str | os.PathLike[str]) -> dict[str, Hint]:
    """Map each saved file under a folder (absolute path) to its :class:`Hint`.

    The folder may be a fetch folder, a folder holding fetch folders (``data/raw`` holding
    ``data/raw/fetched``), or a folder inside one. A file's latest row wins; files moved aside
    as earlier versions are not listed (they are not parsed).
    """
    hints: dict[str, Hint] = {}
    for root in _fetch_roots(Path(folder)):
        hints.update(_hints(str(root.resolve())))
    return hints


def hint_for(path: str | os.PathLike[str]) -> Hint | None:
    """Return the :class:`Hint` of one file, from the manifest of the fetch folder it is in, or None."""
    path = Path(path).resolve()
    for parent in path.parents:
        if (parent / MANIFEST_PARQUET).is_file():
            return _hints(str(parent)).get(str(path))
    return None


@lru_cache(maxsize=64)
def _hints_cached(root: str, stamp: float) -> dict[str, Hint]:
    frame = _read_manifest(Path(root))
    if frame is None:
        return {}
    # A URL whose content another URL's file already holds is that file's duplicate: the
    # file's own URL speaks for it.
    saved = frame[
        frame.saved_file.notna() & frame.duplicate_of.isna() & frame.outcome.isin(["fetched", "known"])
    ]
    hints = {}
    # pandas-stubs type a row's fields as any scalar; the manifest's columns are known (manifest_frame).
    for row in cast("Iterable[_Fetched]", saved.itertuples(index=False)):
        if str(row.saved_file).startswith(f"{HIDDEN}/"):
            continue
        year = None if pd.isna(row.year) else int(row.year)
        hints[str(Path(root, row.saved_file))] = Hint(
            source_url=_value(row.final_url) or row.url,
            published=_value(row.published),
            organ=_value(row.organ),
            year=year,
            region=_value(row.region),
            report_url=_value(row.report_url) or row.url,
            role="page" if row.kind == "report" else "attachment",
            title=_value(row.title),
            fetched_at=_value(row.fetched_at),
        )
    return hints


def _hints(root: str) -> dict[str, Hint]:
    path = Path(root, MANIFEST_PARQUET)
    stamp = path.stat().st_mtime if path.is_file() else 0.0
    return _hints_cached(root, stamp)


def _value(value: str | NAType | None) -> str | None:
    return None if value is None or pd.isna(value) else str(value)


def _fetch_roots(folder: Path) -> list[Path]:
    for parent in [folder, *folder.resolve().parents]:
        if (parent / MANIFEST_PARQUET).is_file():
            return [parent]
    roots = []
    for dirpath, dirnames, _ in os.walk(folder):
        if HIDDEN in dirnames and (Path(dirpath) / MANIFEST_PARQUET).is_file():
            roots.append(Path(dirpath))
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
    return roots


def apply_hints(reports: pd.DataFrame, folder: str | os.PathLike[str]) -> pd.DataFrame:
    """Return ``reports`` with ``source_url`` and ``published`` filled from the manifest where empty.

    What the file itself says (a crawler dump's header) is kept; the manifest fills the gaps.
    Rows are matched on ``path`` (as ``read_reports`` wrote it, relative to the working
    directory or absolute).
    """
    hints = manifest_hints(folder)
    if not hints or reports.empty:
        return reports.copy()
    matched = [hints.get(str(Path(p).resolve())) for p in reports["path"]]
    out = reports.copy()
    for column, attribute in (("source_url", "source_url"), ("published", "published")):
        found = pd.Series(
            [getattr(h, attribute) if h else None for h in matched], index=out.index, dtype="string"
        )
        out[column] = out[column].astype("string").fillna(found)
    return out


def report_forms(reports: pd.DataFrame, folder: str | os.PathLike[str]) -> pd.DataFrame:
    """One row per saved file of a fetch: its report (group), its form, and whether it is the one to keep.

    Files are grouped by the report page they came from (``report_url``: a page and the
    attachments it links are one report). A page may also link the reports of several organs
    or years (a county's departments, say, or a zip of them): forms are one report when they
    read the same year and the same organ (one name may leave out the higher places:
    东山区人民政府, 鹤岗市东山区政府); a form whose organ or year was not read joins the one
    report it agrees with, the best of them when it agrees with several (``ambiguous``), and
    is a report of its own, or one with the like of it, when it agrees with none.
    Within a report the form kept (``preferred``) is the one parsed with the most values
    (``values_read`` in ``reports``), then by :data:`FORM_RANK`; every other form is a
    ``duplicate_of`` it. A file that did not parse is listed as a duplicate of the group's first
    kept form; a group none of whose files parsed has no preferred form.

    Columns: ``report_url, path, report_id, form, values_read, parsed, preferred, ambiguous,
    duplicate_of`` (``path`` absolute, ``report_id`` where the file parsed, ``duplicate_of`` the
    kept file's path).
    """
    hints = manifest_hints(folder)
    parsed = {
        str(Path(p).resolve()): row for p, row in zip(reports["path"], reports.itertuples(), strict=True)
    }
    rows = []
    for path, hint in sorted(hints.items()):
        report = parsed.get(path)
        form = str(report.format) if report is not None else Path(path).suffix.lstrip(".").lower()
        rows.append(
            {
                "report_url": hint.report_url,
                "path": path,
                "report_id": report.report_id if report is not None else None,
                "form": "html" if form in ("htm", "shtml") else form,
                "values_read": _number(report, "values_read"),
                "organ": _value(getattr(report, "organ", None)),
                "year": _number(report, "year"),
                "parsed": report is not None,
            }
        )
    columns = ["report_url", "path", "report_id", "form", "values_read", "organ", "year", "parsed"]
    frame = pd.DataFrame(rows, columns=columns)
    frame["preferred"] = False
    frame["ambiguous"] = False
    frame["duplicate_of"] = pd.Series([None] * len(frame), dtype="object")
    for _, group in frame.groupby("report_url", sort=False):
        _choose_forms(frame, group)
    return frame.drop(columns=["organ", "year"]).astype(
        {
            "report_url": "string",
            "path": "string",
            "report_id": "string",
            "form": "string",
            "values_read": "Int16",
            "duplicate_of": "string",
        }
    )


def _choose_forms(frame: pd.DataFrame, group: pd.DataFrame) -> None:
    """Mark in ``frame`` the form kept of each report of one page's group, and the others' duplicates.

    Forms whose organ and year were both read are grouped first, the best form of each report
    kept (most values, then :data:`FORM_RANK`). A form missing either joins the one report it
    agrees with; one that agrees with several joins the best of them, marked ``ambiguous``
    (it repeats one of them, which one is not known); one that agrees with none joins an
    earlier such form it agrees with, or is a report of its own.
    """
    readable = group[group.parsed]
    order = readable.assign(
        _values=readable.values_read.fillna(-1), _rank=readable.form.map(FORM_RANK).fillna(9)
    ).sort_values(["_values", "_rank", "path"], ascending=[False, True, True])
    # The frame holds a value not read as NaN.
    forms = [
        _Form(index, _value(organ), None if pd.isna(year) else int(year))
        for index, organ, year in zip(order.index, order.organ, order.year, strict=True)
    ]
    kept: list[_Form] = []
    for form in [f for f in forms if f.organ is not None and f.year is not None]:
        _keep_or_join(frame, kept, form, [k for k in kept if form.agrees(k)][:1])
    complete = list(kept)
    for form in [f for f in forms if f.organ is None or f.year is None]:
        matches = [k for k in complete if form.agrees(k)]
        if len(matches) > 1:
            frame.loc[form.index, "ambiguous"] = True
        others = [k for k in kept if k not in complete and form.agrees(k)]
        _keep_or_join(frame, kept, form, matches[:1] or others[:1])
    if kept:
        frame.loc[group.index[~group.parsed.to_numpy(dtype=bool)], "duplicate_of"] = cast(
            str, frame.at[kept[0].index, "path"]
        )


@dataclass(frozen=True)
class _Form:
    """A parsed file of a page's group: its row in the forms frame, and the organ and year read."""

    index: int
    organ: str | None
    year: int | None

    def agrees(self, other: _Form) -> bool:
        """Whether the two may be one report: neither organ nor year read differently."""
        organs = self.organ is None or other.organ is None or _same_organ(self.organ, other.organ)
        return organs and (self.year is None or other.year is None or self.year == other.year)


def _keep_or_join(frame: pd.DataFrame, kept: list[_Form], form: _Form, same: list[_Form]) -> None:
    if same:
        frame.loc[form.index, "duplicate_of"] = cast(str, frame.at[same[0].index, "path"])  # .at: any scalar
    else:
        kept.append(form)
        frame.loc[form.index, "preferred"] = True


# A government is named by its place: 鹤岗市东山区人民政府, 东山区政府 and 鹤岗市东山区 are one.
_GOVERNMENT = re.compile(r"(?:人民)?政府$")
# What a name left out before a shorter one must end with: a whole place (province, city...).
_PLACE_ENDS = frozenset("省市县区旗州盟镇乡")


def _same_organ(a: str, b: str) -> bool:
    """Tell whether two readings name one organ: the same name, one with its higher places left out.

    >>> _same_organ("鹤岗市东山区人民政府", "东山区政府"), _same_organ("鹤岗市东山区", "东山区人民政府")
    (True, True)
    >>> _same_organ("东宁市", "东宁市财政局"), _same_organ("东山区人民政府", "东山区人民政府办公室")
    (False, False)
    >>> _same_organ("天津市河西区", "西区"), _same_organ("鹤岗市人民政府", "市人民政府")
    (False, False)
    """
    x, y = (_GOVERNMENT.sub("", name.replace(" ", "")) for name in (a, b))
    if x == y:
        return bool(x)
    short, long = sorted((x, y), key=len)
    return len(short) >= 2 and long.endswith(short) and long[-len(short) - 1] in _PLACE_ENDS


def _number(report: object, name: str) -> int | None:
    value = getattr(report, name, None)
    return None if value is None or pd.isna(value) else int(value)


def other_forms(reports: pd.DataFrame, folder: str | os.PathLike[str]) -> list[tuple[str, str, str]]:
    """List ``(kind, path, kept_path)`` for each parsed file that is another form of a kept report.

    ``kind`` is ``other_form``, or ``ambiguous_form`` where the file could repeat several of its
    page's reports (see :func:`report_forms`). Paths are spelt as in ``reports``; the list is
    empty when no fetch folder is at or under ``folder``.
    """
    if reports.empty or not manifest_hints(folder):
        return []
    forms = report_forms(reports, folder)
    spelt = {str(Path(p).resolve()): str(p) for p in reports["path"]}
    others = forms[forms.parsed & forms.duplicate_of.notna()]
    return [
        ("ambiguous_form" if ambiguous else "other_form", spelt[p], spelt[kept])
        for p, kept, ambiguous in zip(others.path, others.duplicate_of, others.ambiguous, strict=True)
    ]
