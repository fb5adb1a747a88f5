"""Making markup that libxml2 refuses parseable, for :mod:`govreports.readers.html`.

libxml2 stops at nesting deeper than 256 elements and at a token over 10,000,000 bytes (a
``data:`` image, a giant paragraph), and the rest of the page is lost. :func:`tame` rewrites
such a page in one linear pass over its bytes, without lifting those limits: long tokens keep
their two ends and elements too deep are left out, with their content unless they hold table
cells. :class:`Tamed` holds the markup to parse again and what was left out, by which the
reader refuses a page whose tables are out of reach.
"""

from __future__ import annotations

import re
from collections.abc import Set
from dataclasses import dataclass

# A page that libxml2 refuses to parse past is tamed (see tame). Elements are kept up to this
# depth, table parts up to the second (libxml2 stops at 256, counting elements it adds itself);
# a run of text or a tag longer than _LONGEST bytes keeps its first and last _KEEP bytes
# (libxml2 refuses tokens of 10,000,000).
DEEPEST, DEEPEST_TABLE = 128, 192
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
_IMPLIED_ENDS: dict[bytes, tuple[Set[bytes], Set[bytes]]] = {
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
class Tamed:
    """A page's markup tamed for libxml2 (see :func:`tame`).

    ``dropped``: runs of deep elements left out with their content; ``cells``: table cells
    whose tags were left out for their depth (their text kept).
    """

    markup: bytes
    dropped: int = 0
    cells: int = 0


def tame(markup: bytes) -> Tamed:
    """Make a page parseable without lifting libxml2's limits, in one pass over its markup.

    Elements are kept up to :data:`DEEPEST` deep (table parts up to :data:`DEEPEST_TABLE`).
    A run of deeper elements that holds no table cell is left out with its content, as
    libxml2 leaves out what is nested past its limit, but the page goes on after it; one that
    holds table cells (a report inside junk that never closes) keeps its content and its
    table, only the tags too deep are left out, each block leaving a line break. A run of
    text, the text of a raw text element (a script) or a tag longer than :data:`_LONGEST`
    bytes (a ``data:`` image) keeps only its two ends. Tags are found by a scan that knows
    void elements, raw text and the end tags that HTML implies; where it guesses the nesting
    differently from libxml2, the depth left is still far below the limit.

    >>> deep = b"<div>" * 200 + b"deep" + b"</div>" * 200
    >>> tamed = tame(b"<p>a</p>" + deep + b"<p>b</p>")
    >>> b"deep" in tamed.markup, tamed.markup.count(b"<div>"), tamed.dropped
    (False, 128, 1)
    >>> tamed = tame(b"<p>a</p>" + b"<div>" * 200 + b"<table><tr><td>1<td>2</table>")
    >>> tamed.markup.count(b"<div>"), tamed.markup.endswith(b"<table><tr><td>1<td>2</table>")
    (128, True)
    """
    tamer = _Tamer(markup)
    tamer.run()
    return Tamed(b"".join(tamer.out), tamer.dropped, tamer.cells)


class _Tamer:
    """The scan behind :func:`tame`.

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

    def _any_open(self, names: Set[bytes]) -> bool:
        for name in names:
            if self.open_count.get(name):
                return True
        return False

    def open(self, name: bytes, start: int, end: int) -> int:
        """Handle an opening tag; return where the scan goes on (after a raw text element's text)."""
        self.close_implied(name, start)
        kept = self.depth < DEEPEST or name in _TABLE_PARTS and self.depth < DEEPEST_TABLE
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
