"""Every cell, the metadata and the proactive total of the bundled reports, as read by hand."""

import json

import pandas as pd
import pytest
from conftest import GOLDEN, GOLDEN_DIR, RAW_DIR, SEEDS, cell_tuples, golden_cells

import govreports as gr


@pytest.fixture(scope="module", params=sorted(GOLDEN))
def seed(request):
    return request.param, gr.read_report(GOLDEN[request.param])


def test_every_cell_matches_the_report(seed):
    report_id, report = seed
    assert cell_tuples(report.cells) == golden_cells(report_id)


# Figures the reader does not yet find, each a strict xfail so that a fix is noticed.
KNOWN_GAPS = {
    "pingtan-2019-crawl": "共公布政府信息2599条 under （一）基本情况 is not read as the proactive total",
}


def test_metadata_and_proactive_total(seed, request):
    report_id, report = seed
    if report_id in KNOWN_GAPS:
        request.applymarker(pytest.mark.xfail(reason=KNOWN_GAPS[report_id], strict=True))
    expected = json.loads((GOLDEN_DIR / report_id / "expected_meta.json").read_text(encoding="utf-8"))
    meta = report.meta
    assert (meta["organ"], meta["year"], meta["template"]) == (
        expected["organ"],
        expected["year"],
        expected["template"],
    )
    total = report.figures.query("figure == 'proactive_total'")
    assert len(total) == 1
    value = total.value.iloc[0]
    assert (None if pd.isna(value) else int(value)) == expected["proactive_total"]


@pytest.mark.parametrize("report_id", SEEDS)
def test_identities_hold_on_the_seed_reports(report_id):
    checks = gr.read_report(RAW_DIR / f"{report_id}.txt").checks
    assert not (checks.status == "fail").any()
    unassessable = checks[checks.status == "not_assessable"][["check_id", "scope"]].values.tolist()
    if report_id.startswith("002"):
        # The one blank cell ((六)1, total column) leaves exactly the two checks it enters.
        assert sorted(unassessable) == [
            ["T3.SUM_COLS", "other_no_correction"],
            ["T3.SUM_ROWS", "total"],
        ]
    else:
        assert unassessable == []


def test_surplus_row_is_flagged_not_shifted():
    report = gr.read_report(RAW_DIR / "002_5bfe4ddd4becc1ae.txt")
    appeals = report.cells.query("table == 'appeals'")
    assert set(appeals.status) == {"surplus_cells"}
    assert appeals.value.tolist() == [0.0] * 15


def test_corpus_of_the_bundled_reports_lists_every_file_once():
    corpus = gr.read_reports(RAW_DIR)
    assert set(SEEDS) <= set(corpus.reports.report_id)
    files = {str(p) for p in RAW_DIR.rglob("*") if p.is_file() and p.name != "MANIFEST.csv"}
    listed = list(corpus.reports.path) + list(corpus.failures.path)
    assert sorted(listed) == sorted(files)
