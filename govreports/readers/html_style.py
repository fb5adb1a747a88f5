"""What an HTML page hides, fades and raises: the looks that :mod:`govreports.readers.html` reads by.

A page hides text with the ``hidden`` attribute, ``display:none``, ``visibility:hidden`` or
``font-size:0``, inline or through a class or id rule of its ``<style>`` elements (simple
selectors only; rules of ``@media print`` and other at-rules that do not apply on a desktop
screen are left out), and may show text inside an invisible element again (``visibility:
visible``, an absolute font size). It raises digits into a footnote mark with
``vertical-align: super`` or ``sub``. :func:`find_looks` finds all of this as :class:`Looks`,
which the reader applies as it walks the page; :func:`fade` gives the look text inherits.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

from lxml import etree

# Markup that may hide text, besides the word "hidden" (the attribute, visibility) and a
# character reference (a style spelt with &#58;): display:none, a zero font size.
_DISPLAY_NONE = re.compile(rb"display\s*:\s*none")
_ZERO_FONT = re.compile(rb"font-size\s*:\s*\+?\.?0")
_SPELT = re.compile(rb"&#")
_HIDDEN = re.compile(rb"hidden")
_RAISED = re.compile(rb"vertical-align")
# The style attributes of a page, as the parser decoded them (references such as &#58; too),
# and a place where the markup may have a ``hidden`` attribute (not type=hidden, not
# visibility:hidden). Queries are typed by what they select, which lxml's stubs cannot tell.
_STYLE_VALUES = cast("Callable[[etree._Element], list[str]]", etree.XPath("//@style", smart_strings=False))
_HIDDEN_WORD = re.compile(rb"hidden(?=[\s=>/])")
_WITH_HIDDEN = cast("Callable[[etree._Element], list[etree._Element]]", etree.XPath("//*[@hidden]"))
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


class Looks:
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


PLAIN = Looks()
SHOWN = (False, False)  # the look of text that is shown: (invisible, zero size)


def find_looks(root: etree._Element, markup: bytes) -> Looks:
    """Find what the page hides, fades and raises.

    Looks come from inline styles, the ``hidden`` attribute and the simple class and id rules
    of the page's ``<style>`` elements (an inline style wins over a rule, a later rule over an
    earlier one). One search of the markup tells a page that cannot hide or raise anything
    (most pages), which is then read without looking at any element's style.

    >>> page = b"<style>.x{display:none}</style><p>1<b class=x>9</b><i style='vertical-align:sub'>2</i>"
    >>> looks = find_looks(etree.fromstring(page, etree.HTMLParser()), page)
    >>> [e.tag for e in looks.hidden], [e.tag for e in looks.raised]
    (['b'], ['i'])
    """
    lowered = markup.lower()  # ASCII only: what UTF-8 markup is written in
    # Separate searches for literal words: much faster than one search for any of them (and a
    # compiled pattern finds a literal faster than ``in``, which is slow on a page of &nbsp;).
    spelt = _SPELT.search(lowered) is not None
    may_hide = (
        spelt
        or _HIDDEN.search(lowered) is not None
        or _DISPLAY_NONE.search(lowered) is not None
        or _ZERO_FONT.search(lowered) is not None
    )
    may_raise = spelt or _RAISED.search(lowered) is not None  # <sup> and <sub> are known by their tag
    if not (may_hide or may_raise):
        return PLAIN
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
        return Looks(hidden, {}, raised)  # nothing is invisible: what shows changes nothing
    _add_looks_inside_invisible(faded, rules)
    return Looks(hidden, faded, raised)


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
    query = etree.XPath(f"//*[{' or '.join(f'@style=${n}' for n in names)}]")
    return found + cast("list[etree._Element]", query(root, **names))  # elements, as selected


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
            return cast("list[etree._Element]", root.xpath("//*[@class or @id]"))
        # A substring test (fast); rules.declarations then matches whole class names.
        tests = [f"@id='{key[1:]}'" if key[0] == "#" else f"contains(@class, '{key[1:]}')" for key in names]
        return cast("list[etree._Element]", root.xpath(f"//*[{' or '.join(tests)}]"))

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


def fade(state: tuple[bool, bool], look: tuple[bool | None, bool | None]) -> tuple[bool, bool]:
    """Return the look of an element's text: its own visibility and size where set, else its parent's."""
    return (state[0] if look[0] is None else look[0], state[1] if look[1] is None else look[1])
