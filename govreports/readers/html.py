"""HTML reader: a saved government web page → :class:`~govreports.readers.Document`.

Reports are published as portal pages, often pasted from Word, in UTF-8 or GBK. The reader
parses the page with lxml (no network, no external entities, no huge trees; truncated markup is
recovered) and returns its visible text, one paragraph per line, and its physical rows:

* a paragraph or heading outside a table is a row of one cell;
* a table row is a row of cell strings, one per ``<td>``: a ``colspan`` never adds phantom
  empty cells (Word pages put the span on a header cell in one row and on a value cell in the
  next), while a ``rowspan`` cell repeats down the rows it spans, so a group label such as
  （三）不予公开 stands beside each of its sub-rows. A number (or placeholder) in a ``rowspan``
  cell is one printed value standing for several template cells: the original and its copies
  are marked with :func:`govreports.cells.merged`, which reads as ``merged_cell``, no value.
  A number in a ``colspan`` cell is kept: Word pages widen single value cells that way;
* text split over ``<span>``, ``<font>`` and ``<o:p>`` runs is joined, whitespace is
  normalised (dropped next to Chinese characters, where Word wraps lines), and a cell holding
  only ``&nbsp;`` is blank (``''``);
* digits raised or lowered after a number (``<sup>``, ``<sub>``, ``vertical-align: super``)
  are a footnote mark, not more digits: they become superscript digits (``179¹``), which
  :func:`govreports.cells.parse_cell` reads as 179 with the status ``footnote``.

Page chrome goes: scripts, styles, ``<nav>``/``<aside>``/``<footer>``, hidden elements (the
``hidden`` attribute, ``display:none``, ``visibility:hidden`` and ``font-size:0``, inline or
through a class or id rule of the page's ``<style>``, as found by
:mod:`govreports.readers.html_style`), blocks made mostly of links (menus, breadcrumbs, 附件下载
lists), and everything before the report's title. Tables nesting other tables are page layout:
their cells are read as paragraphs. A page cut short inside a table row loses that row (its
last cell may hold half a number), a page with no table text but images where the tables
belong raises :class:`NoTablesError`, and one whose tables are written by a script raises
:class:`UnsupportedInputError` (scripts are not run).

Markup that libxml2 refuses to parse past (nesting deeper than 256 elements, one token over
10,000,000 bytes such as a ``data:`` image or a giant paragraph) would lose the rest of the page:
such a page is tamed in one linear pass by :mod:`govreports.readers.html_markup` (long
tokens keep their two ends, elements too deep are left out) and parsed again; a page still
beyond the limits, or whose tables are out of reach, raises :class:`RefusedInputError`. Which
row is which is decided in :mod:`govreports.normalize`.

This module holds the reader: decoding, parsing, the walk of the page into paragraphs and
table rows (spans, raised digits, links), the report's start, and the refusal of a page whose
tables are out of reach.

>>> page = "<h1>某县2023年政府信息公开工作年度报告</h1><table><tr><td>规章</td><td>0</td>"
>>> [row.cells for row in read_html("r.html", data=page.encode()).rows]
[('某县2023年政府信息公开工作年度报告',), ('规章', '0')]
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from html import unescape
from typing import cast, final

from lxml import etree

from govreports.cells import SUPERSCRIPT_DIGITS, looks_numeric, merged
from govreports.errors import EmptyInputError, NoTablesError, RefusedInputError, UnsupportedInputError
from govreports.readers.document import Document, RawRow, rows_text
from govreports.readers.html_markup import DEEPEST, DEEPEST_TABLE, Tamed, tame
from govreports.readers.html_style import PLAIN, SHOWN, Looks, fade, find_looks
from govreports.readers.text import decode
from govreports.schema import APPLICATIONS, TABLES, TEMPLATE_MARKERS, TableSpec, match_row, normalize_label
from govreports.titles import find_title

# Elements whose content is never part of the visible report.
_SKIP = frozenset(
    "head title script style noscript template iframe frame frameset object embed applet select "
    "option optgroup button textarea svg math canvas map audio video nav aside footer".split()
)
# Elements that start and end a paragraph (table parts too, for tables used as page layout).
_BLOCK = frozenset(
    "html body p div h1 h2 h3 h4 h5 h6 ul ol li dl dt dd section article header main blockquote "
    "pre address center form fieldset legend figure figcaption hr table caption thead tbody tfoot "
    "tr td th details summary".split()
)
_HEADINGS = frozenset("h1 h2 h3 h4 h5 h6".split())
_CELL_TAGS = ("td", "th")
_RAISED_TAGS = ("sup", "sub")
# Elements that make a cell read differently from its plain text (a line break, a block, a
# link, an image, a script, a superscript): such a cell is walked. So is a cell with a second
# paragraph or a part that is hidden or raised. Every other cell is read in one call, as most
# cells are runs of one paragraph.
_WALK_TAGS = tuple(sorted((_SKIP | _BLOCK | {"a", "br", "img", *_RAISED_TAGS}) - {"p", "td", "th", "tr"}))
# Elements that the walker does more with than add their text.
_SPECIAL = _BLOCK | _HEADINGS | {"a", "br", "img", "table", *_RAISED_TAGS}
# Queries are typed by what they select, which lxml's stubs cannot tell from the expression.
_SECOND_PARAGRAPHS = cast(
    "Callable[[etree._Element], list[etree._Element]]", etree.XPath(".//p[preceding-sibling::*[1][self::p]]")
)
# Zero-width characters Word and CMS editors leave in text; they are not part of any value.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)
# At and above U+2E80: CJK characters and full-width punctuation, between which whitespace
# in the source is a line wrap, not a space.
_WIDE = "\u2e80"
# HTML caps colspan at 1000 and rowspan at 65534; bigger values in untrusted pages are noise.
_MAX_COLSPAN, _MAX_ROWSPAN = 1000, 65534
_SPAN_VALUE = re.compile(r"\d+")
# Report tables are at most 15 grid columns wide. Row spans further right are not carried
# down, so that a hostile table (a rowspan in every row, each pushing the next one right)
# cannot grow quadratically.
_WIDEST = 100
# Declared charsets that a Chinese page never really uses: an editor's default, not a fact.
_UNTRUSTED_CHARSETS = frozenset({"iso8859-1", "cp1252"})
_GB_FAMILY = frozenset({"gb2312", "gbk", "gb18030", "hz"})
_PRESCAN_BYTES = 1024  # as browsers do: the declaration must come early
# The tables sit in sections 二 to 四; 五 and 六 follow them.
_TABLE_SECTION = re.compile(r"^[二三四]\s*[、.．]")
_AFTER_TABLES = re.compile(r"^[五六]\s*[、.．]")
# Markup a page can end with when it was not cut inside a cell (a page without </html> is
# common; one ending in the middle of a cell's runs was cut short).
_WHOLE_ENDS = ("</html>", "</body>", "</table>", "</tbody>", "</tr>", "</td>", "</th>", "</div>", "</p>",
               "</script>", "-->")  # fmt: skip
_LONGEST_END = 2 * max(map(len, _WHOLE_ENDS))  # characters of the page's end enough to tell
_TITLE_SEARCH = 80  # blocks; the title is near the top of the page


@final  # so that a type test tells a block from a plain-text cell (str) both ways
@dataclass(slots=True)
class _Block:
    """A paragraph (one cell) or a table row, with how much of its text is link text.

    ``merged``: a cell spanning several rows whose text reads as a number or a placeholder.
    ``place``: where a table row is in the page ("table 2, row 5": the page's second
    ``<table>``, its fifth ``<tr>``, nested tables' rows counted), for cells' ``source_ref``.
    """

    cells: tuple[str, ...]
    chars: int = 0
    link_chars: int = 0
    images: int = 0
    heading: bool = False
    row: bool = False
    merged: bool = False
    place: str = ""

    @property
    def linked(self) -> bool:
        """Mostly link text (a menu, a breadcrumb, an attachment list); a heading never is."""
        return not self.heading and self.chars > 0 and 2 * self.link_chars >= self.chars


def read_html(source: str, *, data: bytes) -> Document:
    """Read a saved HTML page into physical rows of cells and its visible text.

    Args:
        source: the file name, used in error messages and provenance.
        data: the page's bytes; the ``<meta>`` charset decides the encoding when present.

    Raises:
        EmptyInputError: the page shows no text at all.
        NoTablesError: the report's tables are images (no table text, images in their place).
        UnsupportedInputError: the report's tables are written by a script.
        RefusedInputError: the page is beyond the parser's limits even once tamed (see
            :func:`~govreports.readers.html_markup.tame`), its tables are nested deeper than
            :data:`~govreports.readers.html_markup.DEEPEST_TABLE` elements, or it shows no text
            above the :data:`~govreports.readers.html_markup.DEEPEST` levels read.

    >>> doc = read_html("r.html", data="<table><tr><td>行政许可</td><td>1<span>2</span></td>".encode())
    >>> doc.rows[0].cells, doc.encoding
    (('行政许可', '12'), 'utf-8')
    """
    text, encoding = _decode(data, source)
    markup = text.encode("utf-8")
    root, limit = _parse(markup)
    tamed: Tamed | None = None
    if limit is not None:  # libxml2 stopped there: the rest of the page would be lost
        tamed = tame(markup)
        markup = tamed.markup
        root, limit = _parse(markup)
        if limit is not None:
            raise RefusedInputError(source, f"refused: the page is beyond the HTML parser's limits ({limit})")
    walker = _Walker(find_looks(root, markup) if root is not None else PLAIN)
    if root is not None:
        if tamed is None:  # a tamed page's tables are not numbered: some of the file's were left out
            # Tables are numbered in document order, hidden, empty and layout ones included.
            walker.tables = {table: number for number, table in enumerate(root.iter("table"), 1)}
        walker.walk(root)
    blocks = walker.blocks
    if not any(block.chars for block in blocks):
        _refuse_unreachable_tables(root, [], source, tamed)
        if tamed is not None and tamed.dropped:
            raise RefusedInputError(
                source,
                f"refused: the page shows no text above the {DEEPEST} levels of nesting that are read",
            )
        raise EmptyInputError(source, "empty input: the page shows no text")
    if blocks[-1].row and _cut_short(text):
        blocks.pop()  # the file ends inside this row: its last cell may hold half a number
    body = [block for block in blocks if not block.linked]
    body = body[_report_start(body) :]
    if not any(_is_table_text(block) for block in body):
        _refuse_unreachable_tables(root, body, source, tamed)
    texts = _texts(body)
    rows = [RawRow(block.cells, line) for line, block in enumerate(texts, 1)]
    places = {line: block.place for line, block in enumerate(texts, 1) if block.place}
    return Document(source, rows_text(rows), rows, encoding, line_places=places)


def _cut_short(text: str) -> bool:
    """Tell a page that ends inside a table cell or a run of text (a truncated download).

    lxml closes every open element silently, so the only trace is where the markup stops.

    >>> _cut_short("<td>1<span>2</span>"), _cut_short("<td>12</td></tr></table>")
    (True, False)
    """
    return not text.rstrip()[-_LONGEST_END:].lower().endswith(_WHOLE_ENDS)


def _parser() -> etree.HTMLParser:
    # A parser per call: lxml parsers must not be shared between threads. The input is already
    # decoded, so the encoding is fixed and a <meta> in the page cannot switch it.
    return etree.HTMLParser(
        encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True, huge_tree=False
    )


def _parse(markup: bytes) -> tuple[etree._Element | None, str | None]:
    """Parse the page; return its root and, where libxml2 stopped at one of its limits, which.

    >>> _parse(b"<p>1</p>")[1] is None, _parse(b"<div>" * 300)[1]
    (True, 'Excessive depth in document: 256, use XML_PARSE_HUGE option')
    """
    parser = _parser()
    root = etree.fromstring(markup, parser)
    error = parser.error_log.last_error
    if error is not None and error.type == _RESOURCE_LIMIT:
        return root, error.message.strip()
    return root, None


_RESOURCE_LIMIT = etree.ErrorTypes.ERR_RESOURCE_LIMIT


def _texts(blocks: list[_Block]) -> list[_Block]:
    """Blocks that carry text (image markers and empty paragraphs dropped)."""
    return [block for block in blocks if block.cells]


def _decode(data: bytes, source: str) -> tuple[str, str]:
    """Decode with the charset the page declares, else UTF-8 or GB18030, else detect as for text.

    A byte-order mark wins over the declaration (as in browsers). A character cut in half at
    the end of the file (a truncated download) is dropped rather than failing the whole
    page over to another encoding; a declaration the bytes do not fit (a GBK page labelled
    UTF-8) falls back to the others rather than to mojibake.

    >>> _decode('<meta charset="gbk"><p>规章'.encode("gbk"), "x.html")
    ('<meta charset="gbk"><p>规章', 'gbk')
    >>> _decode("<p>规章".encode()[:-1], "x.html")
    ('<p>规', 'utf-8')
    """
    if data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return decode(data, source)
    declared = _declared_charset(data)
    for name in dict.fromkeys(n for n in (declared, "utf-8", "gb18030") if n):
        codec = "gb18030" if name in _GB_FAMILY else name  # a superset: GBK pages use it
        try:
            return codecs.getincrementaldecoder(codec)().decode(data, final=False), name
        except UnicodeDecodeError:
            continue
    return decode(data, source)


def _declared_charset(data: bytes) -> str | None:
    """Return the codec named by ``<meta charset>`` or ``<meta http-equiv content="…; charset=…">``.

    >>> _declared_charset(b'<meta http-equiv="Content-Type" content="text/html; charset=GB2312">')
    'gb2312'
    """
    # The declaration is ASCII in the page's head: parse the first bytes as Latin-1, which
    # never fails, like a browser's prescan.
    parser = etree.HTMLParser(encoding="iso-8859-1", remove_comments=True, no_network=True)
    head = etree.fromstring(data[:_PRESCAN_BYTES], parser)
    if head is None:
        return None
    labels = _META_CHARSETS(head) + [value.lower().partition("charset=")[2] for value in _META_CONTENTS(head)]
    for label in labels:
        try:
            name = codecs.lookup(label.strip().strip("'\";").strip()).name
        except LookupError:
            continue
        if name.startswith("utf-16"):
            return "utf-8"  # a UTF-16 page could not have been prescanned as ASCII
        return None if name in _UNTRUSTED_CHARSETS else name
    return None


# Attribute values (strings), as lxml returns them for these queries.
_META_CHARSETS = cast("Callable[[etree._Element], list[str]]", etree.XPath("//meta/@charset"))
_META_CONTENTS = cast("Callable[[etree._Element], list[str]]", etree.XPath("//meta/@content"))


def _clean(text: str) -> str:
    r"""Normalise whitespace: runs become one space, dropped next to a Chinese character.

    >>> _clean(" 本年新\r\n 制作数量\xa0"), _clean("1 234"), _clean("\xa0")
    ('本年新制作数量', '1 234', '')
    """
    if text.isprintable() and " " not in text:
        return text  # no whitespace and no invisible characters: most cells
    tokens = text.translate(_INVISIBLE).split()
    if len(tokens) < 2:
        return tokens[0] if tokens else ""
    joined = [tokens[0]]
    for token in tokens[1:]:
        wide = joined[-1][-1] >= _WIDE or token[0] >= _WIDE
        joined.append(token if wide else " " + token)
    return "".join(joined)


@dataclass
class _Walker:
    """Walks an element tree in document order and cuts it into paragraphs and table rows.

    ``looks`` says what the page hides, fades and raises (see
    :func:`~govreports.readers.html_style.find_looks`); ``state`` is the look the walk starts
    in: ``(invisible, zero size)`` inherited from outside the root.
    """

    looks: Looks = PLAIN
    state: tuple[bool, bool] = SHOWN
    blocks: list[_Block] = field(default_factory=list)
    tables: dict[etree._Element, int] = field(default_factory=dict)  # each table's number in the page
    _parts: list[str] = field(default_factory=list)
    _chars: int = 0
    _link_chars: int = 0
    _links: list[etree._Element] = field(default_factory=list)
    _headings: list[etree._Element] = field(default_factory=list)
    _raised: list[etree._Element] = field(default_factory=list)
    _states: list[tuple[etree._Element, tuple[bool, bool]]] = field(default_factory=list)
    _shown: bool = True  # the text met now is shown: state is SHOWN

    def __post_init__(self) -> None:
        self._shown = self.state == SHOWN

    def walk(self, root: etree._Element) -> None:
        """Cut ``root`` (its tail excluded) into blocks."""
        events = etree.iterwalk(root, events=("start", "end"))
        for event, element in events:
            if event == "start":
                if self._start(element):
                    events.skip_subtree()  # the "end" event still comes, for the tail
            else:
                self._end(element, with_tail=element is not root)
        self._flush()

    def _start(self, element: etree._Element) -> bool:
        """Handle an opening tag; return True when its content must not be walked."""
        tag = element.tag
        if not isinstance(tag, str) or tag in _SKIP or self.looks.active and self._looked(element):
            return True
        if tag not in _SPECIAL:  # a run of text (span, font, b, o:p): most elements
            self._add(element.text)
            return False
        if tag in _RAISED_TAGS and (not self._raised or self._raised[-1] is not element):
            self._raised.append(element)
        if tag == "img":
            self._flush()
            self.blocks.append(_Block((), images=1))
            return True
        if tag == "table":
            marks = list(element.iter(*_WALK_TAGS))  # the table itself first
            if _is_data_table(element, marks):
                self._flush()
                number = self.tables.get(element, 0)
                self.blocks.extend(_table_rows(element, self.looks, self.state, marks, number))
                return True
        if tag in _BLOCK or tag == "br":
            self._flush()
        if tag == "a":
            self._links.append(element)
        elif tag in _HEADINGS:
            self._headings.append(element)
        self._add(element.text)
        return False

    def _looked(self, element: etree._Element) -> bool:
        """Apply the element's look (see :class:`~govreports.readers.html_style.Looks`); True when hidden."""
        looks = self.looks
        if element in looks.hidden:
            return True
        look = looks.faded.get(element)
        if look is not None:
            self._states.append((element, self.state))
            self.state = fade(self.state, look)
            self._shown = self.state == SHOWN
        if element in looks.raised:
            self._raised.append(element)
        return False

    def _end(self, element: etree._Element, *, with_tail: bool) -> None:
        tag = element.tag
        if isinstance(tag, str) and tag in _BLOCK:
            self._flush()
        for stack in (self._links, self._headings):
            if stack and stack[-1] is element:
                stack.pop()
        if self._raised and self._raised[-1] is element:
            self._raised_end()
            self._raised.pop()
        if self._states and self._states[-1][0] is element:
            self.state = self._states.pop()[1]
            self._shown = self.state == SHOWN
        if with_tail:
            self._add(element.tail)

    def _add(self, text: str | None) -> None:
        if text and self._shown:
            if self._raised:
                text = self._raise(text)
            self._parts.append(text)
            chars = len("".join(text.split()))
            self._chars += chars
            self._link_chars += chars if self._links else 0

    def _raise(self, text: str) -> str:
        """Superscript digits for a raised run right after a number: a footnote mark (``179¹``)."""
        before = next((part.rstrip() for part in reversed(self._parts) if part.strip()), "")
        if before and (before[-1] in "0123456789" or before[-1] in _MARK_DIGITS):
            return text.translate(SUPERSCRIPT_DIGITS)
        return text

    def _raised_end(self) -> None:
        """End a raised run: its digits are kept apart from digits that follow (``1⁷ 9``, ``1 79``)."""
        last = self._parts[-1][-1:] if self._parts else ""
        if last and (last in "0123456789" or last in _MARK_DIGITS):
            self._parts.append(" ")

    def _flush(self) -> None:
        if self._parts:
            text = _clean("".join(self._parts))
            if text:
                block = _Block((text,), self._chars, self._link_chars, heading=bool(self._headings))
                self.blocks.append(block)
            self._parts.clear()
        self._chars = self._link_chars = 0


_MARK_DIGITS = frozenset("0123456789".translate(SUPERSCRIPT_DIGITS))


def _is_data_table(table: etree._Element, marks: list[etree._Element] | None = None) -> bool:
    """Tell a table of cells from page layout: no table inside it, and some row with two cells.

    ``marks``: the table's elements of :data:`_WALK_TAGS`, where the caller has them.
    """
    if marks is None:
        nested = table.find(".//table") is not None
    else:
        nested = any(mark.tag == "table" for mark in marks if mark is not table)
    if nested:
        return False
    return any(sum(1 for c in tr if c.tag in _CELL_TAGS) > 1 for tr in table.iter("tr"))


def _plain_text(td: etree._Element) -> str:
    """Read a cell of text runs in one paragraph (most cells) in one go."""
    return _clean(_tostring(td, method="text", encoding=str, with_tail=False))


_tostring = etree.tostring


def _walked_cell(td: etree._Element, looks: Looks, state: tuple[bool, bool]) -> _Block:
    """Read a cell with paragraphs, line breaks, links or hidden parts: paragraphs joined."""
    walker = _Walker(looks, state)
    walker.walk(td)
    blocks = walker.blocks
    text = _clean(" ".join(block.cells[0] for block in blocks if block.cells))
    chars = sum(block.chars for block in blocks)
    links = sum(block.link_chars for block in blocks)
    return _Block((text,), chars, links, images=sum(block.images for block in blocks))


def _cells_to_walk(
    table: etree._Element, marked: set[etree._Element], tagged: list[etree._Element] | None = None
) -> set[etree._Element]:
    """Find the cells that do not read as their plain text (see :data:`_WALK_TAGS`).

    The elements that make a cell so are few, and lxml finds them (by tag, and the second
    paragraphs by XPath) without a Python loop over every run of every cell. ``tagged``: the
    table's elements of :data:`_WALK_TAGS`, where the caller has them.
    """
    tagged = list(table.iter(*_WALK_TAGS)) if tagged is None else tagged
    marks = [*tagged, *_SECOND_PARAGRAPHS(table), *marked]
    cells = (
        mark if mark.tag in _CELL_TAGS else next(mark.iterancestors(*_CELL_TAGS), None) for mark in marks
    )
    return {cell for cell in cells if cell is not None}


def _span(td: etree._Element, name: str, limit: int) -> int:
    value = td.get(name)
    if value is None:
        return 1
    match = _SPAN_VALUE.search(value)
    span = int(match.group()) if match else 1
    return limit if name == "rowspan" and span == 0 else min(max(span, 1), limit)


@dataclass(slots=True)
class _Carried:
    """A cell that spans down from an earlier row: where it sits and how many rows it has left."""

    start: int
    width: int
    rows_left: int
    cell: _Block
    numeric: bool = False  # the cell's text reads as a number: each copy of it is one too many


def _table_rows(
    table: etree._Element,
    looks: Looks = PLAIN,
    state: tuple[bool, bool] = SHOWN,
    tagged: list[etree._Element] | None = None,
    number: int = 0,
) -> list[_Block]:
    """Read a data table: one cell per ``<td>``, with rowspan cells repeated below.

    A number in a rowspan cell is printed once for several cells: it and its copies are marked.
    ``tagged``: the table's elements of :data:`_WALK_TAGS`, where the caller has them;
    ``number``: the table's number in the page, which the rows' ``place`` names (0: none).

    >>> html = '<table><tr><td rowspan="2">（三）不予公开</td><td>1.属于国家秘密</td>'
    >>> html += '<td colspan="2">3</td></tr><tr><td>2.其他法律行政法规禁止公开</td><td>&nbsp;</td></tr>'
    >>> [row.cells for row in _table_rows(etree.fromstring(html, etree.HTMLParser()).find(".//table"))]
    [('（三）不予公开', '1.属于国家秘密', '3'), ('（三）不予公开', '2.其他法律行政法规禁止公开', '')]
    >>> html = '<table><tr><td>行政复议</td><td rowspan="2">3</td></tr><tr><td>行政诉讼</td></tr>'
    >>> [row.cells for row in _table_rows(etree.fromstring(html, etree.HTMLParser()).find(".//table"))]
    [('行政复议', '3 ⊞'), ('行政诉讼', '3 ⊞')]
    """
    # A hidden row or cell is not shown, so it is no cell at all (not a blank one).
    marked = looks.inside(table)
    hidden = looks.hidden & marked if marked else frozenset()
    walked = _cells_to_walk(table, marked, tagged)
    looked = bool(marked or looks.faded)  # rows may be hidden or faded
    carried: list[_Carried] = []
    rows: list[_Block] = []
    spanned: list[tuple[int, list[_Block | str]]] = []  # the rows placed among cells spanning down
    for position, tr in enumerate(table.iter("tr"), 1):
        row_state = _row_state(table, tr, looks, state) if looked else state
        if row_state is None:
            continue
        place = f"table {number}, row {position}" if number else ""
        tds = [c for c in tr if c.tag in _CELL_TAGS and c not in hidden]
        shown = row_state is SHOWN or row_state == SHOWN
        spans = carried or any(td.get("rowspan") is not None for td in tds)
        if shown and not spans and (not walked or walked.isdisjoint(tds)):
            # Most rows: cells of plain text, none spanning down. A plain cell has no link
            # text and no image, so neither has the row.
            texts = tuple([_plain_text(td) for td in tds])
            rows.append(_Block(texts, sum(map(len, texts)), 0, row=True, place=place))
            continue
        # A plain cell is read as its text alone (a block only where it spans down).
        if shown:
            cells = [_walked_cell(c, looks, row_state) if c in walked else _plain_text(c) for c in tds]
        else:  # every cell is invisible, unless a part of it shows again
            cells = [_walked_cell(c, looks, row_state) for c in tds]
        if spans:
            cells, carried = _grid_row(tds, cells, carried)
            spanned.append((len(rows), cells))
        block = _row_block(cells)
        block.place = place
        rows.append(block)
    for index, cells in spanned:
        if any(type(c) is _Block and c.merged for c in cells):  # a number in it spans down
            texts = tuple([_cell_text(c, marked=True) for c in cells])
            old = rows[index]
            rows[index] = _Block(texts, old.chars, old.link_chars, old.images, row=True, place=old.place)
    return rows


def _cell_text(cell: _Block | str, *, marked: bool = False) -> str:
    """Return a cell's text, read as a block or as plain text; ``marked``: a merged cell marked so."""
    if type(cell) is not _Block:
        return cell
    return merged(cell.cells[0]) if marked and cell.merged else cell.cells[0]


def _row_block(cells: list[_Block | str]) -> _Block:
    """Make a table row of its cells, read as blocks or as plain text.

    A row is chrome only when each of its cells is: a data row whose label is a link (portals
    link keywords such as 行政许可) keeps its values. A plain cell with text is no link.
    """
    texts: list[str] = []
    chars = images = 0
    linked = True
    for cell in cells:
        if type(cell) is not _Block:
            texts.append(cell)
            chars += len(cell)
            linked = linked and not cell
        else:
            texts.append(cell.cells[0])
            chars += cell.chars
            images += cell.images
            linked = linked and (not cell.chars or cell.linked)
    return _Block(tuple(texts), chars, chars if linked else 0, images=images, row=True)


def _row_state(
    table: etree._Element, tr: etree._Element, looks: Looks, state: tuple[bool, bool]
) -> tuple[bool, bool] | None:
    """Return the look a row's cells inherit, or None when the row or its group is hidden.

    The look is the table's, then its row group's, then the row's own.
    """
    between = []
    for element in (tr, *tr.iterancestors()):
        if element is table:
            break
        if element in looks.hidden:
            return None
        between.append(element)
    for element in reversed(between):
        look = looks.faded.get(element)
        if look is not None:
            state = fade(state, look)
    return state


def _grid_row(
    tds: list[etree._Element], read: list[_Block | str], carried: list[_Carried]
) -> tuple[list[_Block | str], list[_Carried]]:
    """Place one row's cells among those spanning down from above; return them and the new spans.

    Grid positions count ``colspan`` so that spans land in the right place, but each ``<td>``
    yields one cell only. A cell that lands in a later row and reads as a number is marked
    ``merged``, in that row and in its own. A cell read as plain text becomes a block where it
    spans down.
    """
    above = deque(sorted(carried, key=lambda span: span.start))
    cells: list[_Block | str] = []
    below: list[_Carried] = []
    column = 0

    def take_above(*, rest: bool = False) -> None:
        nonlocal column
        while above and (rest or above[0].start <= column):
            span = above.popleft()
            cells.append(span.cell)
            if span.numeric:
                span.cell.merged = True
            column = max(column, span.start + span.width)
            if span.rows_left > 1:
                below.append(_Carried(span.start, span.width, span.rows_left - 1, span.cell, span.numeric))

    for td, cell in zip(tds, read, strict=True):
        if above and above[0].start <= column:
            take_above()
        colspan, rowspan = td.get("colspan"), td.get("rowspan")
        width = 1 if colspan is None else _span(td, "colspan", _MAX_COLSPAN)
        height = 1 if rowspan is None else _span(td, "rowspan", _MAX_ROWSPAN)
        if height > 1 and column < _WIDEST:
            block = cell if type(cell) is _Block else _Block((cell,), len(cell))
            cells.append(block)
            text = block.cells[0]
            below.append(_Carried(column, width, height - 1, block, bool(text) and looks_numeric(text)))
        else:
            cells.append(cell)
        column += width
    take_above(rest=True)
    return cells, below


def _report_start(blocks: list[_Block]) -> int:
    """Index of the report's title among the first blocks, or 0 when no title is found.

    What comes before the title is page furniture (site name, breadcrumb, an index table)
    that would otherwise be taken for the title. The search stops at the first table heading.
    """
    for index, block in enumerate(blocks[:_TITLE_SEARCH]):
        text = block.cells[0] if block.cells else ""
        if "第二十条" in text:
            break
        if len(block.cells) == 1 and "信息公开" in text and len(text) <= 80:
            title = find_title(text)
            if title is not None and title.organ and title.year:
                return index
    return 0


def _refuse_unreachable_tables(
    root: etree._Element | None, blocks: list[_Block], source: str, tamed: Tamed | None
) -> None:
    """Raise when the page shows no table text because its tables are out of reach.

    Written by a script: :class:`UnsupportedInputError`. Nested deeper than the levels read
    (see :func:`~govreports.readers.html_markup.tame`): :class:`RefusedInputError`. Images
    where the tables should be: :class:`NoTablesError`; the images count from the first heading
    of sections 二–四 (or the top, if none is printed) up to section 五 or 六, so a logo, a
    photo in the summary or a seal at the end does not. Otherwise the page is left to the
    caller's report check.
    """
    if root is not None and _scripted_tables(root):
        raise UnsupportedInputError(
            source,
            "tables are generated by script: the page's scripts write the report's tables "
            "(document.write, innerHTML), and scripts are not run; save the page as the browser shows it",
        )
    if tamed is not None and tamed.cells:
        raise RefusedInputError(
            source,
            f"refused: the page's tables are nested more than {DEEPEST_TABLE} elements deep "
            f"({tamed.cells} table cells out of reach)",
        )
    if not any("信息公开" in block.cells[0] for block in blocks if block.cells):
        return  # not a report: left to the caller's report check
    texts = [block.cells[0] if len(block.cells) == 1 else "" for block in blocks]
    first = next((i for i, t in enumerate(texts) if _TABLE_SECTION.match(t)), 0)
    last = next((i for i, t in enumerate(texts) if i > first and _AFTER_TABLES.match(t)), len(blocks))
    images = sum(block.images for block in blocks[first:last])
    if images:
        raise NoTablesError(
            source, f"tables are images ({images} images in the report); OCR is not supported"
        )


def _label_words(*tables: TableSpec) -> frozenset[str]:
    return frozenset(f.lstrip("=") for table in tables for row in table.rows for f in row.match)


# Words of the report tables in a script. Row labels that portal menus print too (行政许可,
# 行政复议) count only beside table markup; the labels of 表三 and the template's headers are
# found nowhere but in the tables.
_TABLE_WORDS = _label_words(*TABLES.values())
_TABLES_ONLY_WORDS = (
    (_label_words(APPLICATIONS) - {"3.其他", "(七)总计", "(六)其他处理"})
    | {"未经复议直接起诉", "复议后起诉"}
    | {w for words in TEMPLATE_MARKERS.values() for w in words}
)
_SCRIPT_TABLE_MARKUP = re.compile(
    r"<\s*t(?:able|r|d|h)\b|createElement\(\s*['\"]t(?:able|r|d)['\"]|\.insert(?:Row|Cell)\(", re.I
)
_JS_ESCAPE = re.compile(r"\\u\{([0-9a-fA-F]{1,6})\}|\\u([0-9a-fA-F]{4})|\\x([0-9a-fA-F]{2})")


def _scripted_tables(root: etree._Element) -> bool:
    """Tell a page whose scripts hold the report's tables.

    They do when they hold table markup and a row label, or two labels found only in the
    tables (escaped as JavaScript or HTML, or not).

    >>> page = "<script>document.write('<table><tr><td>行政许可</td><td>3</td></tr></table>')</script>"
    >>> _scripted_tables(etree.fromstring(page, etree.HTMLParser()))
    True
    >>> page = "<script>var s = '政府信息公开 第二十条';</script>"
    >>> _scripted_tables(etree.fromstring(page, etree.HTMLParser()))
    False
    """
    code = "\n".join(script.text or "" for script in root.iter("script"))
    if not code.strip():
        return False
    code = _JS_ESCAPE.sub(lambda m: chr(min(int(m[1] or m[2] or m[3], 16), 0x10FFFF)), code)
    code = unescape(code)
    words = "".join(unicodedata.normalize("NFKC", code).split())
    if sum(word in words for word in _TABLES_ONLY_WORDS) >= 2:
        return True
    return _SCRIPT_TABLE_MARKUP.search(code) is not None and any(word in words for word in _TABLE_WORDS)


def _is_table_text(block: _Block) -> bool:
    """Tell a row of several cells, one of which is a row label of 表二, 表三 or 表四."""
    if len(block.cells) < 2:
        return False
    labels = [normalize_label(cell) for cell in block.cells if cell]
    return any(match_row(table, label) for table in TABLES.values() for label in labels)
