r"""What the PDF reader extracts with: the text layer (pypdfium2) and table engines.

:func:`read_text_layer` returns every page's text lines with their character boxes, in
milliseconds per page; :func:`page_furniture` and :func:`paragraphs` work on those lines.

A table engine is a function ``(data, heights) -> list[Grid]``, where ``heights`` maps the
0-based indices of the pages to read to their heights in points; it takes a tenth of a second
(pdfplumber) to a third (camelot) per page. Every engine reports a table the
same way: its column edges and rows, each cell either its text or a :class:`Covered` marker for
a position that a spanning (merged) cell covers. Spans are kept as markers rather than copied
text, so that the reader can drop them (rows then read like a tab-separated copy of the table)
and can continue a span across a page break.

>>> clean_text("结果\n维持"), clean_text("12\n34")
('结果维持', '12 34')
"""

from __future__ import annotations

import io
import re
import statistics
import warnings
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from enum import Enum
from functools import cached_property

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw

from govreports.cells import disagreement
from govreports.errors import CorruptFileError, ProtectedFileError, UnsupportedInputError
from govreports.readers.document import RawRow
from govreports.readers.pdf_settings import ENGINE_NAMES

__all__ = [
    "ENGINES",
    "Cell",
    "Covered",
    "Grid",
    "GridRow",
    "Line",
    "PageText",
    "UnreliableEngineError",
    "clean_text",
    "combine",
    "ENUMERATOR",
    "page_furniture",
    "paragraphs",
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
    """One line of the text layer: its text, page, character boxes and line number in ``text``."""

    text: str
    page: int
    boxes: tuple[Box, ...]
    number: int = 0

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


Engine = Callable[[bytes, Mapping[int, float]], list[Grid]]


def read_text_layer(source: str, data: bytes) -> list[PageText]:
    """Return every page's text lines in reading order, numbered as lines of the document text.

    Raises:
        ReadError: the PDF is truncated, encrypted or corrupt, or has no text at all.
    """
    if b"%%EOF" not in data[-4096:]:
        raise CorruptFileError(source, "truncated PDF: no end-of-file marker (%%EOF)")
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        if "password" in str(error).lower():
            raise ProtectedFileError(source, "encrypted PDF: it needs a password to open") from error
        raise CorruptFileError(source, f"not a readable PDF (corrupt): {error}") from error
    try:
        pages: list[PageText] = []
        for index in range(len(document)):
            first = sum(len(p.lines) for p in pages) + 1
            pages.append(_page_text(document[index], index, first))
    finally:
        document.close()
    if not any(page.lines for page in pages):
        raise UnsupportedInputError(source, "no text layer; OCR is not supported")
    return pages


def _page_text(page: pdfium.PdfPage, index: int, first_line: int) -> PageText:
    width, height = page.get_size()
    textpage = page.get_textpage()
    try:
        found = list(_lines(textpage, index, height))
    finally:
        textpage.close()
        page.close()
    found.sort(key=lambda line: (round(line.top), line.box[0]))
    lines = [replace(line, number=first_line + k) for k, line in enumerate(found)]
    return PageText(index, width, height, lines)


def _lines(textpage: pdfium.PdfTextPage, index: int, height: float) -> Iterator[Line]:
    """Yield the lines of the text layer with their character boxes (points from the page top)."""
    text = textpage.get_text_range()
    offset = 0
    for chunk in re.split(r"(\r\n|\r|\n)", text):
        start, offset = offset, offset + len(chunk)
        if not chunk.strip():
            continue
        # pdfium may insert or drop characters in its text: map text indices → char indices.
        chars = [pdfium_raw.FPDFText_GetCharIndexFromTextIndex(textpage.raw, start + k)
                 for k, char in enumerate(chunk) if not char.isspace()]  # fmt: skip
        boxes = [textpage.get_charbox(i, loose=True) for i in chars if i >= 0]
        if boxes:  # PDF coordinates (from the bottom) → points from the page top
            flipped = tuple((x0, height - y1, x1, height - y0) for x0, y0, x1, y1 in boxes)
            yield Line(chunk.strip(), index, flipped)


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
    the left margin (no first-line indent), in about the same size, without a list marker.
    """
    left, right = margins
    height = previous.height
    if line.page != previous.page:
        adjacent = line.page == previous.page + 1
    else:
        adjacent = line.box[1] - previous.box[3] < height
    return (
        adjacent
        and previous.box[2] >= right - 1.5 * height
        and line.box[0] - left <= 0.5 * height
        and abs(line.height - height) <= 0.35 * height
        and not ENUMERATOR.match(line.text)
    )


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


def pdfplumber_tables(data: bytes, heights: Mapping[int, float]) -> list[Grid]:
    """Return the ruled tables pdfplumber finds (from vector lines and rectangles)."""
    import pdfplumber

    grids = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for index in heights:
            page = pdf.pages[index]
            grids.extend(_plumber_grid(index, table) for table in page.find_tables())
            page.close()
    return grids


def _plumber_grid(index: int, table) -> Grid:
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


def _plumber_cover(boxes: list, j: int, xs: tuple[float, ...]) -> Covered:
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


def camelot_tables(data: bytes, heights: Mapping[int, float]) -> list[Grid]:
    """Return the ruled tables camelot finds (lattice: lines detected in a rendered image)."""
    import camelot

    _refuse_tall_glyphs(data, heights)
    pages = ",".join(str(index + 1) for index in heights)
    # split_text: text running across a ruling belongs to each cell it crosses. copy_text is not
    # used: spans stay markers (the text stays in the top-left cell, camelot's default shift).
    tables = camelot.read_pdf(data, pages=pages, flavor="lattice", split_text=True)
    return [_camelot_grid(t, heights[int(t.page) - 1]) for t in tables]


def _camelot_grid(table, height: float) -> Grid:
    index = int(table.page) - 1
    xs = tuple(x0 for x0, _ in table.cols) + (table.cols[-1][1],)
    grid = Grid(xs)
    for i, ((y_top, y_bottom), cells) in enumerate(zip(table.rows, table.cells, strict=True)):
        row = tuple(_camelot_cell(cell, i, j) for j, cell in enumerate(cells))
        grid.rows.append(GridRow(index, height - y_top, height - y_bottom, row))
    return grid


def _camelot_cell(cell, i: int, j: int) -> Cell:
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


ENGINES: dict[str, Engine] = dict(zip(ENGINE_NAMES, (pdfplumber_tables, camelot_tables), strict=True))


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
