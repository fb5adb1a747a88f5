"""Ruled tables from a PDF's own vector paths: rulings, their crossings, cells, tables.

pdfium gives every path object of a page with its segments; :func:`page_rulings` keeps their
horizontal and vertical straight pieces (lines, rectangle sides, and the borders Word, WPS and
LibreOffice draw as thin filled rectangles). :func:`find_tables` then finds the cells the way
pdfplumber's lattice finder does, with its default tolerances, so that both engines see the
same tables: rulings within 3 pt of each other are snapped to their mean and joined when their
ends are 3 pt apart or less; a crossing (3 pt of slack) is a corner; a cell is the smallest
rectangle whose four corners are joined by rulings; cells that share a corner make a table.

The rulings are read while pdfium has the page open for its text layer, so a table page costs
a millisecond or two rather than the tenth of a second of parsing the page again.

>>> box = [Ruling(False, y, 0, 100) for y in (0, 20, 40)] + [Ruling(True, x, 0, 40) for x in (0, 50, 100)]
>>> find_tables(box)  # two rows of two cells
[[(0.0, 0.0, 50.0, 20.0), (0.0, 20.0, 50.0, 40.0), (50.0, 0.0, 100.0, 20.0), (50.0, 20.0, 100.0, 40.0)]]
"""

from __future__ import annotations

import ctypes
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pypdfium2.raw as pdfium_raw

__all__ = ["MAX_OBJECTS", "MAX_RULINGS", "Ruling", "TooManyRulingsError", "find_tables", "page_rulings"]

SNAP = 3.0  # points: rulings this close are one (pdfplumber's snap_tolerance)
JOIN = 3.0  # points: collinear rulings with ends this close are joined (join_tolerance)
CROSS = 3.0  # points: slack for two rulings to cross (intersection_tolerance)
MIN_PIECE = 1.0  # points: shorter pieces of paths are dropped before snapping (edge_min_length_prefilter)
MIN_RULING = 3.0  # points: shorter rulings are dropped after joining (edge_min_length)
_STRAIGHT = 1e-3  # points: a piece this far from level or plumb is neither
_MAX_FORM_DEPTH = 8  # nested form XObjects followed; deeper ones are decoration, or hostile

Box = tuple[float, float, float, float]  # left, top, right, bottom; points from the page top


@dataclass(frozen=True)
class Ruling:
    """A horizontal or vertical line on the page, in points from the page's top left.

    ``at`` is the x of a vertical ruling or the y of a horizontal one; ``start`` < ``end`` are
    its ends along its length.
    """

    vertical: bool
    at: float
    start: float
    end: float

    @property
    def length(self) -> float:
        """Return the ruling's length."""
        return self.end - self.start


MAX_OBJECTS = 200_000
"""Page objects (form contents counted each time a form is drawn) past which a page is refused."""
MAX_RULINGS = 20_000
"""Ruling pieces past which a page is refused (a report's table page draws a few hundred)."""


class TooManyRulingsError(ValueError):
    """A page draws more objects or ruling pieces than a report's table page ever does."""


def page_rulings(page: pdfium_raw.FPDF_PAGE, height: float) -> tuple[Ruling, ...]:
    """Return the straight horizontal and vertical pieces of every path drawn on the page.

    Pieces inside form XObjects are included (to a nesting depth of 8), in page coordinates.

    Raises:
        TooManyRulingsError: past :data:`MAX_OBJECTS` objects or :data:`MAX_RULINGS` pieces (a
            form drawn ten times inside itself eight deep would be 10⁸ objects).
    """
    count, get = pdfium_raw.FPDFPage_CountObjects, pdfium_raw.FPDFPage_GetObject
    objects = [get(page, k) for k in range(min(count(page), MAX_OBJECTS + 1))]
    found: list[Ruling] = []
    visited = 0
    for ruling in _rulings(objects, _IDENTITY, height, 0):
        if ruling is None:
            visited += 1
            if visited > MAX_OBJECTS:
                raise TooManyRulingsError(f"it draws over {MAX_OBJECTS:,} objects")
        else:
            found.append(ruling)
            if len(found) > MAX_RULINGS:
                raise TooManyRulingsError(f"it draws over {MAX_RULINGS:,} ruling lines")
    return tuple(found)


_IDENTITY = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
Matrix = tuple[float, float, float, float, float, float]


def _rulings(
    objects: list[pdfium_raw.FPDF_PAGEOBJECT], outer: Matrix, height: float, depth: int
) -> Iterator[Ruling | None]:
    """Yield the rulings of the objects, and None for every object visited (to count them)."""
    kind = pdfium_raw.FPDFPageObj_GetType
    for obj in objects:
        yield None
        found = kind(obj)
        if found == pdfium_raw.FPDF_PAGEOBJ_PATH:
            yield from _path_rulings(obj, _compose(_matrix(obj), outer), height)
        elif found == pdfium_raw.FPDF_PAGEOBJ_FORM and depth < _MAX_FORM_DEPTH:
            inner = pdfium_raw.FPDFFormObj_GetObject
            members = [inner(obj, k) for k in range(pdfium_raw.FPDFFormObj_CountObjects(obj))]
            yield from _rulings(members, _compose(_matrix(obj), outer), height, depth + 1)


def _matrix(obj: pdfium_raw.FPDF_PAGEOBJECT) -> Matrix:
    m = pdfium_raw.FS_MATRIX()
    if not pdfium_raw.FPDFPageObj_GetMatrix(obj, m):
        return _IDENTITY
    return (m.a, m.b, m.c, m.d, m.e, m.f)


def _compose(inner: Matrix, outer: Matrix) -> Matrix:
    """Return the matrix that applies ``inner`` and then ``outer``."""
    a, b, c, d, e, f = inner
    p, q, r, s, t, u = outer
    return (a * p + b * r, a * q + b * s, c * p + d * r, c * q + d * s, e * p + f * r + t, e * q + f * s + u)


def _path_rulings(obj: pdfium_raw.FPDF_PAGEOBJECT, matrix: Matrix, height: float) -> Iterator[Ruling]:
    """Yield the level and plumb straight pieces of one path; curves are not rulings."""
    a, b, c, d, e, f = matrix
    x, y = ctypes.c_float(), ctypes.c_float()
    start = previous = None
    for k in range(pdfium_raw.FPDFPath_CountSegments(obj)):
        segment = pdfium_raw.FPDFPath_GetPathSegment(obj, k)
        pdfium_raw.FPDFPathSegment_GetPoint(segment, x, y)
        point = (a * x.value + c * y.value + e, height - (b * x.value + d * y.value + f))
        kind = pdfium_raw.FPDFPathSegment_GetType(segment)
        if kind == pdfium_raw.FPDF_SEGMENT_LINETO and previous is not None:
            yield from _straight(previous, point)
        elif kind == pdfium_raw.FPDF_SEGMENT_MOVETO:
            start = point
        if pdfium_raw.FPDFPathSegment_GetClose(segment) and start is not None:
            yield from _straight(point, start)
        previous = point


def _straight(p: tuple[float, float], q: tuple[float, float]) -> Iterator[Ruling]:
    (x0, y0), (x1, y1) = p, q
    if abs(x0 - x1) <= _STRAIGHT and abs(y0 - y1) > _STRAIGHT:
        yield Ruling(True, (x0 + x1) / 2, min(y0, y1), max(y0, y1))
    elif abs(y0 - y1) <= _STRAIGHT and abs(x0 - x1) > _STRAIGHT:
        yield Ruling(False, (y0 + y1) / 2, min(x0, x1), max(x0, x1))


def find_tables(rulings: list[Ruling] | tuple[Ruling, ...]) -> list[list[Box]]:
    """Return the tables the rulings draw, top to bottom, each as its cells' boxes.

    A table has at least two cells; cells are listed by column, then row.
    """
    merged = [r for r in _merge([r for r in rulings if r.length >= MIN_PIECE]) if r.length >= MIN_RULING]
    corners = _corners(merged)
    cells = _cells(corners)
    return _group(cells)


def _merge(rulings: list[Ruling]) -> list[Ruling]:
    """Snap rulings within SNAP of each other to their mean, then join collinear neighbours."""
    merged: list[Ruling] = []
    for vertical in (True, False):
        snapped = _snap(sorted((r for r in rulings if r.vertical is vertical), key=lambda r: r.at))
        lines: dict[float, list[Ruling]] = defaultdict(list)
        for ruling in snapped:
            lines[ruling.at].append(ruling)
        for at in sorted(lines):
            merged.extend(_join(sorted(lines[at], key=lambda r: r.start)))
    return merged


def _snap(rulings: list[Ruling]) -> list[Ruling]:
    """Cluster positions that follow each other within SNAP (a chain) and move each to its mean."""
    snapped: list[Ruling] = []
    cluster: list[Ruling] = []
    for ruling in [*rulings, None]:
        if cluster and (ruling is None or ruling.at > cluster[-1].at + SNAP):
            mean = sum(r.at for r in cluster) / len(cluster)
            snapped.extend(Ruling(r.vertical, mean, r.start, r.end) for r in cluster)
            cluster = []
        if ruling is not None:
            cluster.append(ruling)
    return snapped


def _join(rulings: list[Ruling]) -> list[Ruling]:
    joined = [rulings[0]]
    for ruling in rulings[1:]:
        last = joined[-1]
        if ruling.start <= last.end + JOIN:
            if ruling.end > last.end:
                joined[-1] = Ruling(last.vertical, last.at, last.start, ruling.end)
        else:
            joined.append(ruling)
    return joined


# A corner: where a vertical and a horizontal ruling cross, with the rulings through it (by
# their index), which tell which corners a ruling joins.
Corners = dict[tuple[float, float], tuple[set[int], set[int]]]


def _corners(rulings: list[Ruling]) -> Corners:
    verticals = [(k, r) for k, r in enumerate(rulings) if r.vertical]
    horizontals = sorted(((k, r) for k, r in enumerate(rulings) if not r.vertical), key=lambda kr: kr[1].at)
    levels = [r.at for _, r in horizontals]
    corners: Corners = {}
    for kv, v in verticals:
        # Only the horizontals within the vertical's extent can cross it.
        for kh, h in horizontals[bisect_left(levels, v.start - CROSS) :]:
            if h.at > v.end + CROSS:
                break
            if h.start - CROSS <= v.at <= h.end + CROSS:
                through = corners.setdefault((v.at, h.at), (set(), set()))
                through[0].add(kv)
                through[1].add(kh)
    return corners


def _cells(corners: Corners) -> list[Box]:
    """Return, for each corner, the smallest cell it is the top left of (when there is one)."""
    down: dict[float, list[float]] = defaultdict(list)  # x → ys of the corners on it, ascending
    across: dict[float, list[float]] = defaultdict(list)  # y → xs, ascending
    for x, y in sorted(corners):
        down[x].append(y)
        across[y].append(x)

    def joined(p: tuple[float, float], q: tuple[float, float]) -> bool:
        kind = 0 if p[0] == q[0] else 1
        return bool(corners[p][kind] & corners[q][kind])

    cells = []
    for x, y in sorted(corners):
        ys, xs = down[x], across[y]
        cell = _smallest_cell(
            (x, y), ys[bisect_left(ys, y) + 1 :], xs[bisect_left(xs, x) + 1 :], corners, joined
        )
        if cell is not None:
            cells.append(cell)
    return cells


def _smallest_cell(
    top_left: tuple[float, float],
    below: list[float],
    right: list[float],
    corners: Corners,
    joined: Callable[[tuple[float, float], tuple[float, float]], bool],
) -> Box | None:
    x, y = top_left
    for y1 in below:
        if not joined(top_left, (x, y1)):
            continue
        for x1 in right:
            if not joined(top_left, (x1, y)):
                continue
            corner = (x1, y1)
            if corner in corners and joined(corner, (x1, y)) and joined(corner, (x, y1)):
                return (x, y, x1, y1)
    return None


def _group(cells: list[Box]) -> list[list[Box]]:
    """Group cells that share corners (transitively) into tables of two cells or more."""
    parent = list(range(len(cells)))

    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    first_at: dict[tuple[float, float], int] = {}
    for k, (x0, y0, x1, y1) in enumerate(cells):
        for corner in ((x0, y0), (x0, y1), (x1, y0), (x1, y1)):
            other = first_at.setdefault(corner, k)
            parent[root(k)] = root(other)
    tables: dict[int, list[Box]] = defaultdict(list)
    for k, cell in enumerate(cells):
        tables[root(k)].append(cell)
    found = [t for t in tables.values() if len(t) > 1]
    return sorted(found, key=lambda t: min((c[1], c[0]) for c in t))
