"""PDF reader: a PDF's text layer and ruled tables → :class:`~govreports.readers.Document`.

The text layer (pypdfium2, milliseconds per page) is read first: it is the document's ``text``
and it tells which pages hold 表二, 表三 and 表四 (by the row labels of
:mod:`govreports.schema`). On those pages only, tables are read by the engines of
:class:`PdfSettings` (:mod:`govreports.readers.pdf_engines`). The default, ``pdfium``, takes
the ruling lines pdfium reads with the page's text and puts the text layer's own characters in
the cells, in about a millisecond per page. ``pdfplumber`` and ``camelot`` parse the file again
(a tenth of a second or more per page), as pdfium read it (saved as one revision), and every
value or placeholder they read is compared with the text layer's characters in its cell: a cell
they read otherwise is ``engine_disagreement``. Tables that run across a page break are
stitched back together; page numbers and running heads between them are dropped.

``rows`` are the paragraphs outside tables (one cell each) and the table rows (one cell per
printed cell, positions covered by merged cells left out), in reading order. Each row's ``line``
is the line of ``text`` it starts on.

>>> PdfSettings.resolve({"engines": ["pdfplumber", "camelot"]}).engines
('pdfplumber', 'camelot')
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Mapping
from dataclasses import replace
from itertools import accumulate
from typing import Any, NamedTuple, TypeGuard

from govreports.cells import looks_numeric
from govreports.errors import TableEngineError
from govreports.readers.document import Document, RawRow, rows_text
from govreports.readers.pdf_engines import (
    ENGINES,
    ENUMERATOR,
    Cell,
    Covered,
    Grid,
    GridRow,
    Line,
    PageText,
    TextLayer,
    UnreliableEngineError,
    check_text_layer,
    clean_text,
    combine,
    page_furniture,
    paragraphs,
    read_document,
)
from govreports.readers.pdf_settings import PdfSettings, current_settings, use_pdf_settings
from govreports.schema import TABLES, normalize_label

__all__ = ["PdfSettings", "current_settings", "locate_pages", "read_pdf", "use_pdf_settings"]


def read_pdf(
    source: str = "<pdf>", *, data: bytes, settings: PdfSettings | Mapping[str, Any] | None = None
) -> Document:
    """Read a PDF with a text layer into rows of cells.

    Args:
        source: the file name, used in error messages and provenance.
        data: the PDF bytes.
        settings: :class:`PdfSettings` (or a mapping of its fields); by default those of
            :func:`use_pdf_settings`, else the defaults.

    Raises:
        ReadError: as a subclass that says why: the PDF is encrypted (``ProtectedFileError``),
            corrupt or truncated, or a page of it cannot be read (``CorruptFileError``), a stream
            inflates past the limits (``RefusedInputError``), it has no text layer
            (``UnsupportedInputError``), or an engine cannot read it (``TableEngineError``).

    >>> read_pdf("scan.pdf", data=b"%PDF-1.7 truncated")
    Traceback (most recent call last):
    ...
    govreports.errors.CorruptFileError: scan.pdf: truncated PDF: no end-of-file marker (%%EOF)
    """
    chosen = current_settings(settings)
    choose = locate_pages if chosen.pages == "located" else _every_page
    # Engines that parse the file themselves read it as pdfium does (saved as one revision).
    layer = read_document(source, data, tables_on=choose, save=chosen.engines != ("pdfium",))
    pages = layer.pages
    grids = _tables(source, layer, {i: pages[i].height for i in layer.table_pages}, chosen.engines)
    if chosen.engines[0] != "pdfium":  # pdfium's cells are the text layer's own characters
        grids = check_text_layer(grids, pages)
    text = "\n".join(line.text for page in pages for line in page.lines)
    starts = tuple(accumulate((len(page.lines) for page in pages[:-1]), initial=1))
    rows = assemble(pages, grids)
    return Document(source, text, rows, "pdf", page_starts=starts, prose=rows_text(rows))


# Marker fragments: the row labels of the three tables (and the 表二 section heading). A page
# with at least _ANCHOR_MARKERS distinct ones holds a table; prose rarely names three.
_MARKERS = frozenset(
    {m.lstrip("=") for table in TABLES.values() for row in table.rows for m in row.match} | {"第二十条"}
)
_ANCHOR_MARKERS = 3
_FOOT_LINES = 8
_AFTER_TABLES = "存在的主要问题"  # the heading of section 五, which follows 表四


def locate_pages(pages: list[PageText]) -> list[int]:
    """Return the indices of the pages that hold 表二, 表三 and 表四, from their text alone.

    Pages between the first and the last page that name several row labels are kept (a table
    page may show one row only), with the page before when its last lines name one (a table may
    start at its foot) and the page after when the last one does not reach section 五 (a table
    may end at its top).

    >>> page = PageText(0, 595, 842, [Line("规章 行政许可 行政处罚 行政强制", 0, ((0, 0, 1, 1),))])
    >>> locate_pages([page])
    [0]
    """
    anchors = [page.index for page in pages if _score(page.lines) >= _ANCHOR_MARKERS]
    if not anchors:
        return []
    first, last = anchors[0], anchors[-1]
    if first > 0 and _score(pages[first - 1].lines[-_FOOT_LINES:]):
        first -= 1
    if last + 1 < len(pages) and not any(_AFTER_TABLES in line.text for line in pages[last].lines):
        last += 1
    return list(range(first, last + 1))


def _every_page(pages: list[PageText]) -> list[int]:
    return [page.index for page in pages]


def _score(lines: list[Line]) -> int:
    text = normalize_label("".join(line.text for line in lines))
    return sum(marker in text for marker in _MARKERS)


def _tables(source: str, layer: TextLayer, heights: dict[int, float], engines: tuple[str, ...]) -> list[Grid]:
    """Run the engines on the located pages; with two, flag the cells where they disagree."""
    if not heights:
        return []
    found = [_run(source, name, layer, heights) for name in engines]
    return combine(found[0], found[1]) if len(found) == 2 else found[0]


def _run(source: str, name: str, layer: TextLayer, heights: dict[int, float]) -> list[Grid]:
    try:
        return ENGINES[name](layer, heights)
    except UnreliableEngineError as error:
        raise TableEngineError(source, str(error)) from error
    except Exception as error:  # engines raise many types for damaged PDFs; none may escape raw
        reason = f"{name} could not read the tables: {type(error).__name__}: {error}"
        raise TableEngineError(source, reason) from error


# Layout: reading order, page furniture, paragraphs, and tables that run across page breaks.

_FOOTER_CELL = re.compile(r"^(?:[-—–－‐]+\s*\d{1,4}\s*[-—–－‐]+|第\s*\d{1,4}\s*页)$")
_TOLERANCE = 3.0  # points: column edges this close are one ruling


def assemble(pages: list[PageText], grids: list[Grid]) -> list[RawRow]:
    """Rows in reading order: paragraphs outside tables as one cell, table rows as their cells."""
    items = _reading_order(pages, grids)
    prose = [item.box for item in items if isinstance(item, Line)]
    margins = (min(b[0] for b in prose), max(b[2] for b in prose)) if prose else (0.0, 0.0)
    rows: list[RawRow] = []
    run: list[Line] = []
    for item in [*items, None]:
        if isinstance(item, Line):
            run.append(item)
            continue
        rows.extend(paragraphs(run, margins))
        run = []
        if item is not None:
            rows.extend(_table_rows(item, pages))
    return rows


def _reading_order(pages: list[PageText], grids: list[Grid]) -> list[Line | Grid]:
    # A one-column "table" is a framed paragraph: its lines stay prose.
    grids = [g for g in grids if len(g.xs) > 2]
    areas = [_Area(g.page, g.top, g.bottom, g.xs[0], g.xs[-1]) for g in grids]
    outside = {p.index: [ln for ln in p.lines if not any(_inside(ln, a) for a in areas)] for p in pages}
    furniture = page_furniture(outside, len(pages))
    items: list[Line | Grid] = []
    for page in pages:
        lines = [ln for ln in outside[page.index] if ln.number not in furniture]
        here: list[Line | Grid] = sorted([*lines, *(g for g in grids if g.page == page.index)], key=_top)
        if here and items and isinstance(here[0], Grid) and isinstance(items[-1], Grid):
            previous, following = items[-1], here[0]
            if _continues(previous, following):
                del here[0]
                _stitch(previous, following, pages[previous.rows[-1].page])
        items.extend(here)
    return items


def _top(item: Line | Grid) -> float:
    return item.top


class _Area(NamedTuple):
    """Where a table lies on the page it starts on."""

    page: int
    top: float
    bottom: float
    left: float
    right: float


def _inside(line: Line, area: _Area) -> bool:
    if line.page != area.page:
        return False
    left, top, right, bottom = line.box
    return area.top <= (top + bottom) / 2 <= area.bottom and left < area.right and right > area.left


def _table_rows(grid: Grid, pages: list[PageText]) -> list[RawRow]:
    rows = []
    middles: dict[int, list[tuple[float, int]]] = {}  # page → its lines' middles and numbers
    for row in grid.rows:
        cells = tuple(c for c in row.cells if isinstance(c, str))  # covered positions left out
        if any(c.strip() for c in cells):
            if row.page not in middles:
                middles[row.page] = [((ln.box[1] + ln.box[3]) / 2, ln.number) for ln in pages[row.page].lines]
            rows.append(RawRow(cells, _line_number(row, middles[row.page])))
    return rows


def _line_number(row: GridRow, middles: list[tuple[float, int]]) -> int:
    """Return the number of the first text line within the row, else of the last one above it."""
    inside = next((n for m, n in middles if row.top <= m <= row.bottom), None)
    if inside is not None:
        return inside
    above = [n for m, n in middles if m < row.top]
    return (above[-1:] or [n for _, n in middles[:1]] or [1])[0]


def _continues(a: Grid, b: Grid) -> bool:
    """Tell whether table ``b``, first on its page, continues ``a``, last on the page before.

    It does when the outer edges agree and the column edges of one are among those of the other.
    """
    if b.page != a.rows[-1].page + 1:
        return False
    if abs(a.xs[0] - b.xs[0]) > _TOLERANCE or abs(a.xs[-1] - b.xs[-1]) > _TOLERANCE:
        return False
    return _refines(a.xs, b.xs) or _refines(b.xs, a.xs)


def _refines(fine: tuple[float, ...], coarse: tuple[float, ...]) -> bool:
    return all(any(abs(x - y) <= _TOLERANCE for y in fine) for x in coarse)


def _stitch(a: Grid, b: Grid, before: PageText) -> None:
    """Append the rows of ``b`` to ``a``.

    On common column edges, without a repeated header or a page footer, joining a row broken by
    the page break, and continuing labels that span rows over it.
    """
    xs = _union(a.xs, b.xs)
    a.rows[:] = [_remap(row, a.xs, xs) for row in a.rows]
    rows = [_remap(row, b.xs, xs) for row in b.rows if not _footer_row(row)]
    a.xs = xs
    while len(a.rows) > 1 and _footer_row(a.rows[-1]):
        a.rows.pop()
    rows = _without_repeated_header(a.rows, rows)
    if rows and _broken_row(a, rows[0], before):
        for j, text in enumerate(rows.pop(0).cells):
            if _filled(text):
                _append_text(a, len(a.rows) - 1, j, text)
    elif rows:
        rows[0] = _carry_spans(a, rows, before)
    a.rows.extend(rows)


def _union(a: tuple[float, ...], b: tuple[float, ...]) -> tuple[float, ...]:
    edges: list[float] = []
    for x in sorted((*a, *b)):
        if not edges or x - edges[-1] > _TOLERANCE:
            edges.append(x)
    return tuple(edges)


def _remap(row: GridRow, old: tuple[float, ...], new: tuple[float, ...]) -> GridRow:
    """Return the row on finer column edges: a cell over several new columns covers the rest."""

    def at(x: float) -> int:  # the nearest new edge (the first of two as near)
        k = bisect_left(new, x)
        return k - 1 if k == len(new) or (k > 0 and x - new[k - 1] <= new[k] - x) else k

    cells: list[Cell] = []
    for k, cell in enumerate(row.cells):
        cells.append(cell)
        cover = Covered.ABOVE if cell is Covered.ABOVE else Covered.LEFT
        cells.extend([cover] * max(at(old[k + 1]) - at(old[k]) - 1, 0))
    return replace(row, cells=tuple(cells))


def _filled(cell: Cell) -> TypeGuard[str]:
    return isinstance(cell, str) and bool(cell.strip())


def _footer_row(row: GridRow) -> bool:
    """Tell whether the row is a page number caught inside a table ('-4-', '— 5 —', '第3页')."""
    filled = [c for c in row.cells if _filled(c)]
    return len(filled) == 1 and bool(_FOOTER_CELL.match("".join(str(filled[0]).split())))


def _without_repeated_header(above: list[GridRow], rows: list[GridRow]) -> list[GridRow]:
    def squash(row: GridRow) -> tuple[Cell, ...]:
        return tuple("".join(c.split()) if isinstance(c, str) else c for c in row.cells)

    k = 0
    while k < min(len(above), len(rows)) and squash(above[k]) == squash(rows[k]):
        k += 1
    return rows[k:]


def _label_fragment(cell: Cell) -> bool:
    return _filled(cell) and not looks_numeric(str(cell)) and not ENUMERATOR.match(str(cell))


def _broken_row(a: Grid, first: GridRow, before: PageText) -> bool:
    """Tell whether ``first`` is the rest of the last row of ``a``, broken by the page break.

    Wherever both hold text, the part above must end in a full (wrapped) line, and the part below
    must not start a new item.
    """
    last = a.rows[-1]
    for j, (above, below) in enumerate(zip(last.cells, first.cells, strict=False)):
        if _filled(above) and _filled(below):
            if looks_numeric(str(above)) or not _label_fragment(below) or not _ends_full(a, last, j, before):
                return False
    return True


def _ends_full(grid: Grid, row: GridRow, j: int, page: PageText) -> bool:
    """Whether the text of cell ``j`` of ``row`` ends in a line that fills the cell's width."""
    end = j + 1
    while end < len(row.cells) and row.cells[end] is Covered.LEFT:
        end += 1
    left, right = grid.xs[j], grid.xs[end]
    boxes = [
        b
        for ln in page.lines
        for b in ln.boxes
        if left <= (b[0] + b[2]) / 2 <= right and row.top <= (b[1] + b[3]) / 2 <= row.bottom
    ]
    if not boxes:
        return False
    height = max(b[3] - b[1] for b in boxes)
    lowest = max(b[1] for b in boxes)
    last_line = [b for b in boxes if b[1] > lowest - height / 2]
    # A line wraps when the next character does not fit; line-breaking rules for CJK
    # punctuation may move one more character down, and cells are padded (~5.4 pt in Word).
    return max(b[2] for b in last_line) >= right - (2 * height + 6)


def _append_text(grid: Grid, i: int, j: int, text: str) -> None:
    """Append text to the cell that owns position ``(i, j)`` (walking up and left over spans)."""
    cell = grid.rows[i].cells[j]
    while isinstance(cell, Covered) and (i, j) > (0, 0):
        i, j = (i, j - 1) if cell is Covered.LEFT and j > 0 else (max(i - 1, 0), j)
        cell = grid.rows[i].cells[j]
    cells = list(grid.rows[i].cells)
    cells[j] = clean_text(f"{cell}\n{text}") if isinstance(cell, str) else text
    grid.rows[i] = replace(grid.rows[i], cells=tuple(cells))


def _carry_spans(a: Grid, rows: list[GridRow], before: PageText) -> GridRow:
    """Return the first row below the break with the labels spanned over the break continued.

    A blank before the row's first label, under a span, is the rest of that span ('三、本年度办理结果'
    down the left edge); a label fragment that spans rows below the break ('法提供') is joined
    to the label above it ('（四）无'). Blanks among values are never touched.
    """
    last = a.rows[-1]
    first = list(rows[0].cells)
    below = rows[1].cells if len(rows) > 1 else ()
    label_at = next((j for j, c in enumerate(first) if _filled(c)), len(first))
    leading = label_at < len(first) and not looks_numeric(str(first[label_at]))
    for j, cell in enumerate(first):
        above = last.cells[j] if j < len(last.cells) else ""
        spans_down = j < len(below) and below[j] is Covered.ABOVE
        if cell == "" and leading and j < label_at and above is Covered.ABOVE:
            first[j] = Covered.ABOVE
        elif spans_down and _label_fragment(cell) and _open_label(a, last, j, before):
            _append_text(a, len(a.rows) - 1, j, str(cell))
            first[j] = Covered.ABOVE
    return replace(rows[0], cells=tuple(first))


def _open_label(a: Grid, last: GridRow, j: int, before: PageText) -> bool:
    """Whether cell ``j`` of the last row above the break is a label that may go on below it."""
    above = last.cells[j]
    if above is Covered.ABOVE:
        return True
    return _filled(above) and not looks_numeric(str(above)) and _ends_full(a, last, j, before)
