"""Crawled reports (one cell per line, runs of identical lines collapsed) against hand-read values.

Every value the package decides must equal the hand-read one; a cell the reader could not place
must stay undecided; and at least 95 % of the cells a careful reader places must come back.
"""

import csv
import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import RAW_DIR

import govreports as gr
from govreports.schema import DECIDED_STATUSES

GOLDEN_CRAWL = Path(__file__).parent / "golden_crawl"
CRAWLS = sorted(f.name for f in GOLDEN_CRAWL.iterdir() if (f / "expected_cells.csv").exists())
PLACED = ("printed", "rebuilt")

# Prose totals the figure reader does not yet find (or, in putian-021, takes from the wrong
# sentence), each a strict xfail so that a fix is noticed.
PROACTIVE_GAPS = {
    rid: "the stated proactive total is not read"
    for rid in ("putian-001", "putian-008", "putian-011", "putian-014", "putian-016", "putian-024")
} | {
    "putian-021": "送交主动公开政府信息10854件 (copies sent to archives) is read instead of 11543",
    "putian-028": "the total is worded 规范完成32条政府信息公开工作",
    "putian-032": "the stated proactive total is not read",
}


def _expected(report_id: str) -> list[dict]:
    with open(GOLDEN_CRAWL / report_id / "expected_cells.csv", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def crawled():
    return {rid: gr.read_report(RAW_DIR / "putian" / f"{rid}.txt") for rid in CRAWLS}


def _values(report) -> dict[tuple, float | None]:
    cells = report.cells
    values = [None if pd.isna(v) else float(v) for v in cells.value]
    return dict(zip(zip(cells.table, cells.row_key, cells.col_key, strict=True), values, strict=True))


@pytest.mark.parametrize("report_id", CRAWLS)
def test_no_decided_value_differs_from_the_report(crawled, report_id):
    got = _values(crawled[report_id])
    for row in _expected(report_id):
        value = got[(row["table"], row["row_key"], row["col_key"])]
        if row["reading"] in PLACED:
            assert value is None or value == float(row["value"]), row
        else:  # what a careful reader cannot place, the package does not decide either
            assert value is None, row


@pytest.mark.parametrize("report_id", CRAWLS)
def test_decided_cells_carry_a_decided_status(crawled, report_id):
    cells = crawled[report_id].cells
    decided = cells[cells.value.notna()]
    assert decided.status.isin(DECIDED_STATUSES).all()
    assert cells[cells.value.isna()].status.isin(DECIDED_STATUSES).sum() == 0


def test_nearly_every_placeable_cell_comes_back(crawled):
    placed = exact = 0
    for report_id in CRAWLS:
        got = _values(crawled[report_id])
        for row in _expected(report_id):
            if row["reading"] in PLACED:
                placed += 1
                exact += got[(row["table"], row["row_key"], row["col_key"])] == float(row["value"])
    assert placed > 2000
    assert exact / placed >= 0.95


@pytest.mark.parametrize("report_id", sorted(f.name for f in GOLDEN_CRAWL.iterdir() if f.is_dir()))
def test_crawled_metadata(report_id, request):
    expected = json.loads((GOLDEN_CRAWL / report_id / "expected_meta.json").read_text(encoding="utf-8"))
    report = gr.read_report(RAW_DIR / "putian" / f"{report_id}.txt")
    meta = report.meta
    assert (meta["organ"], meta["year"], meta["template"]) == (
        expected["organ"],
        expected["year"],
        expected["template"],
    )
    assert meta["source_url"].startswith("https://www.putian.gov.cn/")
    if expected["template"] == "none":
        assert report.cells.empty
        figures = dict(zip(report.figures.figure, report.figures.value, strict=True))
        assert (figures["applications_received"], figures["reviews"]) == (
            expected["applications_received"],
            expected["appeals_review"],
        )
        return
    if report_id in PROACTIVE_GAPS:
        request.applymarker(pytest.mark.xfail(reason=PROACTIVE_GAPS[report_id], strict=True))
    total = report.figures.query("figure == 'proactive_total'").value
    assert len(total) == 1 and total.iloc[0] == expected["proactive_total"]


def test_reports_before_the_templates_invent_no_cells():
    corpus = gr.read_reports(RAW_DIR / "putian")
    early = corpus.reports[corpus.reports.year < 2019]
    assert len(early) == 3
    assert set(early.template) == {"none"}
    assert not corpus.cells.report_id.isin(early.report_id).any()
    assert corpus.failures.empty
