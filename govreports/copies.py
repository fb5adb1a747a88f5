"""Tables printed twice in one file, and files that hold two reports.

A table's copies are found by a label each copy prints once and prose never does. Where a
report title is printed again after the tables began, the file holds a second report: its
tables must not be mixed into the first one's (nor dropped without a word), so the file is
refused with the line the second report starts on. A table printed twice within one report
is read in both copies; cells the copies print alike keep their reading, and cells they print
differently are ``duplicated``, with both readings in ``raw``.

>>> new = "一、本年新收政府信息公开申请数量"
>>> rows = [RawRow(("某县2023年政府信息公开工作年度报告",), 1), RawRow((new, "1"), 9),
...         RawRow(("某局2023年政府信息公开工作年度报告",), 40), RawRow((new, "2"), 49)]
>>> find_copies(rows)
Copies(second_at=2, second_report=True)
>>> find_copies(rows[:2] + rows[3:])
Copies(second_at=2, second_report=False)
"""

from __future__ import annotations

import re
from typing import NamedTuple

from govreports.cells import looks_numeric
from govreports.normalize import Record
from govreports.readers.document import RawRow
from govreports.schema import DECIDED_STATUSES

# Labels each copy of a table prints once, in a row of its own, and prose does not.
_ANCHORS = {
    "active": re.compile(r"^第二十条第[（(]一[)）]项"),
    "applications": re.compile(r"^一[、.]本年新收政府信息公开申请数量"),
    "appeals": re.compile(r"^复议后起诉"),
}
_ANCHOR_WORDS = ("第二十条", "本年新收", "复议后起诉")
_ANCHOR_WORD = re.compile("|".join(_ANCHOR_WORDS))
# A report's title: a short line naming the annual report (titles.py reads its organ and year).
_TITLE = re.compile(r"信息公开.{0,12}?(?:年度报告|工作报告|年报)")
_TITLE_MAX_CHARS = 60
# The words each table's heading prints (what normalize's locator looks for), and how far
# above the anchor they may be.
_HEADINGS = {"active": ("第二十条",), "applications": ("勾稽关系", "本年新收"), "appeals": ("行政复议",)}
_HEADING_ROWS = 12
_SPACES = re.compile(r"\s+")


class Copies(NamedTuple):
    """Where a file's tables start again (row index), and whether a new report starts there."""

    second_at: int | None
    second_report: bool


def find_copies(rows: list[RawRow]) -> Copies:
    """Find where the tables are printed a second time, and whether a report title precedes them.

    A title printed after the tables began counts only when tables follow it: a list of
    related reports at the foot of a page names titles too.
    """
    anchors = [(i, t) for i, row in enumerate(rows) for t in _anchors(row)]
    if not anchors:
        return Copies(None, False)
    first_table = anchors[0][0]
    last_anchor = anchors[-1][0]
    title = next((i for i in range(first_table, last_anchor) if _is_title(rows[i])), None)
    if title is not None:
        return Copies(title, True)
    seen: dict[str, int] = {}
    for index, table in anchors:
        # A label printed again before any value is one row printed twice (a heading line
        # above a per-row table, as OCR output prints them), not a second copy of the table.
        if table in seen and any(map(_has_value, rows[seen[table] : index])):
            return Copies(_heading_above(rows, index, table), False)
        seen[table] = index
    return Copies(None, False)


def _has_value(row: RawRow) -> bool:
    return any(map(looks_numeric, row.cells))


def _anchors(row: RawRow) -> list[str]:
    first = row.cells[0] if row.cells else ""
    if _ANCHOR_WORD.search(first) is None:  # most rows: one search for the three words
        return []
    text = _SPACES.sub("", first)
    return [table for table, anchor in _ANCHORS.items() if anchor.match(text)]


def _is_title(row: RawRow) -> bool:
    if len(row.cells) != 1 or "信息公开" not in row.cells[0]:
        return False
    text = _SPACES.sub("", row.cells[0])
    return len(text) <= _TITLE_MAX_CHARS and bool(_TITLE.search(text))


def _heading_above(rows: list[RawRow], anchor: int, table: str) -> int:
    """Return the row the copy's table starts on: its heading, a few rows above its anchor."""
    for index in range(anchor, max(anchor - _HEADING_ROWS, -1), -1):
        if any(word in "".join(rows[index].cells) for word in _HEADINGS[table]):
            return index
    return anchor


def merge_copies(first: list[Record], second: list[Record]) -> list[Record]:
    """Merge the records of a table's two copies: different readings of a cell are ``duplicated``.

    A cell the second copy does not print (its table or row missing there) keeps the first
    copy's reading; a cell only the second copy prints takes its reading.
    """
    other = {r[:3]: r for r in second}
    merged: list[Record] = []
    for record in first:
        copy = other.get(record[:3])
        if copy is None or copy[4] in _NOT_PRINTED:
            merged.append(record)
        elif record[4] in _NOT_PRINTED:
            merged.append(copy)
        elif (record[3], record[4] in DECIDED_STATUSES) == (copy[3], copy[4] in DECIDED_STATUSES):
            merged.append(record)
        else:
            raw = f"{record[5]} | {copy[5]}"
            ref = f"{record[6]}; printed again as {copy[5]!r} ({copy[6]})"
            merged.append((*record[:3], None, "duplicated", raw, ref))
    return merged


_NOT_PRINTED = frozenset({"table_missing", "row_missing"})
