r"""Markdown reader: pipe tables → rows of cells; headings and prose lines → rows of one cell.

Reports arrive as Markdown from PDF text-layer dumps and from OCR. Both break the tables in
ways the label-anchored parser in :mod:`govreports.normalize` must not be misled by:

* a table cut into per-row mini tables, each under a heading and a generic header
  (``| 类别 | 数据1 | … |``); a header that only numbers the columns (``| 1 | 2 | 3 |``) is
  dropped, as it would otherwise read as a row of values;
* 表四 as three small tables of five values each, under the headings 行政复议,
  行政诉讼（未经复议直接起诉） and 行政诉讼（复议后起诉）: a row of values without a label
  takes the heading right above its table as its label;
* page footers (``- 3 -``, ``— 3 —``, ``第 3 页``) printed inside a table: dropped;
* a row label cut in two cells at a list separator (``| 缴纳费用、 | 行政机关不再处理其政 |``):
  the two cells are joined, so that the cut tail is not read as a value.

Everything else is kept as printed: empty cells stay in position, a note inside a cell
(``22（其中修订 16 件）``) stays text, and a row that lost a cell stays short, so that the parser
flags it instead of shifting it. Prose lines are split like the text reader splits them:
numbers trailing a line after whitespace become cells of their own (``行政许可 0``).

>>> doc = read_markdown(text="### 行政复议\n| 结果维持 | 总计 |\n|---|---|\n| 2 | 2 |\n")
>>> [row.cells for row in doc.rows]
[('行政复议',), ('结果维持', '总计'), ('行政复议', '2', '2')]
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from govreports.cells import looks_numeric
from govreports.readers.document import Document, RawRow
from govreports.readers.text import load_text, split_spaced

_CELL_SPLIT = re.compile(r"(?<!\\)\|")
# A rule cell has three dashes or a colon: '-' and '--' are placeholders in a row of values.
_RULE_CELL = re.compile(r":-+:?|-+:|-{3,}")
_RULE_LINE = re.compile(r"\s*\|?\s*(?::-+:?|-+:|-{3,})\s*(?:\|\s*(?::-+:?|-+:|-{3,})\s*)*\|?\s*")
# OCR output often omits the space after the hashes ('###第二十条第（一）项').
_HEADING = re.compile(r"\s{0,3}#{1,6}(?!#)\s*(.*?)(?:\s+#+)?\s*")
_BREAK = re.compile(r"\s*(?:[-*_=]\s*){3,}")
_FENCE = re.compile(r"\s*(?:```|~~~)")
_QUOTE = re.compile(r"^\s{0,3}(?:>\s?)+")
_BULLET = re.compile(r"^\s*[-*+]\s+(?=\S)")
_FOOTER = re.compile(
    r"[-—–－]{1,2}\s*\d{1,4}\s*[-—–－]{1,2}|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"
)
_INLINE = (
    (re.compile(r"<!--.*?-->"), ""),
    (re.compile(r"<br\s*/?>", re.IGNORECASE), " "),  # a line break in a cell: never glue digits
    (re.compile(r"</?[A-Za-z][^>]*>"), ""),
    (re.compile(r"!?\[([^\]]*)\]\([^)]*\)"), r"\1"),
    (re.compile(r"(\*\*|__|~~)(.+?)\1"), r"\2"),
    (re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*"), r"\1"),
    (re.compile(r"`([^`]*)`"), r"\1"),
    (re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~])"), r"\1"),
)
# Headings that title a section or a whole table, not one of its rows.
# A character that every pattern of _INLINE, or a character reference, needs to match.
_MARKUP = re.compile(r"[<\[*_~`\\&]")
_SECTION_TITLE = re.compile(r"情况|^表")
# A label cut at a list separator or an open bracket continues in the next cell.
_OPEN_END = ("、", "，", ",", "（", "(")


def read_markdown(
    source: str = "<markdown>", *, data: bytes | None = None, text: str | None = None
) -> Document:
    r"""Read a Markdown report into physical rows of cells and its plain text.

    Args:
        source: the file name, used in error messages and provenance.
        data: the raw bytes (decoded like text input), or
        text: the Markdown itself.

    Returns:
        A :class:`Document` whose ``text`` is the report without Markdown markup (headings,
        emphasis, quotes, table rules), for metadata and figures.

    >>> read_markdown(text="| 行政许可 | 12 |  |\n|---|---|---|\n").rows[0].cells
    ('行政许可', '12', '')
    """
    text, encoding = load_text(source, data, text)
    blocks = _Blocks()
    lines = text.split("\n")
    for number, line in enumerate(lines, 1):
        following = lines[number] if number < len(lines) else ""
        blocks.feed(_QUOTE.sub("", line), _QUOTE.sub("", following), number)
    return Document(source=source, text="\n".join(blocks.plain) + "\n", rows=blocks.rows, encoding=encoding)


@dataclass
class _Blocks:
    """Line-by-line state: the rows and plain text so far, and the table being read."""

    rows: list[RawRow] = field(default_factory=list)
    plain: list[str] = field(default_factory=list)
    heading: str | None = None  # names the rows of the next table that print no label
    table_line: int = 0  # the line the current table started on, 0 outside a table
    past_header: bool = False  # the current table's rule row has been read

    def feed(self, line: str, following: str, number: int) -> None:
        """Read one line (blockquote markers removed); ``following`` is the next line."""
        if _is_table_line(line, following, in_table=bool(self.table_line)):
            self._table_row(line, number)
            return
        if self.table_line:
            self.table_line, self.past_header, self.heading = 0, False, None
        stripped = line.strip()
        if not stripped or _FENCE.match(line) or _BREAK.fullmatch(line):
            return
        heading = _HEADING.fullmatch(line)
        if heading:
            self._heading(_clean(heading.group(1) or ""), number)
        else:
            self._prose(stripped, number)

    def _heading(self, text: str, number: int) -> None:
        if not text:
            return
        self.rows.append(RawRow((text,), number))
        self.plain.append(text)
        self.heading = None if _SECTION_TITLE.search(text) else text

    def _prose(self, line: str, number: int) -> None:
        self.heading = None
        if _FOOTER.fullmatch(line):
            return
        text = _clean(_BULLET.sub("", line))
        if text:
            self.rows.append(RawRow(split_spaced(text), number))
            self.plain.append(text)

    def _table_row(self, line: str, number: int) -> None:
        split = _split_row(line)
        if not self.table_line:
            self.table_line = number
        if all(_RULE_CELL.fullmatch(c) for c in split if c) and any(split):
            self.past_header = True
            return
        if not self.past_header and _numbers_the_columns(split):
            return
        cells = tuple(_clean(c) for c in split)
        filled = [c for c in cells if c]
        # A footer fills one cell: '- | 0 | -' across three cells is a row of values.
        if len(filled) == 1 and _FOOTER.fullmatch(filled[0]):
            return
        if self.heading and _unlabelled(cells):
            cells = (self.heading, *cells)
        cells = _join_cut_label(cells)
        self.rows.append(RawRow(cells, number))
        self.plain.append("\t".join(cells))


def _is_table_line(line: str, following: str, *, in_table: bool) -> bool:
    """Tell whether a line is a pipe-table row (or rule); outer pipes are optional in GFM."""
    stripped = line.strip()
    if stripped.startswith("|"):
        return True
    if not _CELL_SPLIT.search(stripped):
        return False
    # Without outer pipes, a table starts only where a rule row with a pipe follows ('a | b'
    # over '---' is a paragraph over a thematic break).
    return in_table or ("|" in following and bool(_RULE_LINE.fullmatch(following)))


def _split_row(line: str) -> list[str]:
    r"""Split a table row on unescaped pipes, without the outer pipes; empty cells are kept.

    >>> _split_row(r"| a | \| b |  |")
    ['a', '\\| b', '']
    """
    body = line.strip()
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|") and not body.endswith("\\|"):
        body = body[:-1]
    return [cell.strip() for cell in _CELL_SPLIT.split(body)]


def _clean(text: str) -> str:
    """Remove inline Markdown and HTML markup, keeping the text as printed.

    >>> _clean("**22**<br>（其中修订 16 件）")
    '22 （其中修订 16 件）'
    """
    if _MARKUP.search(text) is None:  # most cells: no markup and no character reference
        return text.replace("\xa0", " ").strip()
    for pattern, replacement in _INLINE:
        text = pattern.sub(replacement, text)
    return html.unescape(text).replace("\xa0", " ").strip()


def _numbers_the_columns(cells: list[str]) -> bool:
    """Tell a header row ``1 | 2 | … | n`` that numbers the columns (as data it fails every total)."""
    filled = [c for c in cells if c]
    return len(filled) >= 3 and filled == [str(i) for i in range(1, len(filled) + 1)]


def _unlabelled(cells: tuple[str, ...]) -> bool:
    """Tell a row of values, placeholders or empty cells only: its label is elsewhere (a heading)."""
    return all(not c or looks_numeric(c) for c in cells)


def _join_cut_label(cells: tuple[str, ...]) -> tuple[str, ...]:
    """Join label cells cut at a list separator, in the leading text cells of a row of values.

    >>> _join_cut_label(("缴纳费用、", "行政机关不再处理其政", "0"))
    ('缴纳费用、行政机关不再处理其政', '0')
    """
    if not any(c and looks_numeric(c) for c in cells):
        return cells
    joined = list(cells)
    i = 0
    while i + 1 < len(joined) and _is_text(joined[i]) and _is_text(joined[i + 1]):
        if joined[i].endswith(_OPEN_END):
            joined[i : i + 2] = [joined[i] + joined[i + 1]]
        else:
            i += 1
    return tuple(joined)


def _is_text(cell: str) -> bool:
    return bool(cell) and not looks_numeric(cell)
