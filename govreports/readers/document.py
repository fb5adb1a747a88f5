"""The intermediate every reader returns: physical rows of cell strings, with provenance."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class RawRow:
    """One physical row as printed: its cell strings and the 1-based line it starts on."""

    cells: tuple[str, ...]
    line: int


@dataclass(frozen=True)
class Document:
    """A decoded report: its full text and its rows (prose lines are rows of one cell).

    ``source_url`` and ``published`` are where and when the report was published, as printed,
    when the input says so (a crawler dump's header). ``page_starts`` holds the line of ``text``
    each page starts on, for inputs with pages (PDF). ``runs_collapsed`` says that the input
    shows the mark of a crawler that kept one line of each run of identical lines (see
    :func:`runs_look_collapsed`), so that one printed value may stand for several equal cells.
    ``line_places`` names where a line of ``text`` is in the input when its lines are not the
    file's (HTML: "table 2, row 5"). ``prose`` is the text with each paragraph's wrapped lines
    joined, for inputs whose reader tells a paragraph from its printed lines (PDF): narrative
    figures are read from it, so that a sentence broken at the end of a line is read whole.
    """

    source: str
    text: str
    rows: list[RawRow]
    encoding: str
    source_url: str | None = None
    published: str | None = None
    page_starts: tuple[int, ...] = ()
    runs_collapsed: bool = False
    prose: str | None = None
    line_places: Mapping[int, str] = field(default_factory=dict)

    def place_of(self, line: int) -> str | None:
        r"""Return where a line of ``text`` is in the input: its page, or its table and row.

        >>> Document("r.pdf", "a\nb\nc", [], "pdf", page_starts=(1, 3)).place_of(3)
        'page 2'
        >>> Document("r.html", "a\tb", [], "utf-8", line_places={1: "table 1, row 4"}).place_of(1)
        'table 1, row 4'
        """
        if self.page_starts:
            return f"page {self.page_of(line)}"
        return self.line_places.get(line)

    def page_of(self, line: int) -> int | None:
        r"""Return the 1-based page that a line of ``text`` is on, or None without pages.

        >>> Document("r.pdf", "a\nb\nc", [], "pdf", page_starts=(1, 3)).page_of(3)
        2
        """
        return bisect_right(self.page_starts, line) or None


def rows_text(rows: list[RawRow]) -> str:
    r"""Return rows as text: a line per row, its cells separated by tabs.

    >>> rows_text([RawRow(("规章", "5"), 1), RawRow(("说明",), 2)])
    '规章\t5\n说明'
    """
    return "\n".join("\t".join(row.cells) for row in rows)


# A table printed one value per line has many lines that are a lone number; a page of prose
# with a few figures has too few to tell anything.
_LONE_NUMBERS = 20


def runs_look_collapsed(lines: list[str]) -> bool:
    r"""Tell whether a text shows the mark of collapsed runs: no line repeats the line before it.

    A table printed one value per line repeats lines all the time (a row of zeros is seven
    ``0`` lines), so many lone numbers and never two equal lines in a row mean that runs of
    identical lines were collapsed into one.

    >>> runs_look_collapsed(["0", "1", "2"] * 10)
    True
    >>> runs_look_collapsed(["0", "0", "1"] * 10)
    False
    """
    previous, lone = None, 0
    for line in lines:
        line = line.strip()
        if not line:
            continue
        if line == previous:
            return False
        previous = line
        lone += line.isdigit()
    return lone >= _LONE_NUMBERS


# The field names crawlers and CMS exports write above a page's text.
CRAWL_FIELDS = frozenset(
    "标题 题目 发布时间 发布日期 成文日期 日期 文号 发文字号 发布机构 发文机关 来源 索引号 "
    "栏目 分类 主题分类 原始链接 原文链接 链接 网址 url URL 本地目录 正文 作者 有效性".split()
)
FIELD_LINE = re.compile(r"^\s*([^\s:：]{1,12})\s*[:：]\s?(.*)$")


def has_crawl_header(text: str) -> bool:
    r"""Tell whether a text opens with a crawler's header: two or more ``key: value`` field lines.

    >>> has_crawl_header("标题:莆田市水利局2022年报\n发布时间: 2023-01-10\n正文:")
    True
    >>> has_crawl_header("一、总体情况\n发布时间: 2023")
    False
    """
    head = [line for line in text.split("\n", 12)[:12] if line.strip()][:6]
    fields = [m[1] for m in map(FIELD_LINE.match, head) if m]
    opens_with_field = bool(head) and FIELD_LINE.match(head[0]) is not None
    return opens_with_field and sum(f in CRAWL_FIELDS for f in fields) >= 2
