import dataclasses

import numpy as np
import pandas as pd
import pytest
from conftest import RAW_DIR

import govreports as gr
from govreports import stats
from govreports.simulate import SimParams, SimulatedCorpus, simulate_corpus


@pytest.fixture(scope="module")
def sim():
    return simulate_corpus(3000, seed=11)


@pytest.fixture(scope="module")
def sim_panel(sim):
    return stats.report_panel(sim)


@pytest.fixture(scope="module")
def organs(sim_panel):
    return sim_panel.loc[sim_panel.scope == "organ"]


# --- The frames ------------------------------------------------------------------------------


def test_same_frames_columns_and_dtypes_as_read_reports():
    real = gr.read_reports(sorted(RAW_DIR.glob("00[0-4]_*.txt")))
    simulated = simulate_corpus(40, seed=0)
    assert isinstance(simulated, gr.Corpus) and isinstance(simulated, SimulatedCorpus)
    for name, frame in real.frames().items():
        other = simulated.frames()[name]
        assert list(other.columns) == list(frame.columns) or (name == "failures" and other.empty), name
        if len(other):
            pd.testing.assert_series_equal(other.dtypes, frame.dtypes, obj=name)


def test_every_identity_holds_and_every_cell_is_clean(sim):
    assert set(sim.checks.status.astype(str)) == {"pass"}
    assert set(sim.cells.status.astype(str)) == {"ok"}
    assert sim.failures.empty
    assert sim.reports.report_id.is_unique and len(sim.reports) == 3000
    assert (
        sim.figures.query("figure == 'proactive_total'").report_id.tolist() == sim.reports.report_id.tolist()
    )


def test_blank_rate_makes_blanks_never_zeros():
    blanks = simulate_corpus(30, seed=4, blank_rate=0.1).cells.query("status == 'blank'")
    assert len(blanks) > 0 and blanks.value.isna().all() and (blanks.raw == "").all()


def test_same_seed_same_corpus_other_seed_other_corpus():
    first, again, other = (simulate_corpus(50, seed=s) for s in (5, 5, 6))
    pd.testing.assert_frame_equal(first.cells, again.cells)
    pd.testing.assert_frame_equal(first.truth, again.truth)
    assert not first.cells.value.equals(other.cells.value)


def test_templates_region_reports_and_metadata(sim):
    reports = sim.reports.set_index("report_id")
    assert set(reports.template) == {"2019", "2021"}
    assert (reports.loc[reports.template == "2019", "year"] <= 2020).all()
    aggregates = reports.loc[reports.scope == "region_aggregate"]
    assert len(aggregates) > 0 and set(aggregates.organ_type) == {"government"}
    assert set(reports.loc[reports.level == "township", "organ_type"]) == {"township"}
    fees = sim.cells.query("row_key == 'fees' and col_key == 'amount_10k_yuan'").report_id
    assert set(reports.loc[fees, "template"]) == {"2021"}
    other_total = sim.cells.query("row_key == 'other_total'").report_id.unique()
    assert set(reports.loc[other_total, "template"]) == {"2019"}


def test_thousands_of_organs():
    sim = simulate_corpus(2000, seed=1)
    assert sim.reports.report_id.is_unique and len(sim.reports) == 2000


# --- Parameter recovery ----------------------------------------------------------------------


def _assert_recovered(table: pd.DataFrame, truth: dict[str, float], max_se: float) -> None:
    # Within four standard errors of the truth, with standard errors small enough to mean something.
    for row in table.itertuples():
        assert row.se < max_se, row.term
        assert abs(row.coef - truth[row.term]) < 4 * row.se, (row.term, row.coef, truth[row.term])


def test_zinb_recovers_the_zero_and_count_processes(sim, organs):
    design = stats.design_matrix(
        organs, "new_received", ["level", "organ_type"], reference=sim.params.reference
    )
    assert design.dropped_columns == ("organ_type[township]",)
    fits = stats.fit_count_models(design, models=("negbin", "zinb", "hurdle_negbin"))
    assert fits.table.converged.all()
    assert fits.best("bic") in ("zinb", "hurdle_negbin")
    truth = {f"inflate_{k}": v for k, v in sim.params.zero_logit.items()}
    truth |= dict(sim.params.count_log_mean) | {"alpha": sim.params.nb_alpha}
    _assert_recovered(stats.coef_table(fits.fits["zinb"]), truth, max_se=0.2)
    tests = stats.zero_inflation_tests(fits).set_index("key")
    assert tests.loc["zinb_vs_negbin_lr", "preferred"] == "zinb"


def test_log_linear_recovers_proactive_disclosure_effects(sim, organs):
    design = stats.design_matrix(
        organs, "proactive_total", ["level", "organ_type"], reference=sim.params.reference
    )
    _assert_recovered(
        stats.coef_table(stats.fit_log_linear(design)), dict(sim.params.proactive_log_mean), 0.1
    )


def test_zero_shares_match_the_true_structural_plus_nb_zeros(sim, organs):
    truth = sim.truth.set_index("report_id").loc[organs.report_id]
    # P(0) = pi + (1 - pi) * (1 + alpha mu)^(-1/alpha) per organ; averaged by level.
    alpha = sim.params.nb_alpha
    p_zero = truth.true_zero_probability + (1 - truth.true_zero_probability) * (
        1 + alpha * truth.true_mu
    ) ** (-1 / alpha)
    expected = p_zero.groupby(organs.level.to_numpy()).mean()
    table = stats.zero_share_table(organs, "level").set_index("level")
    for level, share in expected.items():
        assert table.loc[level, "ci_low"] - 0.02 <= share <= table.loc[level, "ci_high"] + 0.02, level


def test_outlier_screen_finds_the_planted_outliers(sim, sim_panel):
    out = stats.robust_outliers(sim_panel)
    truth = sim.truth.set_index("report_id")
    planted = np.array(
        [truth.at[r, f"true_outlier_{v}"] for r, v in zip(out.report_id, out.variable, strict=True)]
    )
    flagged = out.flagged.to_numpy()
    assert planted.sum() >= 30
    assert (flagged & planted).sum() / planted.sum() >= 0.9  # recall
    assert (flagged & planted).sum() / flagged.sum() >= 0.9  # precision
    # Region-wide reports are large by construction; compared with each other they are not flagged.
    aggregate = (out.scope == "region_aggregate").to_numpy()
    assert aggregate.sum() > 0 and not (flagged & aggregate & ~planted).any()


def test_fee_unit_screen_finds_the_amounts_in_yuan(sim, sim_panel):
    out = stats.fee_unit_screen(sim_panel)
    planted = out.report_id.map(sim.truth.set_index("report_id").true_fee_in_yuan).astype(bool)
    assert planted.sum() >= 10
    assert (out.flagged & planted).sum() / planted.sum() >= 0.9
    assert (out.flagged & planted).sum() / out.flagged.sum() >= 0.9


def test_outcome_composition_recovers_outcome_shares_and_backlog(sim, organs):
    row = stats.outcome_composition(organs).iloc[0]
    shares = pd.Series(sim.params.outcome_shares) / sum(sim.params.outcome_shares.values())
    for part, prefix in [("granted", "granted"), ("withheld", "withheld_"), ("unable", "unable_")]:
        assert row[f"{part}_share"] == pytest.approx(
            shares[shares.index.str.startswith(prefix)].sum(), abs=0.02
        )
    assert row.backlog == pytest.approx(sim.params.backlog_rate, abs=0.02)


def test_params_change_what_is_simulated():
    none_zero = dataclasses.replace(SimParams(), zero_logit={"const": -20.0}, outlier_rate=0.0)
    sim = simulate_corpus(300, seed=2, params=none_zero)
    assert not sim.truth.true_structural_zero.any()
    assert not sim.truth.filter(like="true_outlier").any().any()
