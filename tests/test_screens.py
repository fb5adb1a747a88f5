import math

import numpy as np
import pandas as pd
import pytest

from govreports import stats
from govreports.stats import screens
from govreports.stats.screens import (
    ALL_ZERO_FINDING,
    ERROR_SIZES,
    digit_notes,
    evaluate_outlier_screen,
    plant_errors,
    robust_outliers,
    screen_evidence,
    within_scope,
)


def _frame(values, scope="organ", level="county", organ_type="department", column="penalty"):
    n = len(values)
    return pd.DataFrame(
        {
            "report_id": [f"r{i}" for i in range(n)],
            "organ": [chr(ord("A") + i) for i in range(n)],
            "scope": scope,
            "level": level,
            "organ_type": organ_type,
            column: values,
        }
    )


# --- Outlier screen: scopes ----------------------------------------------------------------


def test_dongning_region_wide_total_is_never_compared_with_organs(panel):
    out = robust_outliers(panel).set_index(["organ", "variable"])
    row = out.loc[("东宁市", "penalty")]
    # The only region-wide county report among the seeds: nothing to compare it with.
    assert not row.assessable and not row.flagged and pd.isna(row.robust_z)
    assert row.review and row.finding == "group too small"
    assert row.value == 27780 and "27,780" in row.reason
    assert "1 region-wide report(s)" in row.reason
    assert "scope = region_aggregate, level = county" in row.reason
    # Still in the output, first among the values sent to review, largest first.
    ordered = robust_outliers(panel)
    assert ordered.loc[ordered.review, "value"].tolist()[:3] == [27780, 1772, 955]


def test_scopes_are_never_pooled_even_when_the_grouping_omits_scope():
    organs = _frame([10, 12, 15, 20, 25, 30], scope="organ")
    regions = _frame([2000, 2600], scope="region_aggregate")
    unknown = _frame([5000], scope=None)
    frame = pd.concat([organs, regions, unknown], ignore_index=True)
    frame["report_id"] = [f"r{i}" for i in range(len(frame))]
    out = robust_outliers(frame, ["penalty"], groupings=[("level",)])
    assert not out.flagged.any()
    organ_rows = out.loc[out.scope == "organ"]
    assert organ_rows.grouping.eq("scope = organ, level = county").all() and organ_rows.n_group.eq(6).all()
    others = out.loc[out.scope != "organ"].set_index("value")
    assert not others.assessable.any() and others.review.all()
    assert "2 region-wide report(s)" in others.loc[2600, "reason"]
    assert "1 scope-unknown report(s)" in others.loc[5000, "reason"]
    # Pooled with the organs (the old fallback), 2,000 and 2,600 would have stood out.
    pooled = robust_outliers(frame.assign(scope="organ"), ["penalty"])
    assert pooled.loc[pooled.value >= 2000, "flagged"].all()


def test_within_scope_and_a_panel_without_scope():
    assert within_scope([("level",), ()]) == (("scope", "level"), ("scope",))
    assert screens.DEFAULT_GROUPINGS == (("scope", "level", "organ_type"), ("scope", "level"))
    out = robust_outliers(_frame([1, 2, 3, 4, 5]).drop(columns="scope"), ["penalty"])
    assert out.grouping.eq("scope = unknown, level = county, organ_type = department").all()


# --- Outlier screen: MAD, minimum scale, all-zero groups ----------------------------------


def test_mad_and_the_finest_large_enough_group():
    frame = pd.DataFrame(
        {
            "report_id": list("abcdefg"),
            "organ": list("ABCDEFG"),
            "scope": "organ",
            "level": ["county"] * 6 + ["township"],
            "organ_type": "department",
            "penalty": [10, 20, 30, 40, 50, 5000, 1],
        }
    )
    out = robust_outliers(frame, ["penalty"]).set_index("organ")
    logs = np.log1p([10, 20, 30, 40, 50, 5000])
    median = np.median(logs)
    mad = np.median(np.abs(logs - median))
    assert out.loc["F", "robust_z"] == pytest.approx(0.6745 * (logs[5] - median) / mad)
    assert out.loc["F", "scale_kind"] == "MAD" and out.loc["F", "finding"] == "outlier"
    assert out.loc["F", "flagged"] and not out.loc["E", "flagged"]
    assert out.loc["F", "grouping"] == "scope = organ, level = county, organ_type = department"
    # The township is alone at its level: not compared with counties, and it says so.
    assert pd.isna(out.loc["G", "robust_z"]) and "not assessable" in out.loc["G", "reason"]
    assert out.loc["G", "review"]


@pytest.mark.parametrize("common", [0, 5])
def test_mad_zero_two_large_values_do_not_hide_each_other(common):
    values = [common] * 6 + [1000, 1200]
    out = robust_outliers(_frame(values), ["penalty"]).set_index("value")
    base = math.log1p(common)
    for big in (1000, 1200):
        row = out.loc[big]
        assert row.flagged and row.screen_pass == 1
        assert row.robust_z == pytest.approx((math.log1p(big) - base) / screens.MIN_SCALE)
        assert row.scale_kind == "minimum scale (MAD = 0)" and "MAD is 0" in row.reason
    assert not out.loc[common, "flagged"].any()
    assert out.loc[1000, "all_zero_group"] == (common == 0)
    # The mean absolute deviation, which the two large values inflate, would have hidden both.
    logs = np.log1p(values)
    meanad = np.mean(np.abs(logs - np.median(logs)))
    assert (math.log1p(1000) - base) / (1.253314 * meanad) < 3.5


def test_nonzero_in_an_all_zero_group_is_sent_to_review():
    out = robust_outliers(_frame([0, 0, 0, 0, 0, 0, 3, 40]), ["penalty"]).set_index("value")
    small = out.loc[3]
    assert small.robust_z == pytest.approx(math.log1p(3) / 0.5) and not small.flagged
    assert small.review and small.finding == ALL_ZERO_FINDING and ALL_ZERO_FINDING in small.reason
    large = out.loc[40]
    assert large.flagged and large.finding == f"outlier; {ALL_ZERO_FINDING}"
    assert not out.loc[0, "review"].any()


def test_minimum_scale_when_mad_is_tiny():
    out = robust_outliers(_frame([100, 100, 101, 101, 102, 103, 110]), ["penalty"]).set_index("value")
    row = out.loc[110]
    assert row.scale == 0.5 and row.scale_kind == "minimum scale (MAD smaller)"
    assert row.robust_z == pytest.approx((math.log1p(110) - math.log1p(101)) / 0.5)
    assert not out.flagged.any()
    with pytest.raises(ValueError, match="min_scale"):
        robust_outliers(_frame([1, 2, 3, 4, 5]), ["penalty"], min_scale=0)


def test_one_huge_value_does_not_mask_a_smaller_one():
    values = [10, 12, 14, 15, 16, 18, 20, 22, 25, 30, 3000, 900000]
    out = robust_outliers(_frame(values), ["penalty"]).set_index("value")
    assert out.loc[900000, "screen_pass"] == 1
    assert out.loc[3000, "flagged"]
    assert not out.loc[values[:10], "flagged"].any()


# --- Region context and fees ---------------------------------------------------------------


def test_region_context_on_seeds(panel):
    context = stats.region_context(panel).set_index("variable")
    # Organ reports among the seeds: three offices and departments; 鹤岗市东山区人民政府's scope
    # is unknown (a government's own report or region-wide) and is left out of the comparison.
    assert context.loc["penalty", ["organ", "value", "organ_median", "organ_n"]].tolist() == [
        "东宁市",
        27780,
        0,
        3,
    ]


def test_fee_unit_screen_ratio_and_ceiling():
    frame = pd.DataFrame(
        {
            "report_id": list("abcdefg"),
            "organ": list("ABCDEFG"),
            "scope": "organ",
            "level": ["county"] * 6 + ["township"],
            "fees_10k_yuan": [12.5, 30, 8, 20, 15, 251000, 20000],
        }
    )
    out = stats.fee_unit_screen(frame).set_index("organ")
    assert out.loc["F", "flagged"] and "times the median" in out.loc["F", "reason"]
    assert out.loc["F", "as_if_yuan"] == pytest.approx(25.1)
    # The township has no comparison group, but 20,000 万元 is above the township ceiling.
    assert out.loc["G", "flagged"] and "ceiling" in out.loc["G", "reason"]
    assert not out.loc[["A", "B", "C", "D", "E"], "flagged"].any()


def test_fee_unit_screen_never_pools_scopes():
    frame = _frame([10.0, 12, 8, 11, 9, 15000, 14000], column="fees_10k_yuan")
    frame["scope"] = ["organ"] * 5 + ["region_aggregate"] * 2
    out = stats.fee_unit_screen(frame, by=("level",), ceilings={}).set_index("organ")
    # The two region-wide amounts are a group of two: no ratio, not flagged against organs.
    assert out.loc[["F", "G"], "ratio_to_median"].isna().all() and not out.flagged.any()


def test_fee_unit_screen_on_seeds_flags_nothing(panel):
    out = stats.fee_unit_screen(panel)
    assert out.organ.tolist() == ["东宁市"] and not out.flagged.any()


# --- Evidence ------------------------------------------------------------------------------


def test_screen_evidence_gathers_prose_other_years_population_and_digits():
    panel = pd.DataFrame(
        {
            "report_id": ["a21", "a22", "a23", "g22", "b22"],
            "organ": ["甲局", "甲局", "甲局", "甲局", "乙县"],
            "scope": ["organ", "organ", "organ", "region_aggregate", "organ"],
            "level": "county",
            "year": [2021, 2022, 2023, 2022, 2022],
            "county": [None, None, None, None, "乙县"],
            "new_received": [40.0, 400.0, 38.0, 9000.0, 11111.0],
            "fees_10k_yuan": [12.0, 11.0, 130000.0, None, None],
        }
    )
    outliers = pd.DataFrame(
        {
            "report_id": ["a22", "a23", "b22", "a21"],
            "variable": ["new_received", "fees_10k_yuan", "new_received", "new_received"],
            "value": [400.0, 130000.0, 11111.0, 40.0],
            "flagged": [True, True, False, False],
            "review": [True, True, True, False],
            "finding": ["outlier", "outlier", "group too small", ""],
        }
    )
    figures = pd.DataFrame(
        {
            "report_id": ["a22", "a22", "b22"],
            "figure": ["applications_received", "proactive_total", "applications_received"],
            "value": [40.0, 999.0, 11111.0],
        }
    )
    out = screen_evidence(outliers, panel, figures=figures, population={"甲局": 80_000, "乙县": 500_000})
    assert list(out.columns) == list(screens._EVIDENCE_COLUMNS) and len(out) == 3
    a22, a23, b22 = (out.set_index("report_id").loc[r] for r in ("a22", "a23", "b22"))
    # The prose says 40, the table 400; the other years (same organ and scope only) are 40 and 38.
    assert a22.prose_values == "40" and not a22.prose_agrees
    assert a22.other_years == "2021: 40; 2023: 38" and a22.n_other_years == 2
    assert a22.other_years_median == 39 and a22.ratio_to_other_years == pytest.approx(400 / 39)
    assert a22.per_10k == pytest.approx(50.0) and a22.population_of == "甲局"
    assert a22.digit_notes == (
        "≈10× the organ's other years: an extra digit?; ≈10× the figure stated in the prose: an extra digit?"
    )
    assert "the prose states 40 (differs)" in a22.evidence
    # A fee 10,000 times the organ's other years: 元 for 万元.
    assert "≈10,000× the organ's other years: 元 entered where 万元 belongs?" in a23.digit_notes
    assert "read as 元 it would be 13.00 万元" in a23.digit_notes
    assert pd.isna(a23.prose_agrees) and "no prose figure" in a23.evidence
    # No other year; the prose agrees; the population is the county's.
    assert b22.n_other_years == 0 and b22.prose_agrees and b22.population_of == "乙县"
    assert "all digits the same (11111)" in b22.digit_notes


def test_screen_evidence_works_without_figures_or_population(panel):
    out = screen_evidence(robust_outliers(panel), panel)
    assert len(out) == 4 and out.per_10k.isna().all() and out.prose_values.isna().all()
    assert screen_evidence(robust_outliers(panel), panel, rows="flagged").empty
    with pytest.raises(ValueError, match="rows"):
        screen_evidence(robust_outliers(panel), panel, rows="some")


@pytest.mark.parametrize(
    ("value", "variable", "expected"),
    [
        (4444, None, ["all digits the same (4444)"]),
        (1777772, None, ["a run of 5 identical digits (1777772)"]),
        (1000000, None, ["ends in 0000"]),
        (1234.5, "fees_10k_yuan", []),
        (25.0, None, []),
    ],
)
def test_digit_notes(value, variable, expected):
    assert digit_notes(value, variable=variable) == expected


# --- Planting realistic errors and measuring recall ----------------------------------------


def test_plant_errors_exact():
    clean = pd.DataFrame({"report_id": list("abcde"), "penalty": [7.0, 10.0, 0.0, None, 12.5]})
    dirty, planted = plant_errors(clean, ["penalty"], seed=0, errors={"÷10": 0.1}, rate=1.0)
    # A one-digit value has no digit to drop; 0 and blanks are never planted.
    assert dirty.penalty.tolist()[:3] == [7.0, 1.0, 0.0] and pd.isna(dirty.penalty[3])
    assert dirty.penalty[4] == pytest.approx(1.25)
    assert planted.report_id.tolist() == ["b", "e"]
    dirty, planted = plant_errors(clean, ["penalty"], seed=0, rate=1.0)
    # Each value gets one error only: the first error size (ascending) that takes it.
    assert planted.set_index("report_id").error.to_dict() == {
        "b": "dropped digit (÷10)",
        "e": "dropped digit (÷10)",
        "a": "extra digit (×10)",
    }
    assert clean.penalty.tolist()[:3] == [7.0, 10.0, 0.0]  # the input is left alone


def _clean_panel(n=1500, seed=0):
    rng = np.random.default_rng(seed)
    level = rng.choice(["county", "township"], n)
    ids = [f"r{i}" for i in range(n)]
    frame = pd.DataFrame({"report_id": ids, "scope": "organ", "level": level, "organ_type": "department"})
    for kind, mean in {"licensing": 5.0, "penalty": 4.0, "coercion": 2.5}.items():
        value = np.round(np.exp(rng.normal(mean - (level == "township"), 0.8)))
        frame[kind] = np.where(rng.random(n) < 0.2, 0.0, value)
    return frame


def test_recall_table_shape_and_monotone_in_error_size():
    evaluation = evaluate_outlier_screen(_clean_panel(), seed=4, rate=0.02)
    table = evaluation.recall
    assert table.error.tolist() == list(ERROR_SIZES) and table.factor.is_monotonic_increasing
    assert list(table.columns) == [
        "error", "factor", "planted", "flagged", "recall", "ci_low", "ci_high", "reviewed", "review_recall",
    ]  # fmt: skip
    assert (table.planted >= 40).all() and table.planted.sum() == evaluation.n_planted
    assert table.recall.is_monotonic_increasing
    assert table.recall.iloc[0] == 0 and table.recall.iloc[-1] == 1  # ÷10 is never too large
    assert (table.ci_low <= table.recall).all() and (table.recall <= table.ci_high).all()
    assert 0.9 <= evaluation.precision <= 1
    assert evaluation.false_flags == evaluation.n_flagged - int(table.flagged.sum())
    # Same seed, same table.
    again = evaluate_outlier_screen(_clean_panel(), seed=4, rate=0.02)
    pd.testing.assert_frame_equal(again.recall, table)


def test_evaluate_on_a_simulated_corpus():
    evaluation = evaluate_outlier_screen(seed=2, n_organs=300, rate=0.03)
    assert evaluation.n_values > 600 and evaluation.recall.planted.sum() == evaluation.n_planted
    assert evaluation.screened.loc[evaluation.screened.error.notna(), "true_value"].gt(0).all()


def test_screen_evidence_links_years_by_organ_id_or_division():
    outliers = pd.DataFrame(
        {"report_id": ["b"], "variable": ["penalty"], "value": [5000.0], "flagged": [True], "review": [True]}
    )
    # Renamed between years: linked through the division's short forms, not the literal name.
    panel = pd.DataFrame(
        {
            "report_id": ["a", "b", "c"],
            "organ": ["莆田市科学技术局", "莆田市科技局", "莆田市科技局"],
            "scope": "organ",
            "level": "prefecture",
            "adcode": ["350300", "350300", None],
            "year": [2021, 2022, 2023],
            "penalty": [50.0, 5000.0, 48.0],
        }
    )
    row = screen_evidence(outliers, panel).iloc[0]
    # c's division is not resolved: it links to nothing, even under the same name.
    assert row.other_years == "2021: 50" and "≈100× the organ's other years" in row.digit_notes
    with_ids = panel.drop(columns="adcode").assign(organ_id=["x", "x", "x"])
    assert screen_evidence(outliers, with_ids).iloc[0].other_years == "2021: 50; 2023: 48"
