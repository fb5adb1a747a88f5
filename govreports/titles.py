r"""The report's title (organ and year), its stated statistics period and the notice it cites.

What the first lines and a few cue phrases say, read before anything is placed on the map
(:mod:`govreports.metadata`). A title may be split over up to three lines, follow a page header
or a dump's 正文 marker, and put the year first, after the organ or in brackets at the end.

>>> find_title("某县2023年度政府信息公开工作年度报告").organ
'某县'
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

# The title sits in the first lines; a longer line is a body paragraph.
_HEAD_CHARS = 1500
_HEAD_LINES = 8
_TITLE_MAX_LINES = 3
_TITLE_MAX_CHARS = 80
_FIRST_YEAR, _LAST_YEAR = 1990, 2099

_SPACE = re.compile(r"\s+")
_TITLE_END = re.compile(r"信息公开.{0,12}?(?:报告|年报)(?:[（(]\d{4}年度?[)）])?$")
_YEAR_FIRST = re.compile(r"^(?P<year>\d{4})年度?+(?P<organ>.+?)(?:本级)?(?:政府|政务)信息公开")
_YEAR_SUFFIX = re.compile(r"^(?P<organ>.+?)(?:本级)?(?:政府|政务)?信息公开.*[（(](?P<year>\d{4})年度?[)）]$")
_ORGAN_YEAR = re.compile(r"^(?P<organ>(?:(?!信息公开).)+?)(?:关于)?(?P<year>\d{4})年度?")
_YEAR_ONLY = re.compile(r"^(?P<year>\d{4})年度?(?:本级)?(?:政府|政务)?信息公开")
_NO_YEAR = re.compile(r"^(?P<organ>(?:(?!\d{4}年).)+?)(?:本级)?(?:政府|政务)?信息公开")
_TITLE_PATTERNS = (_YEAR_FIRST, _ORGAN_YEAR, _YEAR_SUFFIX, _YEAR_ONLY, _NO_YEAR)
_ORGAN_TRIM = "《》“”\"'「」【】:：,，、 "

_PERIOD_CUES = ("统计", "期限", "所列数据")
_PERIOD_AFTER_CUE = re.compile(r"[^。\n]{0,15}?(\d{4})\s*年\s*0?1\s*月\s*0?1\s*日")
_PERIOD_YEAR = re.compile(r"统计(?:期限|时限|区间|时段)[为是:：]?\s*(\d{4})\s*年度")
_TEMPLATE = re.compile(r"国办公开办函\s*[〔［\[（(【﹝]\s*(\d{4})\s*[〕］\]）)】﹞]\s*(\d+)\s*号")
_TEMPLATES = {("2019", "60"): "2019", ("2021", "30"): "2021"}


@dataclass
class Title:
    """A report title as printed, with the organ and year read from it.

    Attributes:
        text: the title, its lines joined without separator.
        organ_raw: the organ as printed (inner whitespace kept).
        organ: the organ with whitespace and a trailing 本级 removed.
        year: the reporting year.
        own_level: the title speaks of 本级政府 (the region-wide report of Art. 49(2)).
    """

    text: str
    organ_raw: str | None = None
    organ: str | None = None
    year: int | None = None
    own_level: bool = False


def find_title(text: str) -> Title | None:
    r"""Find the report title in the first lines; it may be split over up to three lines.

    Args:
        text: the report text.

    Returns:
        The title (lines joined without separator) with organ and year, or ``None``.

    >>> t = find_title("\n铁东区政务服务局2023年度政府信息公开工作\n\n年度报告\n根据……")
    >>> t.text, t.organ, t.year
    ('铁东区政务服务局2023年度政府信息公开工作年度报告', '铁东区政务服务局', 2023)
    """
    lines = _head_lines(text)
    for first in range(len(lines)):
        joined = ""
        for offset, line in enumerate(lines[first : first + _TITLE_MAX_LINES]):
            if offset and _is_full_title(line):
                break  # the lines before it were a page header, not part of the title
            joined += line
            compact = _SPACE.sub("", joined)
            if len(compact) > _TITLE_MAX_CHARS:
                break
            if _TITLE_END.search(compact):
                return _shortest_title(lines[first : first + offset + 1])
    return None


def _shortest_title(lines: list[str]) -> Title:
    """Drop leading lines (a dump's 正文 marker, a page header) while organ and year still parse."""
    title = _parse_title("".join(lines))
    for start in range(1, len(lines)):
        shorter = _parse_title("".join(lines[start:]))
        if shorter.organ is None or shorter.year is None:
            break
        title = shorter
    return title


def _head_lines(text: str) -> list[str]:
    """Return the first non-empty lines, stripped (read lazily: tables make many short lines)."""
    text = text[:_HEAD_CHARS]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines: list[str] = []
    start, stop = 0, len(text)
    while start < stop and len(lines) < _HEAD_LINES:
        end = text.find("\n", start)
        end = len(text) if end == -1 else end
        if line := text[start:end].strip():
            lines.append(line)
        start = end + 1
    return lines


def _is_full_title(line: str) -> bool:
    if not _TITLE_END.search(_SPACE.sub("", line)):
        return False
    title = _parse_title(line)
    return title.organ is not None and title.year is not None


def _compact(text: str) -> tuple[str, Sequence[int]]:
    """Drop whitespace, keeping for each kept character its index in ``text``."""
    if _SPACE.search(text) is None:
        return text, range(len(text))
    index = [i for i, char in enumerate(text) if not char.isspace()]
    return "".join(text[i] for i in index), index


def _parse_title(title: str) -> Title:
    compact, index = _compact(title)
    for pattern in _TITLE_PATTERNS:
        match = pattern.search(compact)
        if match is None:
            continue
        year = int(match["year"]) if "year" in pattern.groupindex else None
        if year is not None and not _FIRST_YEAR <= year <= _LAST_YEAR:
            continue
        if "organ" not in pattern.groupindex:
            return Title(title, year=year)
        start, end = _trim(compact, *match.span("organ"))
        organ = compact[start:end]
        raw = title[index[start] : index[end - 1] + 1] if organ else None
        own_level = organ.endswith("本级") or "本级政府信息" in compact
        organ = organ.removesuffix("本级")
        if organ in ("", "政府", "政务"):  # 政府信息公开…报告（2022年度）: no organ printed
            return Title(title, year=year)
        return Title(title, raw, organ, year, own_level)
    return Title(title)


def _trim(compact: str, start: int, end: int) -> tuple[int, int]:
    """Shrink an organ span past quotes and punctuation and a trailing 关于 ("regarding")."""
    while start < end and compact[start] in _ORGAN_TRIM:
        start += 1
    while end > start and compact[end - 1] in _ORGAN_TRIM:
        end -= 1
    if compact.startswith("关于", end - 2) and end - 2 > start:
        end -= 2
    return start, end


def stated_period_year(text: str) -> int | None:
    """Return the year of the stated statistics period (统计期限为YYYY年1月1日至…).

    Args:
        text: the report text.

    Returns:
        The first stated period's year, or ``None`` if the text states none.

    >>> stated_period_year("本报告所列数据统计期限自 2020 年 1 月 1 日起至 12 月 31 日止。")
    2020
    """
    # str.find on each cue, then an anchored match: a single regex starting with an
    # alternation would be tried at every position of the text, several times slower.
    found: tuple[int, str] | None = None
    for cue in _PERIOD_CUES:
        position = text.find(cue)
        while position != -1 and (found is None or position < found[0]):
            if match := _PERIOD_AFTER_CUE.match(text, position + len(cue)):
                found = (position, match[1])
                break
            position = text.find(cue, position + 1)
    if found is not None:
        return _plausible_year(found[1])
    match = _PERIOD_YEAR.search(text)
    return _plausible_year(match[1]) if match else None


def _plausible_year(digits: str) -> int | None:
    year = int(digits)
    return year if _FIRST_YEAR <= year <= _LAST_YEAR else None


def template_cited(text: str) -> str | None:
    """Say which State Council format notice the report cites.

    Args:
        text: the report text.

    Returns:
        ``"2021"`` for 国办公开办函〔2021〕30号, ``"2019"`` for 〔2019〕60号 (the newer one if
        both are cited), else ``None``.

    >>> template_cited("根据《通知》（国办公开办函〔2021〕30 号）要求"), template_cited("无")
    ('2021', None)
    """
    found = {t for m in _TEMPLATE.finditer(text) if (t := _TEMPLATES.get((m[1], m[2]))) is not None}
    return max(found) if found else None
