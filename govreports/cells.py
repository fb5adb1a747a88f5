"""One printed cell → (value, status): the only place that turns cell text into numbers.

A blank, a placeholder or a word never becomes 0 silently: each gets its own status and the
value stays missing, except the word 无 ("none"), which is 0 *with* the status ``zero_word``.

>>> parse_cell("1,234")
(1234.0, 'thousands_sep')
>>> parse_cell(" ")
(None, 'blank')
>>> parse_cell("／")
(None, 'slash')
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")
_GROUPED = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_UNIT = re.compile(r"^([+-]?\d+(?:\.\d+)?)\s*(件|条|个|项|次|宗|篇|元|万元|亿元)$")
_DASHES = frozenset({"-", "--", "—", "——", "–", "―", "－", "一一", "…"})
_SLASHES = frozenset({"/", "\\", "//"})
_NA_WORDS = frozenset({"不适用", "n/a", "na", "null", "none", "暂无数据", "空"})
_ZERO_WORDS = frozenset({"无", "零"})

# Footnote marks printed after a number: superscript digits, circled and parenthesised numbers,
# asterisks. NFKC would turn ``1772¹`` into 17721, so they are taken off before normalising.
SUPERSCRIPT_DIGITS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_FOOTNOTE_MARKS = "⁰¹²³⁴⁵⁶⁷⁸⁹\u2460-\u249b\u24ea-\u24ff\u2776-\u2793*＊※"
_FOOTNOTE_MARK = re.compile(f"[{_FOOTNOTE_MARKS}]")
_RAISED_DIGIT = re.compile("[⁰¹²³⁴⁵⁶⁷⁸⁹]")
_TRAILING_MARKS = re.compile(f"\\s*[{_FOOTNOTE_MARKS}]+$")
# Counts a float holds exactly; beyond this a count would lose digits silently.
LARGEST_EXACT = 2**53
# The most digits a count can print and be read; it also bounds how long one cell's digits
# can be when a row of glued digits is cut into cells.
MAX_DIGITS = len(str(LARGEST_EXACT))

# Characters that never appear in a number but do appear in cells typed into Word tables.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\ufeff\xa0\u3000"), " ")


@lru_cache(maxsize=8192)
def looks_numeric(text: str) -> bool:
    """Tell whether a cell reads as a value or a placeholder rather than as a label.

    >>> looks_numeric("27780"), looks_numeric("/"), looks_numeric("行政许可")
    (True, True, False)
    """
    return parse_cell(text)[1] not in ("text", "blank")


# Reports repeat the same few cell strings ("0", "1", "") thousands of times: cache them.
@lru_cache(maxsize=8192)
def parse_cell(raw: str) -> tuple[float | None, str]:
    """Parse one cell; return ``(value, status)`` where value is None unless a number was read.

    >>> parse_cell("0")
    (0.0, 'ok')
    >>> parse_cell("１２")
    (12.0, 'ok')
    >>> parse_cell("无")
    (0.0, 'zero_word')
    >>> parse_cell("251000元")
    (251000.0, 'unit_in_cell')
    >>> parse_cell("27780①")
    (27780.0, 'footnote')
    >>> parse_cell("9007199254740993")
    (None, 'too_large')
    """
    text = raw.translate(_INVISIBLE).strip()
    if text and _FOOTNOTE_MARK.match(text[-1]):
        marks = _TRAILING_MARKS.search(text)
        assert marks is not None  # the text ends in a mark, so the pattern matches
        number = text[: marks.start()]
        value, status = _parse_clean(number)
        # A mark standing alone (a list or footnote mark) is not a count.
        return (value, "footnote") if status in ("ok", "thousands_sep") else (None, "text")
    if _RAISED_DIGIT.search(text):
        return None, "text"  # a raised digit inside a number (1⁷9) is not one of its digits
    return _parse_clean(text)


def _parse_clean(raw: str) -> tuple[float | None, str]:
    text = unicodedata.normalize("NFKC", raw).strip()
    if not text:
        return None, "blank"
    if _NUMBER.fullmatch(text):
        return _exact(text, "ok")
    compact = text.replace(" ", "")
    if _GROUPED.fullmatch(compact):
        return _exact(compact.replace(",", ""), "thousands_sep")
    return _parse_non_number(compact)


def _exact(digits: str, status: str) -> tuple[float | None, str]:
    """Return the number as a float, or ``too_large`` where a float would round it."""
    value = float(digits)
    if abs(value) >= LARGEST_EXACT:
        return None, "too_large"
    return value, status


# Two PDF table engines that read different text for one cell: the reader keeps both readings
# in the cell, joined by this separator, and the cell's value stays missing.
DISAGREEMENT = " ≠ "


def disagreement(first: str, second: str) -> str:
    """Cell text that records two engines' different readings of one cell.

    >>> parse_cell(disagreement("12", "17"))
    (None, 'engine_disagreement')
    """
    return f"{first.strip()}{DISAGREEMENT}{second.strip()}"


# A value printed once in a cell merged over several template cells (rowspan, colspan, Word's
# vMerge): the reader marks each cell the value spans, whose value stays missing.
MERGED = " ⊞"


def merged(text: str) -> str:
    """Cell text that records one printed value spanning several cells.

    >>> parse_cell(merged("12"))
    (None, 'merged_cell')
    """
    return f"{text.strip()}{MERGED}"


def _parse_non_number(text: str) -> tuple[float | None, str]:
    if DISAGREEMENT.strip() in text:
        return None, "engine_disagreement"
    if text.endswith(MERGED.strip()):
        return None, "merged_cell"
    unit = _UNIT.fullmatch(text)
    if unit:
        return float(unit.group(1)), "unit_in_cell"
    if text in _DASHES:
        return None, "dash"
    if text in _SLASHES:
        return None, "slash"
    if text in _ZERO_WORDS:
        return 0.0, "zero_word"
    if text.lower() in _NA_WORDS:
        return None, "na_text"
    return None, "text"
