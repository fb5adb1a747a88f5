import re
from pathlib import Path

import pandas as pd
import pytest
from conftest import RAW_DIR

import govreports as gr
from govreports import stats
from govreports.schema import APPLICATIONS, DECIDED_STATUSES
from govreports.stats.indicators import INDICATOR_COLUMNS, INDICATORS, indicators, indicators_wide

CODEBOOK = Path(__file__).resolve().parents[1] / "docs" / "codebook.md"

# One 2021 report's 总计 column of 表三 and its 表四, with every cell printed.
T3 = {
    "new_received": 20, "carried_over": 0, "granted": 6, "partially_granted": 2,
    "withheld_state_secret": 1, "withheld_law_prohibited": 0, "withheld_three_safeties": 0,
    "withheld_third_party": 1, "withheld_internal_affairs": 0, "withheld_process_info": 0,
    "withheld_enforcement_file": 0, "withheld_admin_query": 0, "unable_not_held": 3,
    "unable_needs_creation": 1, "unable_unclear": 0, "not_processed_complaint": 2,
    "not_processed_duplicate": 1, "not_processed_publication": 0, "not_processed_excessive": 0,
    "not_processed_confirmation": 0, "other_no_correction": 1, "other_no_fee": 0, "other_other": 0,
    "total_processed": 18, "carried_forward": 2,
}  # fmt: skip
T4 = {
    "review": {"upheld": 2, "corrected": 1, "other": 1, "pending": 1, "total": 5},
    "litigation_direct": {"upheld": 1, "corrected": 1, "other": 0, "pending": 0, "total": 2},
    "litigation_after_review": {"upheld": 0, "corrected": 0, "other": 0, "pending": 1, "total": 1},
}
EXPECTED = {
    "full_grant_rate": (6, 14, 6 / 14),
    "substantive_grant_rate": (8, 18, 8 / 18),
    "withheld_share": (2, 18, 2 / 18),
    "unable_share": (4, 18, 4 / 18),
    "practical_refusal_share": (4, 6, 4 / 6),
    "not_processed_share": (3, 18, 3 / 18),
    "reviews_per_100": (5, 20, 25.0),
    "lawsuits_per_100": (3, 20, 15.0),
    "review_correction_rate": (1, 4, 0.25),
    "litigation_correction_rate": (1, 2, 0.5),
}


def _cells(report_id="r", t3=None, t4=None, status=None, drop=()):
    """A cells frame; ``status`` maps (table, row, col) to a status whose value is then missing."""
    status = status or {}
    records = []
    for row, value in (t3 or T3).items():
        records.append(("applications", row, "total", float(value)))
    for row, cols in (t4 or T4).items():
        records.extend(("appeals", row, col, float(value)) for col, value in cols.items())
    rows = []
    for table, row, col, value in records:
        if (table, row, col) in drop:
            continue
        state = status.get((table, row, col), "ok")
        kept = value if state in (*DECIDED_STATUSES, "inferred", "negative") else None
        rows.append((report_id, table, row, col, kept, state))
    frame = pd.DataFrame(rows, columns=["report_id", "table", "row_key", "col_key", "value", "status"])
    return frame.astype({"table": "category", "value": "Float64", "status": "category"})


def _by_indicator(long, report_id="r"):
    return long.loc[long.report_id == report_id].set_index("indicator")


def test_exact_values_on_a_complete_report():
    long = indicators(_cells())
    assert list(long.columns) == list(INDICATOR_COLUMNS)
    assert long.indicator.tolist() == list(INDICATORS)
    got = _by_indicator(long)
    for key, (numerator, denominator, value) in EXPECTED.items():
        row = got.loc[key]
        assert (row.numerator, row.denominator) == (numerator, denominator), key
        assert row.value == pytest.approx(value), key
        assert row.n_cells_missing == 0, key
    assert long.dtypes.astype(str).tolist() == ["string", "string", "Float64", "Float64", "Float64", "Int64"]


def test_the_2019_one_row_other_does_not_change_the_indicators():
    t3 = {k: v for k, v in T3.items() if not k.startswith("other_")} | {"other_total": 1}
    got = _by_indicator(indicators(_cells(t3=t3)))
    for key, (_, _, value) in EXPECTED.items():
        assert got.loc[key, "value"] == pytest.approx(value), key


def test_a_blank_cell_is_missing_never_zero():
    cells = _cells(status={("applications", "withheld_admin_query", "total"): "blank"})
    got = _by_indicator(indicators(cells))
    for key in ("full_grant_rate", "withheld_share", "practical_refusal_share"):
        assert pd.isna(got.loc[key, "value"]) and got.loc[key, "n_cells_missing"] == 1, key
    assert pd.isna(got.loc["full_grant_rate", "denominator"])
    assert got.loc["full_grant_rate", "numerator"] == 6  # its own cells are all there
    assert got.loc["unable_share", "value"] == pytest.approx(4 / 18)  # does not need the blank


@pytest.mark.parametrize("state", ["inferred", "negative", "ambiguous", "slash", "duplicated"])
def test_undecided_statuses_are_missing(state):
    cells = _cells(status={("appeals", "review", "corrected"): state})
    row = _by_indicator(indicators(cells)).loc["review_correction_rate"]
    assert pd.isna(row.value) and pd.isna(row.numerator) and row.n_cells_missing == 1


def test_inferred_cells_count_when_asked():
    cells = _cells(status={("appeals", "review", "corrected"): "inferred"})
    long = indicators(cells, statuses=(*DECIDED_STATUSES, "inferred"))
    row = _by_indicator(long).loc["review_correction_rate"]
    assert row.value == 0.25


def test_a_cell_absent_from_the_frame_is_missing():
    cells = _cells(drop={("appeals", "litigation_after_review", "total")})
    row = _by_indicator(indicators(cells)).loc["lawsuits_per_100"]
    assert pd.isna(row.value) and row.n_cells_missing == 1 and row.denominator == 20


def test_a_cell_printed_twice_counts_only_when_the_copies_agree():
    cells = _cells()
    granted = cells.loc[cells.row_key == "granted"]
    same = pd.concat([cells, granted], ignore_index=True)
    assert _by_indicator(indicators(same)).loc["full_grant_rate", "value"] == pytest.approx(6 / 14)
    other = pd.concat([cells, granted.assign(value=pd.array([7.0], dtype="Float64"))], ignore_index=True)
    row = _by_indicator(indicators(other)).loc["full_grant_rate"]
    assert pd.isna(row.value) and row.n_cells_missing == 1


def test_zero_denominator_gives_na_not_zero():
    t3 = dict.fromkeys(T3, 0)
    t4 = {row: dict.fromkeys(cols, 0) for row, cols in T4.items()}
    t4["review"] |= {"upheld": 1, "total": 1}  # a review but no new application
    got = _by_indicator(indicators(_cells(t3=t3, t4=t4)))
    assert got.value.isna().sum() == len(INDICATORS) - 1
    assert got.loc["review_correction_rate", "value"] == 0
    row = got.loc["reviews_per_100"]
    assert (row.numerator, row.denominator, row.n_cells_missing) == (1, 0, 0) and pd.isna(row.value)


def test_corpus_input_lists_reports_without_cells():
    class FakeCorpus:
        cells = _cells("a")
        reports = pd.DataFrame({"report_id": ["a", "old"], "scope": ["organ", "organ"]})

    long = indicators(FakeCorpus())
    old = _by_indicator(long, "old")
    assert old.value.isna().all() and len(old) == len(INDICATORS)
    for key, indicator in INDICATORS.items():
        assert old.loc[key, "n_cells_missing"] == len(indicator.cells)
    wide = indicators_wide(long, FakeCorpus.reports)
    assert wide.columns.tolist() == ["report_id", "scope", *INDICATORS]
    assert wide.set_index("report_id").loc["a", "lawsuits_per_100"] == 15


def test_a_panel_or_other_input_is_refused():
    with pytest.raises(ValueError, match="cells frame"):
        indicators(pd.DataFrame({"report_id": ["a"], "granted": [1.0]}))
    with pytest.raises(TypeError):
        indicators([1, 2])


def test_empty_cells_frame():
    long = indicators(_cells().iloc[:0])
    assert long.empty and list(long.columns) == list(INDICATOR_COLUMNS)


def test_on_the_seed_reports():
    seeds = gr.read_reports(sorted(RAW_DIR.glob("00[0-4]_*.txt")))
    long = indicators(seeds)
    assert len(long) == len(seeds.reports) * len(INDICATORS)
    wide = indicators_wide(long, stats.report_panel(seeds)).set_index("organ")
    # 刚察: 2 applications, both granted, no review.
    assert wide.loc["刚察县人民政府办公室", "full_grant_rate"] == 1
    assert wide.loc["刚察县人民政府办公室", "reviews_per_100"] == 0
    # 东宁市's 表四 rows print more cells than the template (status surplus_cells): their values
    # are not decided, so they are missing, not 0.
    dongning = _by_indicator(long, seeds.reports.set_index("organ").loc["东宁市", "report_id"])
    row = dongning.loc["lawsuits_per_100"]
    assert pd.isna(row.value) and pd.isna(row.numerator) and row.n_cells_missing == 2


def test_indicator_rows_are_template_rows():
    rows = {r.key for r in APPLICATIONS.rows}
    for indicator in INDICATORS.values():
        for table, row, col in indicator.cells:
            spec = gr.schema.TABLES[table]
            assert spec.row(row) and spec.col(col), (table, row, col)
            assert table != "applications" or row in rows


# --- The codebook lists exactly what the function computes ---------------------------------


def _codebook_sections():
    text = CODEBOOK.read_text(encoding="utf-8")
    parts = re.split(r"^### `(\w+)`\s*$", text, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_codebook_lists_exactly_the_computed_indicators():
    sections = _codebook_sections()
    computed = indicators(_cells()).indicator.tolist()
    assert list(sections) == computed == list(INDICATORS)


@pytest.mark.parametrize("key", list(INDICATORS))
def test_codebook_entry_matches_the_definition(key):
    section = _codebook_sections()[key]
    indicator = INDICATORS[key]
    for field in ("Chinese name", "Definition", "Formula", "Denominator", "Caveats"):
        assert f"- **{field}:**" in section, (key, field)
    assert f"- **Chinese name:** {indicator.name}" in section
    formula = re.search(r"\*\*Formula:\*\* `([^`]*)`", section).group(1)
    assert " ".join(formula.split()) == indicator.formula
