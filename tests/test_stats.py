import math

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from govreports import stats

# --- Wilson interval -------------------------------------------------------------------------


def test_wilson_interval_known_value():
    # 0 successes in 10: the textbook Wilson upper bound z²/(n + z²) = 0.2775.
    low, high = stats.wilson_interval(0, 10)
    assert low == 0.0
    assert high == pytest.approx(1.959964**2 / (10 + 1.959964**2), abs=1e-6)
    assert high == pytest.approx(0.2775, abs=1e-4)


@pytest.mark.parametrize(("k", "n"), [(0, 1), (3, 4), (5, 10), (1, 3), (97, 100), (40, 40)])
@pytest.mark.parametrize("level", [0.9, 0.95, 0.99])
def test_wilson_interval_matches_statsmodels(k, n, level):
    expected = proportion_confint(k, n, alpha=1 - level, method="wilson")
    assert stats.wilson_interval(k, n, level=level) == pytest.approx(expected, abs=1e-9)


def test_wilson_interval_vectorised_and_empty():
    low, high = stats.wilson_interval(np.array([0, 5]), np.array([0, 10]))
    assert math.isnan(low[0]) and math.isnan(high[0])
    assert (low[1], high[1]) == pytest.approx((0.2366, 0.7634), abs=1e-4)


# --- Concentration ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "expected"),
    [([0, 0, 1, 1], 0.5), ([5, 5, 5], 0.0), ([0, 0, 0, 1], 0.75), ([1, 2, 3], 2 / 9), ([7], 0.0)],
)
def test_gini_exact(values, expected):
    assert stats.gini(values) == pytest.approx(expected)


def test_gini_undefined_and_invalid():
    assert math.isnan(stats.gini([]))
    assert math.isnan(stats.gini([0, 0]))
    with pytest.raises(ValueError, match="non-negative"):
        stats.gini([1, -1])
    with pytest.raises(ValueError, match="missing"):
        stats.gini(pd.Series([1, None], dtype="Float64"))


def test_gini_is_one_minus_twice_the_area_under_the_lorenz_curve():
    values = np.random.default_rng(0).lognormal(3, 1.5, 500).round()
    curve = stats.lorenz_curve(values)
    area = np.trapezoid(curve.value_share, curve.population_share)
    assert stats.gini(values) == pytest.approx(1 - 2 * area)


def test_lorenz_and_top_shares():
    curve = stats.lorenz_curve([0, 0, 1, 1])
    assert curve.population_share.tolist() == [0, 0.25, 0.5, 0.75, 1]
    assert curve.value_share.tolist() == [0, 0, 0, 0.5, 1]
    values = list(range(1, 101))  # total 5050; the top 1 unit holds 100, the top 10 hold 955
    assert stats.top_share(values, 0.01) == pytest.approx(100 / 5050)
    assert stats.top_share(values, 0.1) == pytest.approx(955 / 5050)
    row = stats.concentration(values)
    assert (row["n"], row["top 1% units"], row["top 10% units"]) == (100, 1, 10)


# --- Zero shares -----------------------------------------------------------------------------


def test_zero_share_table_counts_blanks_as_missing_not_zero():
    frame = pd.DataFrame(
        {
            "level": ["county"] * 4 + ["township"] * 2,
            "new_received": pd.array([0, 0, 3, None, 0, 0], dtype="Float64"),
        }
    )
    table = stats.zero_share_table(frame, "level").set_index("level")
    assert table.loc["county", ["reports", "n", "missing", "zeros"]].tolist() == [4, 3, 1, 2]
    assert table.loc["county", "share"] == pytest.approx(2 / 3)
    expected = proportion_confint(2, 3, method="wilson")
    assert (table.loc["county", "ci_low"], table.loc["county", "ci_high"]) == pytest.approx(expected)
    overall = stats.zero_share_table(frame)
    assert overall[["n", "zeros"]].values.tolist() == [[5, 4]]


# --- Fees, outcomes, ratios, templates -------------------------------------------------------


def test_outcome_composition_exact():
    frame = pd.DataFrame(
        {
            "level": ["county", "county", "county"],
            "new_received": [10.0, 6.0, 5.0],
            "carried_over": [0.0, 4.0, None],
            "granted": [5.0, 2.0, 1.0],
            "partially_granted": [1.0, 0.0, 0.0],
            "withheld": [1.0, 2.0, 0.0],
            "unable": [3.0, 0.0, 1.0],
            "not_processed": [0.0, 2.0, 1.0],
            "other": [0.0, 2.0, 0.0],
            "total_processed": [10.0, 8.0, 3.0],
            "carried_forward": [0.0, 2.0, 2.0],
        }
    )
    row = stats.outcome_composition(frame).iloc[0]
    assert (row.n, row.incomplete, row.processed) == (2, 1, 18)
    assert row.grant_rate == pytest.approx(8 / 18)
    assert row.practical_share == pytest.approx(3 / 6)
    assert row.backlog == pytest.approx(2 / 20)
    assert row.grant_rate_median == pytest.approx((0.6 + 0.25) / 2)


def test_enforcement_ratios_exact():
    frame = pd.DataFrame({"scope": ["organ"] * 3 + ["region_aggregate"], "licensing": [10, 0, 5, 100]})
    frame["penalty"] = [20, 3, 5, 50]
    out = stats.enforcement_ratios(frame, [("penalty", "licensing")], by="scope").set_index("scope")
    assert out.loc["organ", "n"] == 2 and out.loc["organ", "pooled"] == pytest.approx(25 / 15)
    assert out.loc["region_aggregate", "median"] == 0.5


def test_template_comparability_only_decisions(seeds):
    table = stats.template_comparability(seeds)
    comparable = table.loc[table.comparable, ["row_key", "col_key"]].values.tolist()
    assert comparable == [["licensing", "decisions"], ["penalty", "decisions"], ["coercion", "decisions"]]
    assert table.set_index(["row_key", "col_key"]).loc[("penalty", "decisions"), "reports_2021"] == 5


def test_quality_tables_on_seeds(seeds):
    assert stats.corpus_counts(seeds)["parsed reports"] == 5
    assert stats.input_summary(seeds).outcome.eq("parsed").all()
    checks = stats.check_table(seeds.checks)
    assert checks["fail"].sum() == 0 and checks["not_assessable"].sum() == 2
    statuses = stats.status_table(seeds.cells)
    assert statuses.loc["002_5bfe4ddd4becc1ae", "blank"] == 1
    assert (statuses["cells"] == 200).all()
