"""Generate a consistent report → render it in each layout → parse it → the same cells."""

from conftest import REPORT_PARAMS, assert_round_trip
from hypothesis import given, settings
from hypothesis import strategies as st

import govreports as gr
from govreports.render.text import LAYOUTS, render_text
from govreports.schema import DECIDED_STATUSES
from govreports.synthetic import generate_report

reports = REPORT_PARAMS


@settings(max_examples=60, deadline=None)
@given(params=reports, layout=st.sampled_from(LAYOUTS))
def test_render_then_parse_gives_the_same_cells(params, layout):
    if layout == "spaced":
        params["blank_rate"] = 0.0  # a space-separated row cannot show an empty cell
    synthetic = generate_report(**params)
    assert_round_trip(gr.read_report(text=render_text(synthetic, layout)), synthetic)


@settings(max_examples=30, deadline=None)
@given(params=reports)
def test_generated_reports_satisfy_every_identity(params):
    params.update(blank_rate=0.0, placeholder_rate=0.0)
    report = gr.read_report(text=render_text(generate_report(**params), "tab_rows"))
    assert set(report.checks.status) == {"pass"}


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), layout=st.sampled_from(["tab_rows", "pipe", "cell_per_line"]))
def test_blanks_are_never_zero_and_identities_recover_single_blanks(seed, layout):
    synthetic = generate_report(seed, blank_rate=0.02)
    cells = gr.read_report(text=render_text(synthetic, layout)).cells
    blanks = cells[cells.status == "blank"]
    assert blanks.value.isna().all()
    filled = gr.fill_from_identities(cells)
    truth = generate_report(seed, blank_rate=0.0).cells
    for row in filled[filled.status == "inferred"].itertuples():
        assert row.value == truth[(row.table, row.row_key, row.col_key)][0]


@settings(max_examples=40, deadline=None)
@given(params=reports)
def test_one_cell_per_line_without_markers_reads_exactly(params):
    params.update(blank_rate=0.0, placeholder_rate=0.0)
    synthetic = generate_report(**params)
    assert_round_trip(gr.read_report(text=render_text(synthetic, "line_per_cell")), synthetic)


@settings(max_examples=60, deadline=None)
@given(params=reports)
def test_collapsed_runs_never_give_a_wrong_value(params):
    """A crawler kept one line of each run of identical lines: what is decided is the truth."""
    params.update(blank_rate=0.0, placeholder_rate=0.0)
    synthetic = generate_report(**params)
    report = gr.read_report(text=render_text(synthetic, "crawl_collapsed"))
    assert report.meta["organ"] == synthetic.organ and report.meta["source_url"] is None
    cells = report.cells
    decided = cells[cells.value.notna()]
    assert decided.status.isin(DECIDED_STATUSES).all()
    for row in decided.itertuples():
        assert row.value == synthetic.cells[(row.table, row.row_key, row.col_key)][0], row
    # A row of zeros printed as one 0 is rebuilt wherever the row has an identity (表三).
    zero_rows = {
        key[1]
        for key in synthetic.cells
        if key[0] == "applications"
        and all(v == 0 for k, (v, *_) in synthetic.cells.items() if k[:2] == key[:2])
    }
    applications = cells[cells.table == "applications"]
    assert applications[applications.row_key.isin(zero_rows)].value.notna().all()
