"""Ruled tables from rulings: the cells pdfplumber's lattice finder finds, on hand-drawn and random grids."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pdfplumber.table import cells_to_tables, edges_to_intersections, intersections_to_cells, merge_edges
from pdfplumber.utils import filter_edges

from govreports.readers.pdf_lattice import Ruling, find_tables


def _grid(xs, ys) -> list[Ruling]:
    """Every ruling of a plain grid: horizontals at ys, verticals at xs."""
    return [Ruling(False, y, xs[0], xs[-1]) for y in ys] + [Ruling(True, x, ys[0], ys[-1]) for x in xs]


def test_a_plain_grid_is_one_table_of_its_cells():
    (table,) = find_tables(_grid([0, 50, 100], [0, 20, 40]))
    assert sorted(table) == [(0, 0, 50, 20), (0, 20, 50, 40), (50, 0, 100, 20), (50, 20, 100, 40)]


def test_a_cell_spanning_two_rows_is_one_cell():
    rulings = _grid([0, 50, 100], [0, 40])
    rulings += [Ruling(False, 20, 50, 100)]  # splits the right column only
    (table,) = find_tables(rulings)
    assert sorted(table) == [(0, 0, 50, 40), (50, 0, 100, 20), (50, 20, 100, 40)]


def test_double_borders_and_gaps_within_3_points_are_one_ruling():
    # Word draws a border as a thin filled rectangle: two rulings 0.5 pt apart; a border broken
    # by 2 pt is still one; and a vertical that stops 2 pt short of a horizontal still meets it.
    rulings = [
        Ruling(False, 0, 0, 100),
        Ruling(False, 0.5, 0, 100),
        Ruling(False, 30, 0, 48),
        Ruling(False, 30, 50, 100),
        Ruling(True, 0, 2, 30),
        Ruling(True, 100, 0, 30),
        Ruling(True, 60, 0, 30),
    ]
    (table,) = find_tables(rulings)
    assert sorted(table) == [(0, 0.25, 60, 30), (60, 0.25, 100, 30)]


def test_a_lone_box_and_short_rulings_are_not_tables():
    assert find_tables(_grid([0, 100], [0, 20])) == []  # one cell: a framed paragraph
    assert find_tables(_grid([0, 2, 2.5], [0, 2, 2.5])) == []  # rulings under 3 pt


def test_two_separate_tables_come_top_to_bottom():
    lower, upper = _grid([0, 50, 100], [200, 220, 240]), _grid([0, 50, 100], [0, 20, 40])
    tables = find_tables(lower + upper)
    assert [min(c[1] for c in t) for t in tables] == [0, 200]


def _edge(r: Ruling) -> dict:
    if r.vertical:
        box = {"x0": r.at, "x1": r.at, "top": r.start, "bottom": r.end, "width": 0, "height": r.length}
    else:
        box = {"x0": r.start, "x1": r.end, "top": r.at, "bottom": r.at, "width": r.length, "height": 0}
    return {**box, "doctop": box["top"], "orientation": "v" if r.vertical else "h", "object_type": "line"}


def _pdfplumber_tables(rulings: list[Ruling]) -> list[list[tuple]]:
    """The same rulings through pdfplumber's own finder, with its default settings."""
    edges = filter_edges([_edge(r) for r in rulings], min_length=1)
    edges = filter_edges(merge_edges(edges, 3, 3, 3, 3), min_length=3)
    return cells_to_tables(intersections_to_cells(edges_to_intersections(edges, 3, 3)))


# Rulings on a coarse lattice (10 pt apart, so that snapping moves none: pdfplumber moves an edge
# by adding the cluster's mean minus its position, which leaves float noise that splits a line in
# two) with ends a little off it: gaps and overhangs around the join and crossing tolerances.
# Snapping itself is tested above and on every page of the PDFs in tests/test_pdf.py.
_offset = st.sampled_from([0.0, 0.5, 1.5, 2.5, 3.0, 4.0, -0.5, -2.5, -4.0])
_end = st.builds(lambda k, d: 10.0 * k + d, st.integers(0, 12), _offset)


@st.composite
def _rulings(draw) -> list[Ruling]:
    found = []
    for _ in range(draw(st.integers(0, 24))):
        at, a, b = 10.0 * draw(st.integers(0, 12)), draw(_end), draw(_end)
        if a != b:
            found.append(Ruling(draw(st.booleans()), at, min(a, b), max(a, b)))
    return found


@settings(max_examples=300, deadline=None)
@given(_rulings())
def test_the_cells_are_those_pdfplumber_finds(rulings):
    mine = sorted(sorted(t) for t in find_tables(rulings))
    theirs = sorted(sorted(t) for t in _pdfplumber_tables(rulings))
    assert len(mine) == len(theirs)
    for a, b in zip(mine, theirs, strict=True):
        assert len(a) == len(b)
        assert [c for cell in a for c in cell] == pytest.approx([c for cell in b for c in cell], abs=1e-9)
