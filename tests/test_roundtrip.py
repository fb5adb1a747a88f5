"""Generate a consistent report → render it in each layout → parse it → the same cells."""

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

import govreports as gr
from govreports.render.text import LAYOUTS, render_text
from govreports.synth import generate_report

reports = st.builds(
    dict,
    seed=st.integers(0, 2**32 - 1),
    template=st.sampled_from(["2019", "2021"]),
    blank_rate=st.sampled_from([0.0, 0.05, 0.3]),
    placeholder_rate=st.sampled_from([0.0, 0.05]),
    one_row_other=st.booleans(),
    zero_share=st.sampled_from([0.0, 0.5, 1.0]),
)


def _cells(report: gr.Report) -> list[tuple]:
    c = report.cells
    values = [None if pd.isna(v) else float(v) for v in c.value]
    return list(zip(c.table, c.row_key, c.col_key, values, c.status, strict=True))


@settings(max_examples=60, deadline=None)
@given(params=reports, layout=st.sampled_from(LAYOUTS))
def test_render_then_parse_gives_the_same_cells(params, layout):
    if layout == "spaced":
        params["blank_rate"] = 0.0  # a space-separated row cannot show an empty cell
    synthetic = generate_report(**params)
    report = gr.read_report(text=render_text(synthetic, layout))
    assert report.meta["template"] == synthetic.template
    assert report.meta["year"] == synthetic.year
    assert _cells(report) == synthetic.expected()
    total = report.figures.query("figure == 'proactive_total'").value.iloc[0]
    assert total == synthetic.proactive_total


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
