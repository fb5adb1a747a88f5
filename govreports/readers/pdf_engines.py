r"""What the PDF reader extracts with: the text layer (pypdfium2) and table engines.

:func:`read_document` returns every page's text lines with their character boxes, in
milliseconds per page, the ruling lines of the pages chosen to hold tables (read while pdfium
has them loaded), and, for the engines that parse the file themselves, the document as pdfium
reads it, saved as a single revision, so that they read the same objects (a file with an
appended revision and a damaged cross-reference table is read as one document, not as two).
:func:`page_furniture` and :func:`paragraphs` work on those lines; :func:`check_text_layer`
compares what an engine read in a cell with the text layer's characters inside it.

Before pdfium or an engine sees a file, :func:`check_inflated_size` refuses one whose streams
inflate past :data:`MAX_STREAM_BYTES` (one) or :data:`MAX_INFLATED_BYTES` (all together):
pdfium inflates a whole stream in memory, and a page content stream of 2 GiB, 2.5 MB on disk,
aborts the process.

A table engine is a function ``(layer, heights) -> list[Grid]``, where ``heights`` maps the
0-based indices of the pages to read to their heights in points. ``pdfium`` finds the tables in
the rulings and fills them with the text layer's characters, as pdfplumber would (the same
cells on every PDF we have), in about a millisecond per page; ``pdfplumber`` and ``camelot``
parse the saved copy again and take a tenth to a third of a second per page. Every engine
reports a table the same way: its column edges and rows, each cell either its text or a
:class:`Covered` marker for a position that a spanning (merged) cell covers. Spans are kept as
markers rather than copied text, so that the reader can drop them (rows then read like a
tab-separated copy of the table) and can continue a span across a page break.

>>> clean_text("结果\n维持"), clean_text("12\n34")
('结果维持', '12 34')
"""

from __future__ import annotations

import base64
import binascii
import ctypes
import io
import re
import statistics
import struct
import warnings
import zlib
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from functools import cached_property
from itertools import groupby, pairwise
from operator import itemgetter
from typing import TYPE_CHECKING, Protocol, cast

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw

from govreports.cells import DISAGREEMENT, disagreement, looks_numeric
from govreports.errors import CorruptFileError, ProtectedFileError, RefusedInputError, UnsupportedInputError
from govreports.readers.document import RawRow
from govreports.readers.pdf_lattice import Ruling, TooManyRulingsError, find_tables, page_rulings
from govreports.readers.pdf_settings import ENGINE_NAMES

if TYPE_CHECKING:  # the table engines' libraries are imported only when they read
    from camelot.core import Cell as CamelotCell
    from camelot.core import Table as CamelotTable
    from pdfplumber.table import Table as PlumberTable

__all__ = [
    "ENGINES",
    "Cell",
    "Covered",
    "Grid",
    "GridRow",
    "Line",
    "PageText",
    "MAX_INFLATED_BYTES",
    "MAX_STREAM_BYTES",
    "TextLayer",
    "UnreliableEngineError",
    "check_inflated_size",
    "check_text_layer",
    "clean_text",
    "combine",
    "ENUMERATOR",
    "page_furniture",
    "paragraphs",
    "read_document",
    "read_text_layer",
]


class Covered(Enum):
    """A grid position covered by a spanning cell that starts to its left or above it."""

    LEFT = "<"
    ABOVE = "^"


Cell = str | Covered


Box = tuple[float, float, float, float]  # left, top, right, bottom; points from the page top


@dataclass(frozen=True)
class Line:
    """One line of the text layer: its text, page, character boxes and line number in ``text``.

    ``chars`` are the line's characters that have a box, one for each of ``boxes``, in order
    (spaces, and characters pdfium adds to its text, have none). ``spaced`` are the indices in
    ``chars`` of the characters after a space the PDF itself holds (not one pdfium adds for a
    gap).
    """

    text: str
    page: int
    boxes: tuple[Box, ...]
    number: int = 0
    chars: str = ""
    spaced: frozenset[int] = frozenset()

    @cached_property
    def box(self) -> Box:
        """Return the line's bounding box."""
        lefts, tops, rights, bottoms = zip(*self.boxes, strict=True)
        return min(lefts), min(tops), max(rights), max(bottoms)

    @property
    def top(self) -> float:
        """Return the top of the line."""
        return self.box[1]

    @cached_property
    def height(self) -> float:
        """Return the median character height (digits in a Latin font are taller than CJK)."""
        return statistics.median(b[3] - b[1] for b in self.boxes)


@dataclass(frozen=True)
class PageText:
    """A page's size and its text lines in reading order (top to bottom)."""

    index: int
    width: float
    height: float
    lines: list[Line]


@dataclass(frozen=True)
class GridRow:
    """One row of a table: its page, its top and bottom (points from the page top), its cells."""

    page: int
    top: float
    bottom: float
    cells: tuple[Cell, ...]


@dataclass
class Grid:
    """A table as an engine found it: column edges (left to right) and rows (top to bottom)."""

    xs: tuple[float, ...]
    rows: list[GridRow] = field(default_factory=list)

    @property
    def page(self) -> int:
        """Return the page the table starts on."""
        return self.rows[0].page

    @property
    def top(self) -> float:
        """Return the top of the first row."""
        return self.rows[0].top

    @property
    def bottom(self) -> float:
        """Return the bottom of the last row on the page the table starts on."""
        return max(r.bottom for r in self.rows if r.page == self.page)

    def text_at(self, x: float, y: float) -> str | None:
        """Return the text of the cell over point ``(x, y)`` of the first page, None outside."""
        i = next((k for k, r in enumerate(self.rows) if r.page == self.page and r.top <= y < r.bottom), None)
        j = next((k for k in range(len(self.xs) - 1) if self.xs[k] <= x < self.xs[k + 1]), None)
        if i is None or j is None:
            return None
        cell = self.rows[i].cells[j]
        while isinstance(cell, Covered):  # walk to the cell that owns the span
            i, j = (i, j - 1) if cell is Covered.LEFT else (i - 1, j)
            if i < 0 or j < 0:
                return ""
            cell = self.rows[i].cells[j]
        return cell


@dataclass(frozen=True)
class TextLayer:
    """A PDF as pdfium reads it.

    Attributes:
        pages: every page's text lines.
        data: the document saved as one revision (the bytes as given when not saved, or when
            pdfium cannot save it).
        table_pages: the indices of the pages chosen to read tables on.
        rulings: the ruling lines drawn on each of those pages, or why a page's were not read
            (it draws more than :data:`~govreports.readers.pdf_lattice.MAX_RULINGS` of them).
    """

    pages: list[PageText]
    data: bytes
    table_pages: tuple[int, ...] = ()
    rulings: dict[int, tuple[Ruling, ...] | str] = field(default_factory=dict)


def read_text_layer(source: str, data: bytes) -> list[PageText]:
    """Return every page's text lines in reading order, numbered as lines of the document text.

    Raises:
        ReadError: the PDF is truncated, encrypted, corrupt or a decompression bomb, or has no
            text at all.
    """
    return read_document(source, data).pages


def read_document(
    source: str,
    data: bytes,
    *,
    tables_on: Callable[[list[PageText]], list[int]] | None = None,
    save: bool = True,
) -> TextLayer:
    """Read the text layer, and the rulings of the pages ``tables_on`` chooses from it.

    With ``save``, the document is also saved as pdfium reads it, for the table engines that
    parse the file themselves: pdfium repairs a damaged cross-reference table by scanning the
    file, where pdfminer may follow an older revision's, and engines given the saved copy read
    what the text layer shows. Saving takes about a millisecond per MB.

    Pages stay loaded until their rulings are read (a page load is most of the cost of its
    text), unless the document has more than :data:`_KEPT_LOADED` pages.

    Raises:
        ReadError: as :func:`read_text_layer`.
    """
    if b"%%EOF" not in data[-4096:]:
        raise CorruptFileError(source, "truncated PDF: no end-of-file marker (%%EOF)")
    check_inflated_size(source, data)
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        if "password" in str(error).lower():
            raise ProtectedFileError(source, "encrypted PDF: it needs a password to open") from error
        raise CorruptFileError(source, f"not a readable PDF (corrupt): {error}") from error
    loaded: dict[int, pdfium.PdfPage] = {}
    try:
        keep = len(document) <= _KEPT_LOADED
        pages: list[PageText] = []
        first = 1  # the number of the page's first line in the document's text
        for index in range(len(document)):
            page = _load(source, document, index)
            try:
                pages.append(_page_text(page, index, first))
                first += len(pages[-1].lines)
            except pdfium.PdfiumError as error:
                page.close()
                raise CorruptFileError(source, _damaged(index, error)) from error
            if keep:
                loaded[index] = page
            else:
                page.close()
        if not any(page.lines for page in pages):
            raise UnsupportedInputError(source, "no text layer; OCR is not supported")
        chosen = tuple(tables_on(pages)) if tables_on is not None else ()
        rulings = {}
        for index in chosen:
            page = loaded.pop(index, None) or _load(source, document, index)
            rulings[index] = _rulings_of(page, pages[index].height)
        saved = (_single_revision(document) or data) if save else data
    finally:
        for page in loaded.values():
            page.close()
        document.close()
    return TextLayer(pages, saved, chosen, rulings)


def _rulings_of(page: pdfium.PdfPage, height: float) -> tuple[Ruling, ...] | str:
    """Return the page's rulings, or why they were not read (the pdfium engine then refuses it)."""
    try:
        return page_rulings(page.raw, height)
    except TooManyRulingsError as error:
        return str(error)
    finally:
        page.close()


_KEPT_LOADED = 64  # pages: a longer document has its table pages loaded again


def _load(source: str, document: pdfium.PdfDocument, index: int) -> pdfium.PdfPage:
    try:
        return document[index]
    except pdfium.PdfiumError as error:
        raise CorruptFileError(source, _damaged(index, error)) from error


def _damaged(index: int, error: Exception) -> str:
    return f"damaged PDF: page {index + 1} cannot be read ({error})"


def _single_revision(document: pdfium.PdfDocument) -> bytes | None:
    """Return the document saved anew, decrypted, or None when pdfium cannot save it.

    A full save (not incremental) writes the objects pdfium resolved, once each; without the
    encryption of a file that opens without a password, engines need not decrypt it again.
    """
    buffer = io.BytesIO()
    try:
        document.save(buffer, flags=pdfium_raw.FPDF_REMOVE_SECURITY)
    except pdfium.PdfiumError:
        return None  # the engines read the file as given; check_text_layer compares their cells
    return buffer.getvalue()


def _page_text(page: pdfium.PdfPage, index: int, first_line: int) -> PageText:
    width, height = page.get_size()
    textpage = page.get_textpage()
    try:
        found = list(_lines(textpage, height))
    finally:
        textpage.close()
    found.sort(key=_reading_key)
    lines = [Line(text, index, boxes, number, chars, spaced) for number, (text, boxes, chars, spaced)
             in enumerate(found, first_line)]  # fmt: skip
    return PageText(index, width, height, lines)


_LINE_BREAK = re.compile(r"(\r\n|\r|\n)")
_LEFTS, _TOPS = itemgetter(0), itemgetter(1)


def _reading_key(line: _Found) -> tuple[int, float]:
    """Sort lines top to bottom (to the point), then left to right."""
    boxes = line[1]
    return round(min(map(_TOPS, boxes))), min(map(_LEFTS, boxes))


_Found = tuple[str, tuple[Box, ...], str, frozenset[int]]  # a line's text, boxes, chars and spaced


def _lines(textpage: pdfium.PdfTextPage, height: float) -> Iterator[_Found]:
    """Yield the lines of the text layer with their character boxes (points from the page top)."""
    raw = textpage.raw
    text = textpage.get_text_range()
    count = pdfium_raw.FPDFText_CountChars(raw)
    found, boxes = _loose_boxes(raw, count)
    generated = pdfium_raw.FPDFText_IsGenerated
    # pdfium leaves the page's control characters out of its text; then text indices must be
    # mapped to character indices (a call per character), else they are the same.
    mapped = count != len(text)
    offset = 0
    chars: list[str]
    flipped: list[Box]
    spaced: set[int]
    for chunk in _LINE_BREAK.split(text):
        start, offset = offset, offset + len(chunk)
        if not chunk.strip():
            continue
        chars, flipped, spaced, space = [], [], set(), False
        for k, char in enumerate(chunk, start):
            if (i := pdfium_raw.FPDFText_GetCharIndexFromTextIndex(raw, k) if mapped else k) < 0:
                continue
            if char.isspace():
                space = space or not generated(raw, i)
                continue
            if i >= count or not found[i]:
                raise pdfium.PdfiumError(f"Failed to get the box of character {i}.")
            if space:
                spaced.add(len(chars))
                space = False
            chars.append(char)
            left, top, right, bottom = boxes[i]  # from the page bottom → from the page top
            flipped.append((left, height - top, right, height - bottom))
        if chars:
            yield chunk.strip(), tuple(flipped), "".join(chars), frozenset(spaced)


# FPDFText_GetLooseCharBox called with the address of a slot in one array of FS_RECTF (left,
# top, right, bottom), unpacked at once: a third less time per character than a rectangle
# object per call, on pages of thousands of characters.
_LOOSE_BOX = ctypes.cast(
    pdfium_raw.FPDFText_GetLooseCharBox,
    ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p),
)
_RECT = struct.Struct("4f")


def _loose_boxes(raw: pdfium_raw.FPDF_TEXTPAGE, count: int) -> tuple[list[int], list[tuple[float, ...]]]:
    """Return whether pdfium gave each character's loose box, and the boxes (PDF coordinates)."""
    rects = (pdfium_raw.FS_RECTF * count)()
    base, size, call = ctypes.addressof(rects), _RECT.size, _LOOSE_BOX
    found = [call(raw, i, base + size * i) for i in range(count)]
    return found, list(_RECT.iter_unpack(memoryview(rects).cast("B")))


# Decompression bombs. Streams are found by their keyword, not through the cross-reference
# table, which may be damaged or lie (pdfium then scans the file as this does). Streams are
# never stored inside object streams, so this finds all of them, object streams included.
# Data that is zlib data (FlateDecode), or hexadecimal or ASCII85 text of zlib data, is
# inflated a chunk at a time, and so is output that is itself such data (a chain of filters);
# what every inflation yields is counted. LZW and RunLength are not counted.

MAX_STREAM_BYTES = 128 * 2**20
"""Inflated size past which one stream makes a PDF refused (the bundled report's largest: 0.4 MB)."""
MAX_INFLATED_BYTES = 256 * 2**20
"""Inflated size of all streams together past which a PDF is refused (the bundled report's: 2 MB)."""

_STREAM_KEYWORD = re.compile(rb"stream")  # a literal: found fast (a look-behind is 50 times slower)
_LINE_END = re.compile(rb"\r\n?|\n")
_WHITESPACE = b" \t\r\n\f\x00"
_HEX_DIGITS = frozenset(b"0123456789abcdefABCDEF")
_FIRST_CHUNK, _LAST_CHUNK = 1 << 14, 1 << 16  # input read per step, growing
_OUT_CHUNK = 1 << 20  # most bytes one step inflates to
_MAX_LAYERS = 4


class _BadDataError(Exception):
    """A stream's data is not what its first bytes suggested: decoding ends there, as in pdfium."""


class _TooLargeError(Exception):
    """A stream, or all streams together, inflate past the limit."""


def check_inflated_size(
    source: str, data: bytes, *, stream_limit: int = MAX_STREAM_BYTES, total_limit: int = MAX_INFLATED_BYTES
) -> None:
    r"""Refuse a PDF whose streams inflate past the limits, inflating them in bounded steps.

    Memory stays under a few MB whatever the file holds; the time is that of inflating the
    file's streams: about 5 ms for a report of 400 KB, at most about 0.25 s per 100 MB inflated.

    Raises:
        RefusedInputError: one stream inflates past ``stream_limit`` bytes, or all of them past
            ``total_limit``.

    >>> bomb = b"1 0 obj <</Filter/FlateDecode>> stream\n" + zlib.compress(bytes(2**20), 9)
    >>> check_inflated_size("bomb.pdf", bomb, stream_limit=2**19)
    Traceback (most recent call last):
    ...
    govreports.errors.RefusedInputError: bomb.pdf: refused: a stream of the PDF inflates past 0.5 MiB
    """
    meter = _Meter(stream_limit, total_limit)
    view = memoryview(data)
    line_end = None
    try:
        for keyword in _STREAM_KEYWORD.finditer(data):
            if data[keyword.start() - 3 : keyword.start()] == b"end":
                continue
            after = keyword.end()
            if line_end is None or line_end.start() < after:  # one search per line, however long
                line_end = _LINE_END.search(data, after)
            # pdfium starts the data after the end of the line; a lone space is also tried.
            starts = {after + 1 if data[after : after + 1] == b" " else after}
            if line_end is not None:
                starts.add(line_end.end())
            for start in sorted(starts):
                _measure(view, start, meter)
    except _TooLargeError as error:
        raise RefusedInputError(source, str(error)) from None


class _Meter:
    def __init__(self, stream_limit: int, total_limit: int) -> None:
        self.stream_limit, self.total_limit = stream_limit, total_limit
        self.stream = self.total = 0

    def add(self, size: int) -> None:
        self.stream += size
        self.total += size
        if self.stream > self.stream_limit:
            raise _TooLargeError(f"refused: a stream of the PDF inflates past {_mib(self.stream_limit)}")
        if self.total > self.total_limit:
            raise _TooLargeError(f"refused: the PDF's streams inflate past {_mib(self.total_limit)} in all")


def _mib(size: int) -> str:
    return f"{size / 2**20:g} MiB"


def _measure(view: memoryview, start: int, meter: _Meter) -> None:
    """Inflate the stream whose data starts at ``start``, if it is encoded data, counting bytes."""
    kind = _sniff(bytes(view[start : start + 16]))
    if kind is None:
        return
    meter.stream = 0
    layer = _Layer(kind, 1, meter)
    step = _FIRST_CHUNK
    while start < len(view) and layer.feed(view[start : start + step]):
        start += step
        step = min(2 * step, _LAST_CHUNK)


def _sniff(head: bytes) -> str | None:
    """Name the encoding of data from its first bytes: zlib, or zlib in hex or ASCII85 text."""
    if _is_zlib(head):
        return "flate"
    text = head.translate(None, _WHITESPACE)
    if len(text) >= 4 and _HEX_DIGITS.issuperset(text[:4]) and _is_zlib(bytes.fromhex(text[:4].decode())):
        return "hex"
    text = text.removeprefix(b"<~").replace(b"z", b"!!!!!")[:5]
    if len(text) < 5 or not all(33 <= c <= 117 for c in text):
        return None
    return "a85" if _is_zlib(base64.a85decode(text)) else None


def _is_zlib(head: bytes) -> bool:
    """Tell whether bytes start with a zlib header (deflate, window up to 32 KiB, check bits)."""
    return len(head) >= 2 and head[0] & 0x0F == 8 and head[0] >> 4 <= 7 and (head[0] << 8 | head[1]) % 31 == 0


class _Layer:
    """One decoding step of a stream, feeding what it decodes to the next when that is encoded."""

    def __init__(self, kind: str, depth: int, meter: _Meter) -> None:
        self.decoder = _DECODERS[kind]()
        self.counted = kind == "flate"
        self.depth, self.meter = depth, meter
        self.head = b""
        self.sniffed = False
        self.next: _Layer | None = None

    def feed(self, data: memoryview | bytes) -> bool:
        """Decode more of the stream; return False once it has ended (or its data is bad)."""
        try:
            for out in self.decoder.feed(data):
                if self.counted:
                    self.meter.add(len(out))
                self._pass_on(out)
        except _BadDataError:
            return False
        return not self.decoder.done

    def _pass_on(self, out: bytes) -> None:
        if not self.sniffed:
            self.head += out
            if len(self.head) < 16:
                return
            self.sniffed = True
            kind = _sniff(self.head[:16]) if self.depth < _MAX_LAYERS else None
            self.next = _Layer(kind, self.depth + 1, self.meter) if kind else None
            out, self.head = self.head, b""
        if self.next is not None and not self.next.feed(out):
            self.next = None  # what follows the inner data is not decoded further


class _Decoder(Protocol):
    """A stream decoder: it yields what the data fed to it decodes to, and tells when it has ended."""

    @property
    def done(self) -> bool: ...

    def feed(self, data: memoryview | bytes) -> Iterator[bytes]: ...


class _Inflate:
    def __init__(self) -> None:
        self._zlib = zlib.decompressobj()

    @property
    def done(self) -> bool:
        return self._zlib.eof

    def feed(self, data: memoryview | bytes) -> Iterator[bytes]:
        while data and not self._zlib.eof:
            try:
                out = self._zlib.decompress(data, _OUT_CHUNK)
            except zlib.error as error:
                raise _BadDataError from error
            data = self._zlib.unconsumed_tail
            yield out


class _Text:
    """Hexadecimal or ASCII85 text, decoded as it comes; it ends at its end mark."""

    end_mark = b">"
    group = 2

    def __init__(self) -> None:
        self.done = False
        self._started = False
        self._rest = b""

    def feed(self, data: memoryview | bytes) -> Iterator[bytes]:
        text = bytes(data)
        if not self._started:
            text, self._started = self._opened(text.lstrip(_WHITESPACE)), True
        end = text.find(self.end_mark)
        if end >= 0:
            text, self.done = text[:end], True
        text = self._rest + self._clean(text.translate(None, _WHITESPACE))
        cut = len(text) if self.done else len(text) - len(text) % self.group
        self._rest = text[cut:]
        try:
            yield self._decode(text[:cut])
        except (ValueError, binascii.Error) as error:
            raise _BadDataError from error

    def _opened(self, text: bytes) -> bytes:
        return text

    def _clean(self, text: bytes) -> bytes:
        return text

    def _decode(self, text: bytes) -> bytes:
        return binascii.a2b_hex(text + b"0" * (len(text) % 2))  # a last odd digit is padded


class _Ascii85(_Text):
    end_mark = b"~"
    group = 5

    def _opened(self, text: bytes) -> bytes:
        return text.removeprefix(b"<~")

    def _clean(self, text: bytes) -> bytes:
        return text.replace(b"z", b"!!!!!")  # a group of four zero bytes, written short

    def _decode(self, text: bytes) -> bytes:
        return base64.a85decode(text)


_DECODERS: dict[str, Callable[[], _Decoder]] = {"flate": _Inflate, "hex": _Text, "a85": _Ascii85}


# Page furniture and paragraphs, from the text layer alone.

_PAGE_NUMBER = re.compile(r"^[\W_]*(?:第\s*)?\d{1,4}(?:\s*页)?(?:\s*/\s*\d{1,4})?[\W_]*$")
_NUMERAL = "一二三四五六七八九十"
# List markers that start a new item: 一、 （二） (3) 4. 5、
ENUMERATOR = re.compile(
    rf"^\s*(?:[（(][{_NUMERAL}\d]{{1,3}}[)）]|[{_NUMERAL}]{{1,3}}[、.．]|\d{{1,2}}\s*[、.．])"
)


def page_furniture(outside: dict[int, list[Line]], n_pages: int) -> set[int]:
    """Return the line numbers of page numbers and running heads.

    They are a page's first or last line outside tables that is a page number, or that recurs
    (digits aside) on half the pages.
    """
    edges = [line for lines in outside.values() if lines for line in {lines[0], lines[-1]}]
    masked = Counter(re.sub(r"\d+", "#", line.text) for line in edges)
    need = max(2, n_pages // 2)
    return {
        line.number
        for line in edges
        if _PAGE_NUMBER.match(line.text) or masked[re.sub(r"\d+", "#", line.text)] >= need
    }


def paragraphs(lines: list[Line], margins: tuple[float, float]) -> list[RawRow]:
    """Join consecutive prose lines into paragraphs, each a row of one cell.

    >>> wide = Line("第一行写满了", 0, ((0, 0, 100, 10),), 1)
    >>> [row.cells for row in paragraphs([wide, Line("第二行", 0, ((0, 12, 30, 22),), 2)], (0, 100))]
    [('第一行写满了第二行',)]
    """
    rows: list[RawRow] = []
    texts: list[str] = []
    first = 0
    for previous, line in zip([None, *lines], lines, strict=False):
        if previous is None or not _same_paragraph(previous, line, margins):
            if texts:
                rows.append(RawRow((clean_text("\n".join(texts)),), first))
            texts, first = [], line.number
        texts.append(line.text)
    if texts:
        rows.append(RawRow((clean_text("\n".join(texts)),), first))
    return rows


def _same_paragraph(previous: Line, line: Line, margins: tuple[float, float]) -> bool:
    """Tell whether ``line`` continues the paragraph of the line before it.

    It does when the line before runs to the right margin (it wrapped) and this one starts at
    the left margin (no first-line indent), in about the same size, without a list marker. A
    line that starts with a number or a Latin word, or a character and punctuation that may
    not start a line, may also follow one that ends short by a little less than their width:
    they did not fit at the end of the line before. A heading (a list marker and no full stop)
    is not continued by a line that starts with a number, nor by one that only this allowance
    would join: that is the paragraph under it.
    """
    left, right = margins
    height = previous.height
    if line.page != previous.page:
        adjacent = line.page == previous.page + 1
    else:
        adjacent = line.box[1] - previous.box[3] < height
    if not (
        adjacent
        and line.box[0] - left <= 0.5 * height
        and abs(line.height - height) <= 0.35 * height
        and not _LIST_ITEM.match(line.text)
    ):
        return False
    full = previous.box[2] >= right - 1.5 * height
    heading = _LIST_ITEM.match(previous.text) is not None and not _SENTENCE_END.search(previous.text)
    if heading and (not full or line.chars[:1].isdigit()):
        return False
    return full or previous.box[2] + _first_unit_width(line) > right - 0.5 * height


# A line that starts a list item: ENUMERATOR's markers, and 2） and ①.
_LIST_ITEM = re.compile(rf"{ENUMERATOR.pattern}|^\s*(?:\d{{1,2}}\s*[)）]|[①-⑳])")
_SENTENCE_END = re.compile(r"[。；;]")


# What a line cannot be broken before: a number or Latin word, or a character with the closing
# punctuation that may not start a line (避头点), with that punctuation. A unit ends at a space
# or a gap (the values of a table row are no word), and is at most _LONGEST_UNIT characters.
_CLOSING = "，。、；：？！）」』】》〉”’,.;:?!)"
_FIRST_UNIT = re.compile(rf"(?:[0-9A-Za-z][0-9A-Za-z.,%‰]*|.(?=[{_CLOSING}]))[{_CLOSING}]*")
_LONGEST_UNIT = 12
_UNIT_GAP = 0.3  # of the line's height: characters further apart are not one word


def _first_unit_width(line: Line) -> float:
    """Return the width of what a line starts with that could not end the line before.

    That is a number or a Latin word, or a character with the closing punctuation after it
    (0 for other text: one character, which the margin's tolerance allows for).

    >>> boxes = tuple((x, 0, x + 6, 9) for x in (10, 16, 22, 28, 38))
    >>> _first_unit_width(Line("1234 件", 0, boxes, chars="1234件"))
    24
    >>> _first_unit_width(Line("件，办", 0, boxes[:3], chars="件，办"))
    12
    >>> _first_unit_width(Line("办结", 0, boxes[:2], chars="办结"))
    0.0
    >>> row = tuple((x, 0, x + 6, 9) for x in (10, 60, 110, 160))  # a table row's values
    >>> _first_unit_width(Line("0 0 0 0", 0, row, chars="0000", spaced=frozenset({1, 2, 3})))
    6
    """
    unit = _FIRST_UNIT.match(line.chars)
    if unit is None or len(line.boxes) != len(line.chars):
        return 0.0
    boxes, gap = line.boxes, _UNIT_GAP * line.height
    end = 1
    while (
        end < min(unit.end(), _LONGEST_UNIT)
        and end not in line.spaced
        and boxes[end][0] - boxes[end - 1][2] <= gap
    ):
        end += 1
    return boxes[end - 1][2] - boxes[0][0]


class UnreliableEngineError(ValueError):
    """An engine cannot read this PDF correctly; the message says why and what to use instead."""


_ASCII_WORD = re.compile(r"[0-9A-Za-z]")


def clean_text(text: str | None) -> str:
    """Join the lines of a wrapped cell: no space between CJK fragments, one between ASCII words."""
    joined = ""
    for part in (text or "").split("\n"):
        part = part.strip()
        if joined and part and _ASCII_WORD.match(joined[-1]) and _ASCII_WORD.match(part[0]):
            joined += " "
        joined += part
    return joined


def pdfium_tables(layer: TextLayer, heights: Mapping[int, float]) -> list[Grid]:
    """Return the ruled tables the PDF's own paths draw, with the text layer's characters in them.

    Tables and cells are found as pdfplumber finds them (:mod:`govreports.readers.pdf_lattice`).
    A cell's text is its characters whose boxes are centred inside it, by text-layer line, with
    a space between two where the PDF holds one or they are over 3 pt apart.
    """
    grids: list[Grid] = []
    for index in heights:
        drawn = layer.rulings.get(index, ())
        if isinstance(drawn, str):
            reason = f"the pdfium engine does not read page {index + 1}: {drawn}"
            raise UnreliableEngineError(f"{reason}; read it with the pdfplumber engine")
        tables = find_tables(drawn)
        texts = _texts_in_cells(tables, layer.pages[index]) if tables else {}
        grids.extend(_cells_grid(index, cells, texts) for cells in tables)
    return grids


_CHAR_GAP = 3.0  # points between characters that make a space (pdfplumber's x_tolerance)


def _cells_grid(index: int, cells: list[Box], texts: Mapping[Box, str]) -> Grid:
    """Return the grid of one table's cells: a column at each left edge, a row at each top."""
    lefts = sorted({c[0] for c in cells})
    tops = sorted({c[1] for c in cells})
    xs = (*lefts, max(c[2] for c in cells if c[0] == lefts[-1]))
    bottoms = [*tops[1:], max(c[3] for c in cells if c[1] == tops[-1])]
    at = {(c[1], c[0]): c for c in cells}
    grid = Grid(xs)
    for top, bottom in zip(tops, bottoms, strict=True):
        boxes = [at.get((top, left)) for left in lefts]
        row = tuple(
            clean_text(texts.get(box, "")) if box is not None else _plumber_cover(boxes, j, xs)
            for j, box in enumerate(boxes)
        )
        grid.rows.append(GridRow(index, top, bottom, row))
    return grid


def _texts_in_cells(tables: list[list[Box]], page: PageText) -> dict[Box, str]:
    """Map each cell to the text of the characters centred in it (boxes half-open, as pdfplumber)."""
    found: dict[Box, list[tuple[int, float, float, str, bool]]] = defaultdict(list)
    taken: set[tuple[int, int]] = set()  # (line, character): a character goes to one cell only
    for finder in map(_CellFinder, tables):
        _, top, _, bottom = finder.box
        for line in page.lines:
            if line.box[3] < top or line.box[1] > bottom or len(line.chars) != len(line.boxes):
                continue
            for k, (x0, y0, x1, y1) in enumerate(line.boxes):
                cell = finder.cell_at((x0 + x1) / 2, (y0 + y1) / 2)
                if cell is not None and (line.number, k) not in taken:
                    taken.add((line.number, k))
                    found[cell].append((line.number, x0, x1, line.chars[k], k in line.spaced))
    return {cell: _cell_text(chars) for cell, chars in found.items()}


class _CellFinder:
    """The cell of a table over a point: a grid of its left edges and tops, spans filled in."""

    def __init__(self, cells: list[Box]) -> None:
        self.lefts = sorted({c[0] for c in cells})
        self.tops = sorted({c[1] for c in cells})
        self.box = (self.lefts[0], self.tops[0], max(c[2] for c in cells), max(c[3] for c in cells))
        self.over: dict[tuple[int, int], Box] = {}
        for cell in cells:
            for i in range(bisect_left(self.tops, cell[1]), bisect_left(self.tops, cell[3])):
                for j in range(bisect_left(self.lefts, cell[0]), bisect_left(self.lefts, cell[2])):
                    self.over[i, j] = cell

    def cell_at(self, x: float, y: float) -> Box | None:
        cell = self.over.get((bisect_right(self.tops, y) - 1, bisect_right(self.lefts, x) - 1))
        if cell is not None and cell[0] <= x < cell[2] and cell[1] <= y < cell[3]:
            return cell
        return None


def _cell_text(chars: list[tuple[int, float, float, str, bool]]) -> str:
    """Join a cell's characters: by text-layer line, top to bottom; each line left to right.

    Lines are the text layer's, not clusters of character tops: the loose boxes of punctuation
    set in another font than the digits around it start higher or lower.
    """
    text = []
    for _, group in groupby(sorted(chars, key=itemgetter(0, 1)), key=itemgetter(0)):
        line = list(group)
        words = line[0][3]
        for previous, char in pairwise(line):
            words += (" " if char[4] or char[1] > previous[2] + _CHAR_GAP else "") + char[3]
        text.append(words)
    return "\n".join(text)


def pdfplumber_tables(layer: TextLayer, heights: Mapping[int, float]) -> list[Grid]:
    """Return the ruled tables pdfplumber finds (from vector lines and rectangles)."""
    import pdfplumber

    grids: list[Grid] = []
    with pdfplumber.open(io.BytesIO(layer.data)) as pdf:
        for index in heights:
            page = pdf.pages[index]
            grids.extend(_plumber_grid(index, table) for table in page.find_tables())
            page.close()
    return grids


def _plumber_grid(index: int, table: PlumberTable) -> Grid:
    columns = table.columns
    xs = tuple(c.bbox[0] for c in columns) + (columns[-1].bbox[2],)
    grid = Grid(xs)
    # A row's bbox reaches the bottom of cells that span rows below it: a row ends where the next begins.
    tops = [row.bbox[1] for row in table.rows]
    bottoms = [*tops[1:], table.rows[-1].bbox[3]]
    for row, texts, top, bottom in zip(table.rows, table.extract(), tops, bottoms, strict=True):
        cells = tuple(
            clean_text(text) if box is not None else _plumber_cover(row.cells, j, xs)
            for j, (box, text) in enumerate(zip(row.cells, texts, strict=True))
        )
        grid.rows.append(GridRow(index, top, bottom, cells))
    return grid


def _plumber_cover(boxes: Sequence[Box | None], j: int, xs: tuple[float, ...]) -> Covered:
    """Tell whether the spanning cell over position ``j`` starts in this row (left) or above."""
    centre = (xs[j] + xs[j + 1]) / 2
    for box in reversed(boxes[:j]):
        if box is not None:
            return Covered.LEFT if box[2] > centre else Covered.ABOVE
    return Covered.ABOVE


# camelot places text in cells by glyph box. A font whose declared ascent - descent exceeds
# this many em (LibreOffice's Type 1 conversion of Noto Sans CJK declares 2.86) has boxes that
# overlap the rows above and below, and camelot 2.0 then puts text in the wrong cells.
_MAX_GLYPH_EM = 2.0


def camelot_tables(layer: TextLayer, heights: Mapping[int, float]) -> list[Grid]:
    """Return the ruled tables camelot finds (lattice: lines detected in a rendered image)."""
    from camelot.io import read_pdf  # as camelot.read_pdf, which the package does not declare it exports

    data = layer.data
    _refuse_tall_glyphs(data, heights)
    pages = ",".join(str(index + 1) for index in heights)
    # split_text: text running across a ruling belongs to each cell it crosses. copy_text is not
    # used: spans stay markers (the text stays in the top-left cell, camelot's default shift).
    tables = read_pdf(data, pages=pages, flavor="lattice", split_text=True)
    return [_camelot_grid(t, heights[int(t.page) - 1]) for t in tables]


def _camelot_grid(table: CamelotTable, height: float) -> Grid:
    # camelot's Table starts with no page and the parser sets it on each table it returns.
    index = int(cast("int | str", table.page)) - 1
    xs = tuple(x0 for x0, _ in table.cols) + (table.cols[-1][1],)
    grid = Grid(xs)
    for i, ((y_top, y_bottom), cells) in enumerate(zip(table.rows, table.cells, strict=True)):
        row = tuple(_camelot_cell(cell, i, j) for j, cell in enumerate(cells))
        grid.rows.append(GridRow(index, height - y_top, height - y_bottom, row))
    return grid


def _camelot_cell(cell: CamelotCell, i: int, j: int) -> Cell:
    text = clean_text(cell.text)
    if text:  # never drop text, even where a missed ruling makes the cell look covered
        return text
    if i and not cell.top:
        return Covered.ABOVE
    if j and not cell.left:
        return Covered.LEFT
    return ""


def _refuse_tall_glyphs(data: bytes, heights: Mapping[int, float]) -> None:
    import playa

    tall: dict[str, int] = {}
    with warnings.catch_warnings():
        # playa warns about harmless structure quirks that pdfium and pdfminer accept silently.
        warnings.simplefilter("ignore", UserWarning)
        document = playa.Document(data)
        for index in heights:
            for text in document.pages[index].texts:
                font = text.font
                if (font.ascent - font.descent) / 1000 > _MAX_GLYPH_EM:
                    tall.setdefault(font.fontname, index + 1)
    if tall:
        listed = ", ".join(f"{name} (page {page})" for name, page in tall.items())
        raise UnreliableEngineError(
            f"camelot would misplace text set in fonts whose glyph boxes are over {_MAX_GLYPH_EM:g} em "
            f"tall: {listed}; read it with the pdfplumber engine"
        )


Engine = Callable[[TextLayer, Mapping[int, float]], list[Grid]]
ENGINES: dict[str, Engine] = dict(
    zip(ENGINE_NAMES, (pdfium_tables, pdfplumber_tables, camelot_tables), strict=True)
)


def combine(primary: list[Grid], secondary: list[Grid]) -> list[Grid]:
    """Return the primary engine's grids, flagging each cell the other engine reads differently.

    Such a cell holds :func:`govreports.cells.disagreement` of the two readings. A table the
    other engine did not find at all has every non-empty cell flagged, except a one-column box
    of text (the other engine reads it as paragraphs).

    >>> a = Grid((0, 10, 20), [GridRow(0, 0, 10, ("行政许可", "12"))])
    >>> b = Grid((0, 10, 20), [GridRow(0, 0, 10, ("行政 许可", "17"))])
    >>> combine([a], [b])[0].rows[0].cells
    ('行政许可', '12 ≠ 17')
    """
    return [_compare(grid, _match(grid, secondary)) for grid in primary]


def _match(grid: Grid, others: list[Grid]) -> Grid | None:
    def overlap(other: Grid) -> float:
        if other.page != grid.page:
            return 0.0
        width = min(grid.xs[-1], other.xs[-1]) - max(grid.xs[0], other.xs[0])
        height = min(grid.bottom, other.bottom) - max(grid.top, other.top)
        smaller = min(_area(grid), _area(other)) or 1.0
        return max(width, 0.0) * max(height, 0.0) / smaller

    best = max(others, key=overlap, default=None)
    return best if best is not None and overlap(best) > 0.5 else None


def _area(grid: Grid) -> float:
    return (grid.xs[-1] - grid.xs[0]) * (grid.bottom - grid.top)


def _compare(grid: Grid, other: Grid | None) -> Grid:
    if other is None and len(grid.xs) == 2:
        return grid
    out = Grid(grid.xs)
    for row in grid.rows:
        cells: list[Cell] = []
        for j, cell in enumerate(row.cells):
            theirs = None
            if other is not None and row.page == other.page:
                theirs = other.text_at((grid.xs[j] + grid.xs[j + 1]) / 2, (row.top + row.bottom) / 2)
            cells.append(_agreed(cell, theirs))
        out.rows.append(GridRow(row.page, row.top, row.bottom, tuple(cells)))
    return out


def _agreed(mine: Cell, theirs: str | None) -> Cell:
    if isinstance(mine, Covered):
        return mine
    if "".join(mine.split()) == "".join((theirs or "").split()):
        return mine
    return disagreement(mine, theirs or "")


def check_text_layer(grids: list[Grid], pages: list[PageText]) -> list[Grid]:
    """Return the grids with each cell flagged whose value the text layer reads differently.

    The text layer's reading of a cell is its characters whose boxes are centred inside the
    cell (over its spans). Cells where either reading is a value or a placeholder are compared,
    spaces aside; a cell that differs holds :func:`govreports.cells.disagreement` of the
    engine's reading and the text layer's. Labels are left alone: they are matched
    approximately, and a wrapped label's lines may come in another order.

    >>> boxes = ((2, 2, 8, 8), (12, 2, 14, 8), (15, 2, 17, 8))  # 行 left, 1 and 7 right
    >>> page = PageText(0, 100, 100, [Line("行 17", 0, boxes, 1, "行17")])
    >>> grid = Grid((0, 10, 20), [GridRow(0, 0, 10, ("行", "12"))])
    >>> check_text_layer([grid], [page])[0].rows[0].cells
    ('行', '12 ≠ 17')
    """
    return [_check_grid(grid, pages) for grid in grids]


def _check_grid(grid: Grid, pages: list[PageText]) -> Grid:
    seen = _text_in_cells(grid, pages)
    out = Grid(grid.xs)
    for i, row in enumerate(grid.rows):
        cells = tuple(_read_alike(cell, seen.get((i, j), "")) for j, cell in enumerate(row.cells))
        out.rows.append(GridRow(row.page, row.top, row.bottom, cells))
    return out


def _text_in_cells(grid: Grid, pages: list[PageText]) -> dict[tuple[int, int], str]:
    """Map each grid position that owns a cell to the text layer's characters centred in it."""
    found: dict[tuple[int, int], list[str]] = defaultdict(list)
    by_page: dict[int, list[int]] = defaultdict(list)
    for i, row in enumerate(grid.rows):
        by_page[row.page].append(i)
    for page, indices in by_page.items():
        tops = [grid.rows[i].top for i in indices]
        top, bottom = min(tops), max(grid.rows[i].bottom for i in indices)
        for line in pages[page].lines:
            if line.box[3] < top or line.box[1] > bottom or len(line.chars) != len(line.boxes):
                continue
            for char, (x0, y0, x1, y1) in zip(line.chars, line.boxes, strict=True):
                x, y = (x0 + x1) / 2, (y0 + y1) / 2
                k, j = bisect_right(tops, y) - 1, bisect_right(grid.xs, x) - 1
                if k < 0:
                    continue
                row = grid.rows[indices[k]]
                if not 0 <= j < len(row.cells) or y >= row.bottom:
                    continue
                found[_owner(grid, indices[k], j)].append(char)
    return {position: "".join(chars) for position, chars in found.items()}


def _owner(grid: Grid, i: int, j: int) -> tuple[int, int]:
    """Return the position of the cell that covers position ``(i, j)`` (itself, or a span's start)."""
    cell = grid.rows[i].cells[j]
    while isinstance(cell, Covered) and (i, j) > (0, 0):
        i, j = (i, j - 1) if cell is Covered.LEFT and j > 0 else (max(i - 1, 0), j)
        cell = grid.rows[i].cells[j]
    return i, j


def _read_alike(cell: Cell, seen: str) -> Cell:
    if isinstance(cell, Covered) or DISAGREEMENT.strip() in cell:
        return cell
    mine = "".join(cell.split())
    if mine == seen or not (looks_numeric(mine) or looks_numeric(seen)):
        return cell
    return disagreement(cell, seen)
