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
through a class or id rule of the page's ``<style>``), blocks made mostly of links (menus,
breadcrumbs, 附件下载 lists), and everything before the report's title. Tables nesting other
tables are page layout: their cells are read as paragraphs. A page cut short inside a table
row loses that row (its last cell may hold half a number), a page with no table text but
images where the tables belong raises :class:`NoTablesError`, and one whose tables are
written by a script raises :class:`UnsupportedInputError` (scripts are not run).

Markup that libxml2 refuses to parse past (nesting deeper than 256 elements, one token over
10,000,000 bytes such as a ``data:`` image or a giant paragraph) would lose the rest of the page:
such a page is tamed in one linear pass (see :func:`_tamed`: long tokens keep their two ends,
elements too deep are left out) and parsed again; a page still beyond the limits, or whose
tables are out of reach, raises :class:`RefusedInputError`. Which row is which is decided in
:mod:`govreports.normalize`.

>>> page = "<h1>某县2023年政府信息公开工作年度报告</h1><table><tr><td>规章</td><td>0</td>"
>>> [row.cells for row in read_html("r.html", data=page.encode()).rows]
[('某县2023年政府信息公开工作年度报告',), ('规章', '0')]
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections import deque
from dataclasses import dataclass, field
from html import unescape

from lxml import etree

from govreports.cells import SUPERSCRIPT_DIGITS, looks_numeric, merged
from govreports.errors import EmptyInputError, NoTablesError, RefusedInputError, UnsupportedInputError
from govreports.readers.document import Document, RawRow
from govreports.readers.text import decode
from govreports.schema import APPLICATIONS, TABLES, TEMPLATE_MARKERS, match_row, normalize_label
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
_SECOND_PARAGRAPHS = etree.XPath(".//p[preceding-sibling::*[1][self::p]]")
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
_TITLE_SEARCH = 80  # blocks; the title is near the top of the page

# --- what a page hides or raises -------------------------------------------------------------

# Markup that may hide text, besides the word "hidden" (the attribute, visibility) and a
# character reference (a style spelt with &#58;): display:none, a zero font size.
_DISPLAY_NONE = re.compile(rb"display\s*:\s*none")
_ZERO_FONT = re.compile(rb"font-size\s*:\s*\+?\.?0")
# The style attributes of a page, as the parser decoded them (references such as &#58; too),
# and a place where the markup may have a ``hidden`` attribute (not type=hidden, not
# visibility:hidden).
_STYLE_VALUES = etree.XPath("//@style", smart_strings=False)
_HIDDEN_WORD = re.compile(rb"hidden(?=[\s=>/])")
_WITH_HIDDEN = etree.XPath("//*[@hidden]")
# Up to this many distinct style values that hide or raise are looked up by one XPath query.
_XPATH_VALUES = 32
_CSS_COMMENT = re.compile(r"/\*.*?(?:\*/|$)|<!--|-->", re.S)
_CSS_BRACE = re.compile(r"[{}]")
_CSS_SELECTOR = re.compile(r"([a-z][a-z0-9]*)?((?:[.#][\w-]+)+)", re.I)
_CSS_PART = re.compile(r"([.#])([\w-]+)")
_ZERO_SIZE = re.compile(r"\+?(?:0+\.?0*|\.0+)(?:[a-z]+|%)?")
_RELATIVE_SIZE = re.compile(r"[\d.]+(?:em|ex|ch|%)|larger|smaller|inherit|unset|revert")
# Media queries on the width of the screen, which is taken to be a desktop's.
_MEDIA_WIDTH = re.compile(r"(min|max)-(?:device-)?width\s*:\s*(\d+)")
_SCREEN_WIDTH = 1280
# Beyond this many class and id names in hiding rules, elements are matched in Python rather
# than by one XPath query.
_XPATH_NAMES = 64


def _display(value: str) -> bool | None:
    return value == "none"


def _visibility(value: str) -> bool | None:
    if value in ("hidden", "collapse"):
        return True
    return False if value in ("visible", "initial") else None


def _font_size(value: str) -> bool | None:
    if _ZERO_SIZE.fullmatch(value):
        return True
    # A size relative to a zero size is zero: only an absolute size shows text again.
    return None if _RELATIVE_SIZE.fullmatch(value) or not value else False


def _vertical_align(value: str) -> bool | None:
    return value in ("super", "sub")


# CSS properties that decide whether text is shown or raised: True where the value hides (or
# raises), False where it shows again, None where it leaves the inherited look.
_PROPERTIES = {
    "display": _display,
    "visibility": _visibility,
    "font-size": _font_size,
    "vertical-align": _vertical_align,
}


def _declarations(css: str) -> dict[str, bool | None]:
    """Return the looks a declaration block sets (see :data:`_PROPERTIES`); later ones win.

    >>> _declarations("color:red; DISPLAY : None !important; font-size:0pt")
    {'display': True, 'font-size': True}
    >>> _declarations("font-size:10.5pt;visibility:visible;vertical-align:super")
    {'font-size': False, 'visibility': False, 'vertical-align': True}
    """
    found: dict[str, bool | None] = {}
    for declaration in css.split(";"):
        name, colon, value = declaration.partition(":")
        name = name.strip().lower()
        if colon and name in _PROPERTIES:
            value = value.lower().replace("!important", "").strip()
            found[name] = _PROPERTIES[name](value)
    return found


@dataclass(frozen=True, slots=True)
class _Selector:
    """A simple CSS selector: an optional tag with classes and ids (``td.x``, ``.a.b``, ``#n``)."""

    tag: str | None
    classes: frozenset[str]
    ids: frozenset[str]

    def matches(self, element: etree._Element, classes: set[str]) -> bool:
        return (
            (self.tag is None or element.tag == self.tag)
            and self.classes <= classes
            and all(element.get("id") == name for name in self.ids)
        )


def _selector(text: str) -> _Selector | None:
    """Parse a simple selector; None for anything else (descendants, attributes, pseudo-classes).

    >>> selector = _selector(" span.x.y ")
    >>> selector.tag, sorted(selector.classes), _selector(".nav li")
    ('span', ['x', 'y'], None)
    """
    match = _CSS_SELECTOR.fullmatch(text.strip())
    if match is None:
        return None
    parts = _CSS_PART.findall(match.group(2))
    classes = frozenset(name for kind, name in parts if kind == ".")
    ids = frozenset(name for kind, name in parts if kind == "#")
    return _Selector(match.group(1) and match.group(1).lower(), classes, ids)


def _media_applies(prelude: str) -> bool:
    """Tell an at-rule whose rules apply on a desktop screen (``@media screen``, ``@supports``).

    >>> _media_applies("@media print"), _media_applies("@media screen and (max-width: 600px)")
    (False, False)
    """
    words = prelude.lower()
    if not words.startswith("@media"):
        return words.startswith("@supports")
    if "print" in words or "speech" in words:
        return "screen" in words or "all" in words
    widths = _MEDIA_WIDTH.findall(words)
    return all(int(w) >= _SCREEN_WIDTH if kind == "max" else int(w) <= _SCREEN_WIDTH for kind, w in widths)


def _css_rules(sheet: str) -> list[tuple[_Selector, dict[str, bool | None]]]:
    """Return the rules of a style sheet that set a look (see :data:`_PROPERTIES`), in order.

    Only simple selectors count (see :func:`_selector`); rules inside ``@media print`` and
    other at-rules that do not apply on screen are left out. One pass over the sheet.

    >>> rules = _css_rules("<!-- .x, td#n {display:none} @media print {.y{display:none}} -->")
    >>> [(sorted(s.classes | s.ids), d) for s, d in rules]
    [(['x'], {'display': True}), (['n'], {'display': True})]
    """
    sheet = _CSS_COMMENT.sub(" ", sheet)
    rules: list[tuple[_Selector, dict[str, bool | None]]] = []
    blocks: list[tuple[str, bool]] = []  # the open blocks: their prelude, and whether they apply
    inapplicable = 0
    start = 0
    for brace in _CSS_BRACE.finditer(sheet):
        if brace.group() == "{":
            prelude = sheet[start : brace.start()].rpartition(";")[2].strip()
            applies = _media_applies(prelude) if prelude.startswith("@") else not blocks or blocks[-1][1]
            # A rule's own block holds declarations; nested rules count only in at-rules.
            applies = applies and (not blocks or blocks[-1][0].startswith("@"))
            blocks.append((prelude, applies))
            inapplicable += not applies
        elif blocks:
            prelude, applies = blocks.pop()
            inapplicable -= not applies
            if applies and not inapplicable and not prelude.startswith("@"):
                declarations = _declarations(sheet[start : brace.start()])
                if declarations:
                    selectors = (_selector(part) for part in prelude.split(","))
                    rules.extend((s, declarations) for s in selectors if s is not None)
        start = brace.end()
    return rules


class _Looks:
    """What a page does to the look of its elements.

    ``hidden``: elements not displayed at all (``display:none``, the ``hidden`` attribute),
    with their content. ``faded``: elements whose text is invisible or visible again, as
    ``(visibility, font size)`` looks (see :data:`_PROPERTIES`), inherited by their content.
    ``raised``: elements styled as superscripts or subscripts (``<sup>`` and ``<sub>`` are
    known by their tag). ``active``: any of them is not empty.
    """

    __slots__ = ("hidden", "faded", "raised", "active", "_tables")

    def __init__(
        self,
        hidden: set[etree._Element] | frozenset[etree._Element] = frozenset(),
        faded: dict[etree._Element, tuple[bool | None, bool | None]] | None = None,
        raised: set[etree._Element] | frozenset[etree._Element] = frozenset(),
    ) -> None:
        self.hidden, self.faded, self.raised = hidden, faded or {}, raised
        self.active = bool(hidden or faded or raised)
        self._tables: dict[etree._Element | None, set[etree._Element]] = {}

    def inside(self, table: etree._Element) -> set[etree._Element]:
        """Find the elements of a data table (which holds no table) that are hidden, faded or raised."""
        if not self.active:
            return set()
        if not self._tables:  # grouped once, by the nearest table around each element
            self._tables[None] = set()
            for element in (*self.hidden, *self.faded, *self.raised):
                self._tables.setdefault(next(element.iterancestors("table"), None), set()).add(element)
        return self._tables.get(table, set())


_PLAIN = _Looks()
_SHOWN = (False, False)  # the look of text that is shown: (invisible, zero size)


def _looks(root: etree._Element, markup: bytes) -> _Looks:
    """Find what the page hides, fades and raises.

    Looks come from inline styles, the ``hidden`` attribute and the simple class and id rules
    of the page's ``<style>`` elements (an inline style wins over a rule, a later rule over an
    earlier one). One search of the markup tells a page that cannot hide or raise anything
    (most pages), which is then read without looking at any element's style.

    >>> page = b"<style>.x{display:none}</style><p>1<b class=x>9</b><i style='vertical-align:sub'>2</i>"
    >>> looks = _looks(etree.fromstring(page, etree.HTMLParser()), page)
    >>> [e.tag for e in looks.hidden], [e.tag for e in looks.raised]
    (['b'], ['i'])
    """
    lowered = markup.lower()  # ASCII only: what UTF-8 markup is written in
    # Separate searches for literal words: much faster than one search for any of them.
    spelt = b"&#" in lowered
    may_hide = (
        spelt
        or b"hidden" in lowered
        or _DISPLAY_NONE.search(lowered) is not None
        or _ZERO_FONT.search(lowered) is not None
    )
    may_raise = spelt or b"vertical-align" in lowered  # <sup> and <sub> are known by their tag
    if not (may_hide or may_raise):
        return _PLAIN
    sheets = [s.text or "" for s in root.iter("style") if _media_applies(f"@media {s.get('media') or 'all'}")]
    rules = _Rules(_css_rules("\n".join(sheets)) if any(sheets) else [])
    elements = dict.fromkeys(rules.candidates(root))
    elements.update(dict.fromkeys(_inline_candidates(root, lowered)))
    hidden: set[etree._Element] = set()
    faded: dict[etree._Element, tuple[bool | None, bool | None]] = {}
    raised: set[etree._Element] = set()
    for element in elements:
        declarations = rules.declarations(element)
        if element.get("hidden") is not None or declarations.get("display"):
            hidden.add(element)
            continue
        look = declarations.get("visibility"), declarations.get("font-size")
        if look != (None, None):
            faded[element] = look
        if declarations.get("vertical-align"):
            raised.add(element)
    if not any(True in look for look in faded.values()):
        return _Looks(hidden, {}, raised)  # nothing is invisible: what shows changes nothing
    _add_looks_inside_invisible(faded, rules)
    return _Looks(hidden, faded, raised)


def _add_looks_inside_invisible(
    faded: dict[etree._Element, tuple[bool | None, bool | None]], rules: _Rules
) -> None:
    """Add the looks set inside invisible elements, where text may be shown again.

    Each element of the outermost invisible subtrees is looked at, once.
    """
    invisible = [element for element, look in faded.items() if True in look]
    for top in invisible:
        if any(a in faded and True in faded[a] for a in top.iterancestors()):
            continue
        for element in top.iter():
            if element is not top and (element.get("style") or element.get("class") or element.get("id")):
                declarations = rules.declarations(element)
                look = declarations.get("visibility"), declarations.get("font-size")
                if look != (None, None):
                    faded[element] = look


def _inline_candidates(root: etree._Element, lowered: bytes) -> list[etree._Element]:
    """Find the elements whose inline style or ``hidden`` attribute may hide or raise them.

    Pages repeat a few style values thousands of times: each distinct value is read once.
    """
    attribute = any(lowered[w.start() - 1 : w.start()] in (b" ", b"\t", b"\n", b"\r", b'"', b"'")
                    for w in _HIDDEN_WORD.finditer(lowered))  # fmt: skip
    found = list(_WITH_HIDDEN(root)) if attribute else []
    values = {v for v in set(_STYLE_VALUES(root)) if True in _declarations(v).values()}
    if not values:
        return found
    if len(values) > _XPATH_VALUES:
        return found + [e for e in root.iter() if e.get("style") in values]
    names = {f"v{i}": value for i, value in enumerate(values)}
    return found + etree.XPath(f"//*[{' or '.join(f'@style=${n}' for n in names)}]")(root, **names)


class _Rules:
    """A page's style rules (see :func:`_css_rules`), indexed by the class or id they name."""

    def __init__(self, rules: list[tuple[_Selector, dict[str, bool | None]]]) -> None:
        self.rules = rules
        self.by_name: dict[str, list[int]] = {}
        for index, (selector, _) in enumerate(rules):
            name = next(iter(selector.ids), None)
            key = f"#{name}" if name is not None else f".{next(iter(selector.classes))}"
            self.by_name.setdefault(key, []).append(index)

    def candidates(self, root: etree._Element) -> list[etree._Element]:
        """Elements that a rule hiding or raising them may select (one XPath query)."""
        names = {
            key
            for key, indexes in self.by_name.items()
            if any(True in self.rules[i][1].values() for i in indexes)
        }
        if not names:
            return []
        if len(names) > _XPATH_NAMES:
            return root.xpath("//*[@class or @id]")
        # A substring test (fast); rules.declarations then matches whole class names.
        tests = [f"@id='{key[1:]}'" if key[0] == "#" else f"contains(@class, '{key[1:]}')" for key in names]
        return root.xpath(f"//*[{' or '.join(tests)}]")

    def declarations(self, element: etree._Element) -> dict[str, bool | None]:
        """Return the looks that the rules, then the inline style, set on an element."""
        classes = set((element.get("class") or "").split())
        declarations: dict[str, bool | None] = {}
        if self.by_name:
            keys = [f".{c}" for c in classes]
            if element.get("id"):
                keys.append(f"#{element.get('id')}")
            for index in sorted({i for key in keys for i in self.by_name.get(key, ())}):
                selector, set_here = self.rules[index]
                if selector.matches(element, classes):
                    declarations |= set_here
        style = element.get("style")
        return declarations | _declarations(style) if style else declarations


def _faded(state: tuple[bool, bool], look: tuple[bool | None, bool | None]) -> tuple[bool, bool]:
    """Return the look of an element's text: its own visibility and size where set, else its parent's."""
    return (state[0] if look[0] is None else look[0], state[1] if look[1] is None else look[1])


@dataclass(slots=True)
class _Block:
    """A paragraph (one cell) or a table row, with how much of its text is link text.

    ``merged``: a cell spanning several rows whose text reads as a number or a placeholder.
    """

    cells: tuple[str, ...]
    chars: int = 0
    link_chars: int = 0
    images: int = 0
    heading: bool = False
    row: bool = False
    merged: bool = False

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
            :func:`_tamed`), its tables are nested deeper than :data:`_DEEPEST_TABLE`
            elements, or it shows no text above the :data:`_DEEPEST` levels read.

    >>> doc = read_html("r.html", data="<table><tr><td>行政许可</td><td>1<span>2</span></td>".encode())
    >>> doc.rows[0].cells, doc.encoding
    (('行政许可', '12'), 'utf-8')
    """
    text, encoding = _decode(data, source)
    markup = text.encode("utf-8")
    root, limit = _parse(markup)
    tamed: _Tamed | None = None
    if limit is not None:  # libxml2 stopped there: the rest of the page would be lost
        tamed = _tamed(markup)
        markup = tamed.markup
        root, limit = _parse(markup)
        if limit is not None:
            raise RefusedInputError(source, f"refused: the page is beyond the HTML parser's limits ({limit})")
    walker = _Walker(_looks(root, markup) if root is not None else _PLAIN)
    if root is not None:
        walker.walk(root)
    blocks = walker.blocks
    if not any(block.chars for block in blocks):
        _refuse_unreachable_tables(root, [], source, tamed)
        if tamed is not None and tamed.dropped:
            raise RefusedInputError(
                source,
                f"refused: the page shows no text above the {_DEEPEST} levels of nesting that are read",
            )
        raise EmptyInputError(source, "empty input: the page shows no text")
    if blocks[-1].row and _cut_short(text):
        blocks.pop()  # the file ends inside this row: its last cell may hold half a number
    body = [block for block in blocks if not block.linked]
    body = body[_report_start(body) :]
    if not any(_is_table_text(block) for block in body):
        _refuse_unreachable_tables(root, body, source, tamed)
    rows = [RawRow(block.cells, line) for line, block in enumerate(_texts(body), 1)]
    return Document(source, "\n".join("\t".join(row.cells) for row in rows), rows, encoding)


def _cut_short(text: str) -> bool:
    """Tell a page that ends inside a table cell or a run of text (a truncated download).

    lxml closes every open element silently, so the only trace is where the markup stops.

    >>> _cut_short("<td>1<span>2</span>"), _cut_short("<td>12</td></tr></table>")
    (True, False)
    """
    return not text.rstrip().lower().endswith(_WHOLE_ENDS)


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
# A page that libxml2 refuses to parse past is tamed (see _tamed). Elements are kept up to this
# depth, table parts up to the second (libxml2 stops at 256, counting elements it adds itself);
# a run of text or a tag longer than _LONGEST bytes keeps its first and last _KEEP bytes
# (libxml2 refuses tokens of 10,000,000).
_DEEPEST, _DEEPEST_TABLE = 128, 192
_LONGEST = 1 << 20
_KEEP = 1 << 13
# A comment's start (group 1), a doctype or processing instruction, or a tag: its "/" if it
# ends an element (group 2) and its name (group 3).
_TOKEN = re.compile(rb"<(?:(!--)|[!?][^>]*>?|(/?)([A-Za-z][^\s/>]{0,31})[^>]*>?)")
_CELL_NAMES = frozenset({b"td", b"th"})
_BREAK = b"<br>"
_TABLE_PARTS = frozenset(b"table caption colgroup col thead tbody tfoot tr td th".split())
# Elements whose text is raw up to their end tag, whatever it holds.
_RAW_TEXT = frozenset(b"script style textarea title xmp iframe noembed noframes plaintext".split())
_RAW_ENDS = {name: re.compile(rb"</" + name + rb"[\s/>]", re.I) for name in _RAW_TEXT}
_VOID = frozenset(
    b"area base basefont bgsound br col embed frame hr img input keygen link meta param source track "
    b"wbr".split()
)
# Elements whose tags, left out, leave a line break so that the text around them stays apart.
_BREAKS = frozenset(
    b"p div table caption tr td th li dt dd ul ol dl h1 h2 h3 h4 h5 h6 pre blockquote section "
    b"article header footer main nav aside form center address figure figcaption".split()
)
# An opening tag closes the nearest open element of the first set, unless one of the second
# set is nearer (<td> closes the open <td>, not one of an outer table); the stack is searched
# _IMPLIED_SEARCH elements down. Block elements close an open <p>.
_IMPLIED_ENDS = {
    b"td": ({b"td", b"th"}, {b"tr", b"table"}),
    b"th": ({b"td", b"th"}, {b"tr", b"table"}),
    b"tr": ({b"tr"}, {b"table"}),
    b"tbody": ({b"tbody", b"thead", b"tfoot"}, {b"table"}),
    b"thead": ({b"tbody", b"thead", b"tfoot"}, {b"table"}),
    b"tfoot": ({b"tbody", b"thead", b"tfoot"}, {b"table"}),
    b"li": ({b"li"}, {b"ul", b"ol"}),
    b"dt": ({b"dt", b"dd"}, {b"dl"}),
    b"dd": ({b"dt", b"dd"}, {b"dl"}),
    b"option": ({b"option"}, {b"select"}),
}
_P_SCOPE = frozenset(b"td th table caption button object applet marquee html".split())
_CLOSES_P = b"p div table ul ol dl h1 h2 h3 h4 h5 h6 pre blockquote section article header footer form hr"
for _name in _CLOSES_P.split():
    _ends, _stops = _IMPLIED_ENDS.get(_name, ((), ()))
    _IMPLIED_ENDS[_name] = (frozenset({*_ends, b"p"}), frozenset({*_stops, *_P_SCOPE}))
_IMPLIED_SEARCH = 16


@dataclass(frozen=True, slots=True)
class _Tamed:
    """A page's markup tamed for libxml2 (see :func:`_tamed`).

    ``dropped``: runs of deep elements left out with their content; ``cells``: table cells
    whose tags were left out for their depth (their text kept).
    """

    markup: bytes
    dropped: int = 0
    cells: int = 0


def _tamed(markup: bytes) -> _Tamed:
    """Make a page parseable without lifting libxml2's limits, in one pass over its markup.

    Elements are kept up to :data:`_DEEPEST` deep (table parts up to :data:`_DEEPEST_TABLE`).
    A run of deeper elements that holds no table cell is left out with its content, as
    libxml2 leaves out what is nested past its limit, but the page goes on after it; one that
    holds table cells (a report inside junk that never closes) keeps its content and its
    table, only the tags too deep are left out, each block leaving a line break. A run of
    text, the text of a raw text element (a script) or a tag longer than :data:`_LONGEST`
    bytes (a ``data:`` image) keeps only its two ends. Tags are found by a scan that knows
    void elements, raw text and the end tags that HTML implies; where it guesses the nesting
    differently from libxml2, the depth left is still far below the limit.

    >>> deep = b"<div>" * 200 + b"deep" + b"</div>" * 200
    >>> tamed = _tamed(b"<p>a</p>" + deep + b"<p>b</p>")
    >>> b"deep" in tamed.markup, tamed.markup.count(b"<div>"), tamed.dropped
    (False, 128, 1)
    >>> tamed = _tamed(b"<p>a</p>" + b"<div>" * 200 + b"<table><tr><td>1<td>2</table>")
    >>> tamed.markup.count(b"<div>"), tamed.markup.endswith(b"<table><tr><td>1<td>2</table>")
    (128, True)
    """
    tamer = _Tamer(markup)
    tamer.run()
    return _Tamed(b"".join(tamer.out), tamer.dropped, tamer.cells)


class _Tamer:
    """The scan behind :func:`_tamed`.

    Markup is copied through in runs (``copied`` is where the current run starts) and cut
    where something is left out or shortened. While a run of deep elements is open
    (``region``: its first element's place on the stack), what is kept goes to
    ``region_out``, which joins ``out`` at its end only if it held table cells.
    """

    def __init__(self, markup: bytes) -> None:
        self.markup = markup
        self.out: list[bytes] = []
        self.region_out: list[bytes] = []
        self.region: int | None = None
        self.region_cells = 0
        self.names: list[bytes] = []  # the open elements, outermost first
        self.kept: list[bool] = []  # ... whether each one's tags are kept
        self.depth = 0  # ... how many are
        self.open_count: dict[bytes, int] = {}
        self.copied = 0
        self.dropped = self.cells = 0

    def run(self) -> None:
        markup, size, position = self.markup, len(self.markup), 0
        while position < size:
            token = _TOKEN.search(markup, position)
            start = size if token is None else token.start()
            if start - position > _LONGEST:
                self.cut(position, start, _ends_of(markup, position, start))
            if token is None:
                break
            position = token.end()
            if token.group(1):  # a comment, removed by the parser anyway: left out
                end = markup.find(b"-->", position)
                position = size if end < 0 else end + 3
                self.cut(start, position)
            elif token.group(3) is None:  # a doctype, a processing instruction
                if position - start > _LONGEST:
                    self.cut(start, position, _ends_of(markup, start, position))
            elif token.group(2):
                position = self.close(token.group(3).lower(), start, position)
            else:
                position = self.open(token.group(3).lower(), start, position)
        self.flush(size)
        if self.region is not None:
            self.end_region()

    def flush(self, upto: int) -> None:
        """Write out the markup copied through up to ``upto``."""
        if upto > self.copied:
            (self.out if self.region is None else self.region_out).append(self.markup[self.copied : upto])
            self.copied = upto

    def cut(self, start: int, end: int, instead: bytes = b"") -> None:
        """Leave ``markup[start:end]`` out, writing ``instead`` (one line break for a run of them)."""
        out = self.out if self.region is None else self.region_out
        if start > self.copied:
            out.append(self.markup[self.copied : start])
        elif instead is _BREAK and out and out[-1] is _BREAK:
            instead = b""
        if instead:
            out.append(instead)
        self.copied = end

    def end_region(self) -> None:
        if self.region_cells:
            self.out.extend(self.region_out)
        else:
            self.dropped += 1
        self.region, self.region_out, self.region_cells = None, [], 0

    def pop_to(self, index: int, at: int) -> None:
        """Close the open elements from ``index`` up; a run of deep elements ends at ``at``."""
        for name in self.names[index:]:
            self.open_count[name] -= 1
        self.depth -= sum(self.kept[index:])
        del self.names[index:], self.kept[index:]
        if self.region is not None and index <= self.region:
            self.flush(at)
            self.end_region()

    def close(self, name: bytes, start: int, end: int) -> int:
        """Handle an end tag; return where the scan goes on."""
        if not self.open_count.get(name):
            return end  # a stray end tag: kept, the parser ignores it
        index = len(self.names) - 1
        while self.names[index] != name:
            index -= 1
        if not self.kept[index]:
            if index == len(self.names) - 1:  # the same end tags in a row close a run of these
                count = min(_repeats(self.markup, self.markup[start:end], end), self._left_out_run(name) - 1)
                end += count * (end - start)
                index -= count
            self.cut(start, end, _BREAK if name in _BREAKS else b"")
        self.pop_to(index, end)
        return end

    def _left_out_run(self, name: bytes) -> int:
        """Count the elements named ``name``, all left out, open at the top of the stack."""

        def run_of(size: int) -> bool:
            return self.names[-size:] == [name] * size and not any(self.kept[-size:])

        low, high = 1, 2  # run_of(low) holds; find where it stops holding, doubling then halving
        while high <= len(self.names) and run_of(high):
            low, high = high, 2 * high
        high = min(high, len(self.names) + 1)
        while high - low > 1:
            middle = (low + high) // 2
            low, high = (middle, high) if run_of(middle) else (low, middle)
        return low

    def _any_open(self, names: frozenset[bytes]) -> bool:
        for name in names:
            if self.open_count.get(name):
                return True
        return False

    def open(self, name: bytes, start: int, end: int) -> int:
        """Handle an opening tag; return where the scan goes on (after a raw text element's text)."""
        self.close_implied(name, start)
        kept = self.depth < _DEEPEST or name in _TABLE_PARTS and self.depth < _DEEPEST_TABLE
        if not kept and self.region is None:
            self.flush(start)
            self.region = len(self.names)
        if self.region is not None and name in _CELL_NAMES:
            self.region_cells += 1
            self.cells += not kept
        if not kept:
            self.cut(start, end, _BREAK if name in _BREAKS else b"")
        elif end - start > _LONGEST:
            self.cut(start, end, _ends_of(self.markup, start, end))
        if name in _RAW_TEXT:
            return self.raw_text(name, end, kept)
        if name in _VOID or self.markup.endswith(b"/>", start, end):
            return end
        count = 1
        if not kept:  # the same tag over and over (junk nesting): the run at once
            count += _repeats(self.markup, self.markup[start:end], end)
            if count > 1:
                self.cut(end, end + (count - 1) * (end - start))
                end += (count - 1) * (end - start)
                if name in _CELL_NAMES:
                    self.region_cells += count - 1
                    self.cells += count - 1
        self.names += [name] * count
        self.kept += [kept] * count
        self.depth += kept
        self.open_count[name] = self.open_count.get(name, 0) + count
        return end

    def close_implied(self, name: bytes, at: int) -> None:
        """Close the open element that the opening tag ``name`` ends, as HTML implies."""
        implied = _IMPLIED_ENDS.get(name)
        if implied is None or not self._any_open(implied[0]):
            return
        for index in range(len(self.names) - 1, max(len(self.names) - _IMPLIED_SEARCH, 0) - 1, -1):
            if self.names[index] in implied[1]:
                return
            if self.names[index] in implied[0]:
                self.pop_to(index, at)
                return

    def raw_text(self, name: bytes, start: int, kept: bool) -> int:
        """Keep (or leave out) the text of a raw text element; return where it ends."""
        close = _RAW_ENDS[name].search(self.markup, start)
        end = len(self.markup) if close is None else close.start()
        if not kept:
            self.cut(start, end)
        elif end - start > _LONGEST:
            self.cut(start, end, _ends_of(self.markup, start, end))
        return end


def _repeats(markup: bytes, tag: bytes, at: int) -> int:
    """Count how many times ``tag`` is repeated in ``markup`` from ``at``, in time linear in that.

    >>> _repeats(b"<b><b><b>x", b"<b>", 3), _repeats(b"<b>x", b"<b>", 3)
    (2, 0)
    """
    count, step = 0, 1
    while markup.startswith(tag * step, at + count * len(tag)):
        count += step
        step *= 2
    while step > 1:
        step //= 2
        if markup.startswith(tag * step, at + count * len(tag)):
            count += step
    return count


def _ends_of(markup: bytes, start: int, end: int) -> bytes:
    """``markup[start:end]``, or its first and last :data:`_KEEP` bytes when longer than :data:`_LONGEST`.

    The cuts fall between UTF-8 characters.

    >>> len(_ends_of("规".encode() * (1 << 19), 0, 3 << 19)), _ends_of(b"abc", 1, 3)
    (16380, b'bc')
    """
    if end - start <= _LONGEST:
        return markup[start:end]
    head, tail = start + _KEEP, end - _KEEP
    while markup[head] & 0xC0 == 0x80:
        head -= 1
    while markup[tail] & 0xC0 == 0x80:
        tail += 1
    return markup[start:head] + markup[tail:end]


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
    labels = head.xpath("//meta/@charset") + [
        value.lower().partition("charset=")[2] for value in head.xpath("//meta/@content")
    ]
    for label in labels:
        try:
            name = codecs.lookup(label.strip().strip("'\";").strip()).name
        except LookupError:
            continue
        if name.startswith("utf-16"):
            return "utf-8"  # a UTF-16 page could not have been prescanned as ASCII
        return None if name in _UNTRUSTED_CHARSETS else name
    return None


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

    ``looks`` says what the page hides, fades and raises (see :func:`_looks`); ``state`` is
    the look the walk starts in: ``(invisible, zero size)`` inherited from outside the root.
    """

    looks: _Looks = _PLAIN
    state: tuple[bool, bool] = _SHOWN
    blocks: list[_Block] = field(default_factory=list)
    _parts: list[str] = field(default_factory=list)
    _chars: int = 0
    _link_chars: int = 0
    _links: list[etree._Element] = field(default_factory=list)
    _headings: list[etree._Element] = field(default_factory=list)
    _raised: list[etree._Element] = field(default_factory=list)
    _states: list[tuple[etree._Element, tuple[bool, bool]]] = field(default_factory=list)
    _shown: bool = True  # the text met now is shown: state is _SHOWN

    def __post_init__(self) -> None:
        self._shown = self.state == _SHOWN

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
        if tag == "table" and _is_data_table(element):
            self._flush()
            self.blocks.extend(_table_rows(element, self.looks, self.state))
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
        """Apply the element's look (see :class:`_Looks`); return True when it is hidden."""
        looks = self.looks
        if element in looks.hidden:
            return True
        look = looks.faded.get(element)
        if look is not None:
            self._states.append((element, self.state))
            self.state = _faded(self.state, look)
            self._shown = self.state == _SHOWN
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
            self._shown = self.state == _SHOWN
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


def _is_data_table(table: etree._Element) -> bool:
    """Tell a table of cells from page layout: no table inside it, and some row with two cells."""
    if table.find(".//table") is not None:
        return False
    return any(sum(1 for c in tr if c.tag in _CELL_TAGS) > 1 for tr in table.iter("tr"))


def _plain_cell(td: etree._Element) -> _Block:
    """Read a cell of text runs in one paragraph (most cells) in one go."""
    text = _clean(etree.tostring(td, method="text", encoding=str, with_tail=False))
    return _Block((text,), len(text))


def _walked_cell(td: etree._Element, looks: _Looks, state: tuple[bool, bool]) -> _Block:
    """Read a cell with paragraphs, line breaks, links or hidden parts: paragraphs joined."""
    walker = _Walker(looks, state)
    walker.walk(td)
    blocks = walker.blocks
    text = _clean(" ".join(block.cells[0] for block in blocks if block.cells))
    chars = sum(block.chars for block in blocks)
    links = sum(block.link_chars for block in blocks)
    return _Block((text,), chars, links, images=sum(block.images for block in blocks))


def _cells_to_walk(table: etree._Element, marked: set[etree._Element]) -> set[etree._Element]:
    """Find the cells that do not read as their plain text (see :data:`_WALK_TAGS`).

    The elements that make a cell so are few, and lxml finds them (by tag, and the second
    paragraphs by XPath) without a Python loop over every run of every cell.
    """
    marks = [*table.iter(*_WALK_TAGS), *_SECOND_PARAGRAPHS(table), *marked]
    cells = (
        mark if mark.tag in _CELL_TAGS else next(mark.iterancestors(*_CELL_TAGS), None) for mark in marks
    )
    return {cell for cell in cells if cell is not None}


def _span(td: etree._Element, name: str, limit: int) -> int:
    value = td.get(name)
    if value is None:
        return 1
    match = _SPAN_VALUE.search(value)
    value = int(match.group()) if match else 1
    return limit if name == "rowspan" and value == 0 else min(max(value, 1), limit)


@dataclass(slots=True)
class _Carried:
    """A cell that spans down from an earlier row: where it sits and how many rows it has left."""

    start: int
    width: int
    rows_left: int
    cell: _Block
    numeric: bool = False  # the cell's text reads as a number: each copy of it is one too many


def _table_rows(
    table: etree._Element, looks: _Looks = _PLAIN, state: tuple[bool, bool] = _SHOWN
) -> list[_Block]:
    """Read a data table: one cell per ``<td>``, with rowspan cells repeated below.

    A number in a rowspan cell is printed once for several cells: it and its copies are marked.

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
    walked = _cells_to_walk(table, marked)
    looked = bool(marked or looks.faded)  # rows may be hidden or faded
    carried: list[_Carried] = []
    rows: list[_Block] = []
    spanned: list[tuple[int, list[_Block]]] = []  # the rows placed among cells spanning down
    for tr in table.iter("tr"):
        row_state = _row_state(table, tr, looks, state) if looked else state
        if row_state is None:
            continue
        tds = [c for c in tr if c.tag in _CELL_TAGS and c not in hidden]
        if row_state is _SHOWN or row_state == _SHOWN:
            cells = [_walked_cell(c, looks, row_state) if c in walked else _plain_cell(c) for c in tds]
        else:  # every cell is invisible, unless a part of it shows again
            cells = [_walked_cell(c, looks, row_state) for c in tds]
        if carried or any(td.get("rowspan") is not None for td in tds):
            cells, carried = _grid_row(tds, cells, carried)
            spanned.append((len(rows), cells))
        # A row is chrome only when each of its cells is: a data row whose label is a link
        # (portals link keywords such as 行政许可) keeps its values.
        chars = sum(c.chars for c in cells)
        links = chars if all(c.linked for c in cells if c.chars) else 0
        images = sum(c.images for c in cells)
        rows.append(_Block(tuple([c.cells[0] for c in cells]), chars, links, images=images, row=True))
    for index, cells in spanned:
        if any(cell.merged for cell in cells):  # a number in it was found to span down
            texts = tuple([merged(c.cells[0]) if c.merged else c.cells[0] for c in cells])
            rows[index] = _Block(
                texts, rows[index].chars, rows[index].link_chars, rows[index].images, row=True
            )
    return rows


def _row_state(
    table: etree._Element, tr: etree._Element, looks: _Looks, state: tuple[bool, bool]
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
            state = _faded(state, look)
    return state


def _grid_row(
    tds: list[etree._Element], read: list[_Block], carried: list[_Carried]
) -> tuple[list[_Block], list[_Carried]]:
    """Place one row's cells among those spanning down from above; return them and the new spans.

    Grid positions count ``colspan`` so that spans land in the right place, but each ``<td>``
    yields one cell only. A cell that lands in a later row and reads as a number is marked
    ``merged``, in that row and in its own.
    """
    above = deque(sorted(carried, key=lambda span: span.start))
    cells: list[_Block] = []
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
        take_above()
        width, height = _span(td, "colspan", _MAX_COLSPAN), _span(td, "rowspan", _MAX_ROWSPAN)
        cells.append(cell)
        if height > 1 and column < _WIDEST:
            text = cell.cells[0]
            below.append(_Carried(column, width, height - 1, cell, bool(text) and looks_numeric(text)))
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
    root: etree._Element | None, blocks: list[_Block], source: str, tamed: _Tamed | None
) -> None:
    """Raise when the page shows no table text because its tables are out of reach.

    Written by a script: :class:`UnsupportedInputError`. Nested deeper than the levels read
    (see :func:`_tamed`): :class:`RefusedInputError`. Images where the tables should be:
    :class:`NoTablesError`; the images count from the first heading of sections 二–四 (or the
    top, if none is printed) up to section 五 or 六, so a logo, a photo in the summary or a
    seal at the end does not. Otherwise the page is left to the caller's report check.
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
            f"refused: the page's tables are nested more than {_DEEPEST_TABLE} elements deep "
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


def _label_words(*tables) -> frozenset[str]:
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
