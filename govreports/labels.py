"""Printed row labels that are not quite the template's: approximate matching, in template order.

Reports misprint labels (``2.其他法律行政止公开``), add words (``本年度新收`` for ``本年新收``) or
come out of OCR with a character confused. :func:`fuzzy_row` matches such a label against the
official labels of the rows not found yet, with rapidfuzz's normalised Indel similarity, and
accepts a match only when it is close and clearly better than any other row.

>>> from govreports.schema import APPLICATIONS
>>> fuzzy_row(APPLICATIONS, "2.其他法律行政止公开", exclude={})
('withheld_law_prohibited', 88.0)
>>> fuzzy_row(APPLICATIONS, "其他", exclude={})
(None, 0.0)
"""

from __future__ import annotations

from collections.abc import Container
from functools import lru_cache

from rapidfuzz import fuzz, process

from govreports.schema import TABLES, TableSpec, normalize_label

# A match must be this similar (0–100) and beat the next row by this margin.
THRESHOLD = 85.0
MARGIN = 8.0
# Labels shorter than this (规章, 3.其他) are too short to match approximately.
_SHORTEST = 5


def fuzzy_row(table: TableSpec, printed: str, exclude: Container[str]) -> tuple[str | None, float]:
    """Return the key of the row whose official label ``printed`` approximates, and the score.

    Rows in ``exclude`` (found already) and rows before the last of them in template order are
    not candidates, so a match never reorders the table. ``(None, 0.0)`` when no row qualifies.
    """
    text = normalize_label(printed)
    if len(text) < _SHORTEST:
        return None, 0.0
    last = max((i for i, row in enumerate(table.rows) if row.key in exclude), default=-1)
    return _best(table.key, text, last)


@lru_cache(maxsize=8192)
def _best(table_key: str, text: str, last: int) -> tuple[str | None, float]:
    """Match a normalised label against the rows after index ``last`` (reports repeat labels)."""
    table = TABLES[table_key]
    choices = {
        row.key: normalize_label(row.label)
        for row in table.rows[last + 1 :]
        if len(normalize_label(row.label)) >= _SHORTEST
    }
    best = process.extract(text, choices, scorer=fuzz.ratio, limit=2)
    if not best or best[0][1] < THRESHOLD:
        return None, 0.0
    if len(best) > 1 and best[0][1] - best[1][1] < MARGIN:
        return None, 0.0
    return best[0][2], best[0][1]
