"""Regression and count models, checked against statsmodels directly and against known answers."""

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats as sps
from statsmodels.discrete._diagnostics_count import test_poisson_zeroinflation_broek as broek
from statsmodels.discrete.count_model import ZeroInflatedNegativeBinomialP
from statsmodels.discrete.truncated_model import HurdleCountModel, TruncatedLFNegativeBinomialP

from govreports.stats import models

# --- Data with known parameters ----------------------------------------------------------------


def _zinb_frame(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"g": rng.choice(["a", "b"], n)})
    b = (frame.g == "b").to_numpy()
    structural = rng.random(n) < np.where(b, 0.6, 0.2)
    mu = np.where(b, 2.0, 8.0)
    frame["y"] = np.where(structural, 0, rng.poisson(rng.gamma(1 / 0.5, 0.5 * mu)))
    return frame


def _panel(n_organs: int, years: int, seed: int) -> pd.DataFrame:
    """Organs over several years: ZINB counts, an organ effect, an exposure (staff), a year shock."""
    rng = np.random.default_rng(seed)
    organ = np.repeat(np.arange(n_organs), years)
    year = np.tile(np.arange(2019, 2019 + years), n_organs)
    level = np.repeat(rng.choice(["county", "prefecture"], n_organs), years)
    staff = np.repeat(rng.integers(5, 200, n_organs), years).astype(float)
    shared = np.repeat(rng.normal(0, 0.5, n_organs), years)  # makes an organ's years correlated
    log_mu = -2.5 + 0.8 * (level == "prefecture") + 0.3 * (year == 2021) + np.log(staff) + shared
    never = np.repeat(rng.random(n_organs) < 0.2, years)  # organs nobody asks, every year
    y = np.where(never, 0, rng.poisson(rng.gamma(2.0, np.exp(log_mu) / 2.0)))
    return pd.DataFrame({"organ": organ, "year": year, "level": level, "staff": staff, "y": y})


# --- Design ------------------------------------------------------------------------------------


def test_design_matrix_drops_collinear_columns_and_incomplete_rows():
    frame = pd.DataFrame(
        {
            "y": [1, 2, 3, 4, None],
            "level": ["county", "county", "township", "prefecture", "county"],
            "organ_type": ["department", "government_office", "township", "department", "department"],
        }
    )
    design = models.design_matrix(frame, "y", ["level", "organ_type"], reference={"level": "prefecture"})
    assert design.dropped_rows == 1
    assert design.reference == {"level": "prefecture", "organ_type": "department"}
    # organ_type[township] is the same column as level[township]: dropped and named.
    assert design.dropped_columns == ("organ_type[township]",)
    assert np.linalg.matrix_rank(design.exog.to_numpy()) == design.exog.shape[1]
    assert design.offset is None and design.groups is None


def test_design_matrix_year_effects_exposure_offset_and_groups():
    frame = pd.DataFrame(
        {
            "y": [1.0, 2, 3, 4, 5, 6],
            "year": pd.array([2021, 2021, 2022, 2023, 2021, 2023], dtype="Int16"),
            "exposure": [1.0, 2, 4, 8, 1, 1],
            "shift": [0.5, 0, 0, 0, 0, 0],
            "organ": ["a", "a", "b", "b", None, "c"],
        }
    )
    design = models.design_matrix(
        frame, "y", [], year="year", exposure="exposure", offset="shift", groups="organ"
    )
    # Year dummies named by the year (not "2022.0"), ordered by value; the most frequent is the reference.
    assert list(design.exog.columns) == ["const", "year[2022]", "year[2023]"]
    assert design.reference == {"year": "2021"}
    assert design.dropped_rows == 0
    assert design.offset.tolist() == pytest.approx([0.5, math.log(2), math.log(4), math.log(8), 0.0, 0.0])
    # The row without an organ id is its own cluster, not dropped.
    assert design.groups.name == "organ" and design.groups.tolist() == ["a", "a", "b", "b", "(row 4)", "c"]
    # Years sort as numbers, and the reference can be given as a number.
    frame["year"] = [9, 10, 10, 11, 9, 9]
    design = models.design_matrix(frame, "y", [], year="year", reference={"year": 10})
    assert list(design.exog.columns) == ["const", "year[9]", "year[11]"]
    frame.loc[0, "exposure"] = 0.0
    with pytest.raises(ValueError, match="not positive in 1 rows"):
        models.design_matrix(frame, "y", [], exposure="exposure")


# --- PPML and log-linear OLS --------------------------------------------------------------------


def test_ppml_and_log_ols_known_answers_with_one_dummy():
    # With one dummy (a saturated design), PPML's exp(coef) is exactly the ratio of group means and
    # log-OLS's exp(coef) exactly the ratio of geometric means of the positive values.
    rng = np.random.default_rng(7)
    frame = pd.DataFrame({"g": np.repeat(["a", "b"], 200)})
    frame["y"] = np.round(np.exp(rng.normal(np.where(frame.g == "a", 2.0, 3.0), 1.0))) * (
        rng.random(400) > 0.2
    )
    design = models.design_matrix(frame, "y", ["g"], reference={"g": "a"})
    means = frame.groupby("g")["y"].mean()
    ppml = models.coef_table(models.fit_ppml(design), exponentiate=True).set_index("term")
    assert ppml.loc["g[b]", "coef"] == pytest.approx(means["b"] / means["a"], rel=1e-6)
    assert ppml.loc["const", "coef"] == pytest.approx(means["a"], rel=1e-6)
    positive = frame.loc[frame.y > 0]
    geometric = np.exp(np.log(positive.y).groupby(positive.g).mean())
    ols = models.fit_log_linear(design)
    assert ols.result.nobs == len(positive)  # zeros are dropped
    ratio = models.coef_table(ols, exponentiate=True).set_index("term").loc["g[b]"]
    assert ratio.coef == pytest.approx(geometric["b"] / geometric["a"], rel=1e-6)
    assert ratio.scale == "ratio of geometric means of the positive values"


def test_ppml_matches_statsmodels_glm_with_exposure_and_clusters():
    frame = _panel(60, 3, seed=1)
    design = models.design_matrix(frame, "y", ["level"], year="year", exposure="staff", groups="organ")
    fit = models.fit_ppml(design)
    assert fit.converged and fit.se_type == "cluster-robust by organ (G = 60)"
    direct = sm.GLM(frame.y, design.exog, family=sm.families.Poisson(), exposure=frame.staff).fit(
        cov_type="cluster", cov_kwds={"groups": frame.organ.to_numpy()}
    )
    assert fit.params.to_numpy() == pytest.approx(direct.params.to_numpy(), rel=1e-6)
    assert np.asarray(fit.result.bse) == pytest.approx(direct.bse.to_numpy(), rel=1e-6)
    # The truth: level 0.8, 2021 shock 0.3 (the intercept absorbs the gamma mixing's mean).
    assert abs(fit.params["level[prefecture]"] - 0.8) < 3 * fit.result.bse["level[prefecture]"]
    assert abs(fit.params["year[2021]"] - 0.3) < 3 * fit.result.bse["year[2021]"]
    # Clustering matters here: an organ's years share its effect, so the SEs are larger than HC0's.
    hc0 = models.fit_ppml(design, cov_type="HC0")
    assert hc0.result.bse["level[prefecture]"] < fit.result.bse["level[prefecture]"]


def test_ppml_reports_separation_and_too_few_observations():
    frame = pd.DataFrame({"g": ["a", "b"] * 20, "y": [0, 3] * 20})
    fit = models.fit_ppml(models.design_matrix(frame, "y", ["g"], reference={"g": "b"}))
    assert any("Separation: y is 0 in all 20 rows with g[a] = 1" in w for w in fit.warnings)
    assert "too few observations" in models.fit_ppml(models.design_matrix(frame[:10], "y", ["g"])).error


def test_fit_log_linear_needs_enough_positive_values():
    frame = pd.DataFrame({"level": ["a", "b"] * 10, "y": [0, 5] * 10})
    fit = models.fit_log_linear(models.design_matrix(frame, "y", ["level"]), min_nobs=30)
    assert fit.result is None and "N = 10 positive" in fit.error


# --- Count models -------------------------------------------------------------------------------


def test_fit_count_models_table_and_loglike():
    design = models.design_matrix(_zinb_frame(800, 0), "y", ["g"], reference={"g": "a"})
    fits = models.fit_count_models(design, cov_type="nonrobust")
    table = fits.table.set_index("model")
    assert list(table.index) == list(models.COUNT_MODELS)
    assert table.converged.all()
    assert table.k.tolist() == [2, 3, 4, 5, 4, 5]
    assert table.loc["zinb", "bic"] < table.loc["negbin", "bic"] < table.loc["poisson", "bic"]
    assert table.loc["poisson", "expected_zeros"] < 0.6 * table.loc["poisson", "observed_zeros"]
    # A logit hurdle reproduces the observed zeros exactly (the logit's score equation).
    assert table.loc["hurdle_negbin", "expected_zeros"] == pytest.approx(
        table.loc["hurdle_negbin", "observed_zeros"]
    )
    for name in models.COUNT_MODELS:
        result = fits.fits[name].result
        assert models.loglike_obs(result).sum() == pytest.approx(result.llf), name
    hurdle = fits.fits["hurdle_negbin"].params
    assert list(hurdle.index) == ["zero_const", "zero_g[b]", "const", "g[b]", "alpha"]
    assert fits.design is design and fits.options["cov_type"] == "nonrobust"


def test_count_models_match_statsmodels_with_exposure_and_cluster_robust_se():
    frame = _panel(80, 3, seed=2)
    design = models.design_matrix(frame, "y", ["level"], exposure="staff", groups="organ")
    fits = models.fit_count_models(design, models=("poisson", "negbin", "zinb"))
    groups = {"groups": frame.organ.to_numpy()}
    direct = {
        "poisson": sm.Poisson(frame.y, design.exog, exposure=frame.staff).fit(
            disp=0, cov_type="cluster", cov_kwds=groups
        ),
        "negbin": sm.NegativeBinomial(frame.y, design.exog, exposure=frame.staff).fit(
            disp=0, method="bfgs", maxiter=2000, cov_type="cluster", cov_kwds=groups
        ),
        "zinb": ZeroInflatedNegativeBinomialP(
            frame.y, design.exog, exog_infl=design.exog, exposure=frame.staff, p=2
        ).fit(disp=0, method="bfgs", maxiter=2000, cov_type="cluster", cov_kwds=groups),
    }
    for name, expected in direct.items():
        fit = fits.fits[name]
        assert fit.se_type == "cluster-robust by organ (G = 80)", name
        assert fit.result.llf == pytest.approx(expected.llf, rel=1e-6), name
        assert fit.params.to_numpy() == pytest.approx(np.asarray(expected.params), rel=1e-3, abs=1e-4), name
        assert np.asarray(fit.result.bse) == pytest.approx(np.asarray(expected.bse), rel=1e-3), name
    # Without groups the default is HC0, and cov_type="cluster" without groups is refused.
    plain = models.design_matrix(frame, "y", ["level"], exposure="staff")
    hc0 = models.fit_count_models(plain, models=("poisson",)).fits["poisson"]
    assert hc0.se_type == "heteroskedasticity-robust (HC0)" and hc0.result.cov_type == "HC0"
    with pytest.raises(ValueError, match="needs groups"):
        models.fit_count_models(plain, models=("poisson",), cov_type="cluster")


def test_exposure_given_to_the_fit_recovers_the_rate():
    rng = np.random.default_rng(3)
    frame = pd.DataFrame({"g": rng.choice(["a", "b"], 2000)})
    exposure = np.where(frame.g == "b", 20.0, 1.0) * rng.uniform(0.5, 2, 2000)  # b is also bigger
    frame["y"] = rng.poisson(exposure * np.exp(0.5 + 0.4 * (frame.g == "b")))
    design = models.design_matrix(frame, "y", ["g"], reference={"g": "a"})
    with_exposure = models.fit_count_models(design, models=("poisson",), exposure=exposure).fits["poisson"]
    without = models.fit_count_models(design, models=("poisson",)).fits["poisson"]
    assert with_exposure.params["g[b]"] == pytest.approx(0.4, abs=0.05)
    assert without.params["g[b]"] > 3  # the size difference, not the rate difference


def test_hurdle_parts_match_statsmodels_logit_and_truncated_nb():
    frame = _zinb_frame(600, 4)
    design = models.design_matrix(frame, "y", ["g"], reference={"g": "a"})
    result = models.fit_count_models(design, models=("hurdle_negbin",)).fits["hurdle_negbin"].result
    assert isinstance(result, models.HurdleResult) and result.link == "logit"
    exog = design.exog.to_numpy()
    logit = sm.Logit((frame.y > 0).astype(float), exog).fit(disp=0, cov_type="HC0")
    truncated = TruncatedLFNegativeBinomialP(frame.y, exog, p=2).fit(
        disp=0, method="bfgs", maxiter=2000, cov_type="HC0"
    )
    assert result.params.to_numpy() == pytest.approx(np.r_[logit.params, truncated.params], rel=1e-4)
    assert result.bse.to_numpy() == pytest.approx(np.r_[logit.bse, truncated.bse], rel=1e-3)
    assert result.llf == pytest.approx(logit.llf + truncated.llf)
    assert result.predict("prob-zero").sum() == pytest.approx((frame.y == 0).sum())
    cov = result.cov_params().to_numpy()
    assert np.allclose(cov[:2, 2:], 0) and np.sqrt(np.diag(cov)) == pytest.approx(result.bse.to_numpy())


def test_hurdle_with_cloglog_zero_part_is_statsmodels_hurdle():
    # statsmodels' HurdleCountModel's zero part is a censored Poisson: a cloglog model of y > 0.
    frame = _zinb_frame(600, 5)
    design = models.design_matrix(frame, "y", ["g"], reference={"g": "a"})
    fits = models.fit_count_models(
        design, models=("hurdle_poisson", "hurdle_negbin"), hurdle_zero="cloglog", cov_type="nonrobust"
    )
    assert fits.table.label.tolist() == [
        "Hurdle: cloglog zero part, truncated Poisson",
        "Hurdle: cloglog zero part, truncated NB2",
    ]
    for dist in ("poisson", "negbin"):
        ours = fits.fits[f"hurdle_{dist}"].result
        theirs = HurdleCountModel(frame.y, design.exog.to_numpy(), dist=dist, zerodist="poisson").fit(
            disp=0, maxiter=2000
        )
        assert ours.llf == pytest.approx(theirs.llf, rel=1e-6), dist
        assert ours.params.to_numpy() == pytest.approx(np.asarray(theirs.params), rel=1e-3, abs=1e-4), dist
        assert ours.bse.to_numpy() == pytest.approx(np.asarray(theirs.bse), rel=1e-2), dist
        assert models.loglike_obs(theirs).sum() == pytest.approx(theirs.llf)


def test_fit_count_models_too_few_observations():
    frame = pd.DataFrame({"g": ["a", "b"] * 5, "y": [0, 1] * 5})
    fits = models.fit_count_models(models.design_matrix(frame, "y", ["g"]), min_nobs=50)
    assert fits.table.error.str.startswith("too few observations: N = 10").all()
    assert fits.best() is None
    assert models.coef_table(fits.fits["zinb"]).empty
    tests = models.zero_inflation_tests(fits)
    assert tests.statistic.isna().all() and tests.preferred.eq("not assessable").all()


def test_convergence_warnings_are_reported_not_raised():
    design = models.design_matrix(_zinb_frame(400, 1), "y", ["g"])
    fits = models.fit_count_models(design, models=("negbin",), maxiter=2)
    fit = fits.fits["negbin"]
    assert not fit.converged
    assert any("ConvergenceWarning" in w for w in fit.warnings)
    assert "ConvergenceWarning" in fits.table.loc[0, "warnings"]


def test_zinb_that_diverges_from_the_default_start_is_refitted():
    # A sample (NB truth) on which statsmodels' default start values make BFGS diverge.
    y = np.repeat(np.arange(12), [58, 39, 31, 30, 18, 10, 7, 1, 2, 3, 0, 1])
    fits = models.fit_count_models(
        models.design_matrix(pd.DataFrame({"y": y}), "y", []), models=("negbin", "zinb")
    )
    zinb, negbin = fits.fits["zinb"], fits.fits["negbin"]
    assert zinb.converged and math.isfinite(zinb.result.llf)
    assert zinb.result.llf >= negbin.result.llf - 1e-6


# --- Coefficient tables -------------------------------------------------------------------------


def test_coef_table_exponentiates_only_ratios_with_interval_and_delta_se():
    design = models.design_matrix(_zinb_frame(800, 0), "y", ["g"], reference={"g": "a"})
    fit = models.fit_count_models(design, models=("zinb",)).fits["zinb"]
    raw = models.coef_table(fit).set_index("term")
    exp = models.coef_table(fit, exponentiate=True).set_index("term")
    assert raw.part.tolist() == ["inflation", "inflation", "count", "count", "dispersion"]
    ratio = ["const", "g[b]"]
    kept = ["inflate_const", "inflate_g[b]", "alpha"]
    assert exp.loc[ratio, "exponentiated"].all() and not exp.loc[kept, "exponentiated"].any()
    for column in ("coef", "ci_low", "ci_high"):
        assert exp.loc[ratio, column].to_numpy() == pytest.approx(np.exp(raw.loc[ratio, column].to_numpy()))
        assert exp.loc[kept, column].to_numpy() == pytest.approx(raw.loc[kept, column].to_numpy())
    assert exp.se.to_numpy() == pytest.approx(raw.se.to_numpy())  # the log-scale SE, as the p-value uses
    assert exp.loc[ratio, "se_exp"].to_numpy() == pytest.approx(
        np.exp(raw.loc[ratio, "coef"]) * raw.loc[ratio, "se"]
    )
    assert exp.loc[kept, "se_exp"].isna().all()
    assert exp.loc["g[b]", "scale"] == "rate ratio among organs not in the always-zero class"
    assert exp.loc["inflate_g[b]", "scale"] == "log-odds of the always-zero class (logit)"
    assert exp.loc["alpha", "scale"].startswith("NB2 alpha")
    # Intervals are Wald intervals on the log scale, exponentiated: not exp(b) +- 1.96 se_exp.
    b, se = raw.loc["g[b]", "coef"], raw.loc["g[b]", "se"]
    assert exp.loc["g[b]", "ci_low"] == pytest.approx(math.exp(b - sps.norm.ppf(0.975) * se))


# --- Tests between models -----------------------------------------------------------------------


def test_boundary_pvalue_is_half_the_chi2_1_tail():
    for lr in (0.1, 1.0, 2.705543, 10.0, 80.0):
        assert models.boundary_pvalue(lr) == pytest.approx(0.5 * sps.chi2.sf(lr, 1), rel=1e-9)
    assert models.boundary_pvalue(2.705543) == pytest.approx(0.05, abs=1e-6)
    assert models.boundary_pvalue(0.0) == 1.0
    assert math.isnan(models.boundary_pvalue(math.nan))


def test_score_test_matches_statsmodels_van_den_broek():
    frame = _zinb_frame(500, 6)
    frame["e"] = np.random.default_rng(6).uniform(1, 3, 500)
    design = models.design_matrix(frame, "y", ["g"], exposure="e")
    fit = models.fit_count_models(design, models=("poisson",)).fits["poisson"]
    expected = broek(fit.result)
    test = models.zero_inflation_score_test(fit)
    assert test.statistic == pytest.approx(expected.statistic, rel=1e-9)
    assert test.pvalue == pytest.approx(expected.pvalue_smaller, rel=1e-9)  # one-sided, excess zeros
    assert test.statistic**2 == pytest.approx(expected.chi2)
    assert test.reject and test.preferred == "zip"


def test_boundary_lr_has_its_nominal_size_under_poisson_truth():
    # Poisson truth: ZIP vs Poisson LR is 0 about half the time and rejects at about 5% with the
    # 1/2 chi2(0) + 1/2 chi2(1) p-value; the uncorrected chi2(1) p-value would reject half as often.
    rng = np.random.default_rng(11)
    statistics, pvalues = [], []
    for _ in range(150):
        frame = pd.DataFrame({"y": rng.poisson(1.5, 120)})
        fits = models.fit_count_models(
            models.design_matrix(frame, "y", []), models=("poisson", "zip"), cov_type="nonrobust"
        )
        test = models.boundary_lr_test(fits.fits["zip"], fits.fits["poisson"])
        statistics.append(test.statistic)
        pvalues.append(test.pvalue)
    statistics, pvalues = np.array(statistics), np.array(pvalues)
    assert 0.35 < np.mean(statistics < 1e-6) < 0.65
    rejections = int((pvalues < 0.05).sum())
    assert 2 <= rejections <= 16  # 7.5 expected; +-3 binomial SDs
    assert int((sps.chi2.sf(statistics, 1) < 0.05).sum()) < rejections


def test_boundary_lr_does_not_over_reject_under_nb_truth():
    # NB truth: ZINB vs NB must not reject at more than the nominal rate.
    rng = np.random.default_rng(12)
    statistics, pvalues = [], []
    for _ in range(60):
        frame = pd.DataFrame({"y": rng.negative_binomial(1.0, 1 / 3, 200)})
        fits = models.fit_count_models(
            models.design_matrix(frame, "y", []), models=("negbin", "zinb"), cov_type="nonrobust"
        )
        test = models.boundary_lr_test(fits.fits["zinb"], fits.fits["negbin"])
        statistics.append(test.statistic)
        pvalues.append(test.pvalue)
    assert not np.isnan(pvalues).any()
    assert np.mean(np.array(statistics) < 1e-6) > 0.3
    assert int((np.array(pvalues) < 0.05).sum()) <= 9  # 3 expected; +3 binomial SDs


def test_boundary_lr_test_refuses_pairs_it_does_not_fit():
    design = models.design_matrix(_zinb_frame(400, 3), "y", ["g"])
    fits = models.fit_count_models(design, cov_type="nonrobust")
    with pytest.raises(ValueError, match="larger model first"):
        models.boundary_lr_test(fits.fits["poisson"], fits.fits["negbin"])
    with pytest.raises(ValueError, match="not one parameter on a boundary"):
        models.boundary_lr_test(fits.fits["zinb"], fits.fits["poisson"])
    with pytest.raises(ValueError, match="not nested, use vuong_test"):
        models.boundary_lr_test(fits.fits["zinb"], fits.fits["hurdle_negbin"])
    with pytest.raises(ValueError, match=r"inflation part \(inflate_g\["):
        models.boundary_lr_test(fits.fits["zinb"], fits.fits["negbin"])
    # alpha = 0 is one boundary parameter whatever the inflation design.
    assert models.boundary_lr_test(fits.fits["zinb"], fits.fits["zip"]).reject
    assert models.boundary_lr_test(fits.fits["hurdle_negbin"], fits.fits["hurdle_poisson"]).reject


def test_vuong_refuses_nested_pairs_and_compares_non_nested_ones():
    fits = models.fit_count_models(
        models.design_matrix(_zinb_frame(800, 2), "y", ["g"]), cov_type="nonrobust"
    )
    nested = [
        ("zinb", "negbin"),
        ("zip", "poisson"),
        ("zinb", "zip"),
        ("negbin", "poisson"),
        ("zinb", "poisson"),
        ("hurdle_negbin", "hurdle_poisson"),
    ]
    for first, second in nested:
        for a, b in ((first, second), (second, first)):
            with pytest.raises(ValueError, match="nested"):
                models.vuong_test(fits.fits[a], fits.fits[b])
    forward = models.vuong_test(fits.fits["zinb"], fits.fits["hurdle_negbin"], correction="none")
    backward = models.vuong_test(fits.fits["hurdle_negbin"], fits.fits["zinb"], correction="none")
    assert forward.statistic == pytest.approx(-backward.statistic)
    assert forward.pvalue == pytest.approx(backward.pvalue)
    # Known answer: the statistic is the mean log-likelihood difference over its standard error.
    diff = models.loglike_obs(fits.fits["zinb"].result) - models.loglike_obs(
        fits.fits["hurdle_negbin"].result
    )
    assert forward.statistic == pytest.approx(diff.mean() / (diff.std(ddof=1) / math.sqrt(diff.size)))
    assert forward.pvalue == pytest.approx(2 * sps.norm.sf(abs(forward.statistic)))
    # Non-nested pairs are allowed; ZINB truth: ZINB beats the Poisson hurdle.
    assert models.vuong_test(fits.fits["zinb"], fits.fits["hurdle_poisson"]).preferred == "zinb"


def test_zero_inflation_tests_table_on_zinb_truth():
    fits = models.fit_count_models(models.design_matrix(_zinb_frame(800, 2), "y", ["g"]))
    tests = models.zero_inflation_tests(fits)
    assert tests.comparison.tolist() == [
        "NB vs Poisson",
        "ZIP vs Poisson",
        "ZIP vs Poisson",
        "ZINB vs NB",
        "ZINB vs ZIP",
        "ZINB vs NB hurdle",
        "ZIP vs Poisson hurdle",
    ]
    assert tests.key.tolist() == [
        "negbin_vs_poisson_lr",
        "zip_vs_poisson_score",
        "zip_vs_poisson_lr",
        "zinb_vs_negbin_lr",
        "zinb_vs_zip_lr",
        "zinb_vs_hurdle_negbin_vuong",
        "zip_vs_hurdle_poisson_vuong",
    ]
    assert tests.nested.tolist() == [True] * 5 + [False] * 2
    assert tests.test.tolist()[:2] == [
        "likelihood ratio, boundary-corrected",
        "score (van den Broek 1995), one-sided",
    ]
    assert tests.test.tolist()[5:] == ["Vuong (bic-corrected)"] * 2
    assert (tests.why.str.len() > 40).all()
    lr = tests.loc[tests.test.str.startswith("likelihood")]
    assert (lr.null_distribution == "1/2 chi2(0) + 1/2 chi2(1)").all()
    assert lr.pvalue.to_numpy() == pytest.approx(0.5 * sps.chi2.sf(lr.statistic.to_numpy(), 1))
    # Zero inflation is real here: every nested test rejects the smaller model.
    assert tests.loc[:4, "reject"].all()
    assert tests.loc[:4, "preferred"].tolist() == ["negbin", "zip", "zip", "zinb", "zinb"]
    # The pi = 0 tests use a constant inflation probability; the fits had covariates there.
    assert tests.loc[[2, 3], "note"].str.contains("refitted without covariates").all()


def test_zero_inflation_tests_say_when_observations_are_clustered():
    frame = _panel(60, 3, seed=8)
    design = models.design_matrix(frame, "y", ["level"], exposure="staff", groups="organ")
    tests = models.zero_inflation_tests(design)
    assert tests.note.str.contains("observations share clusters \\(60 organ for N = 180\\)").all()
    # Gamma-Poisson counts with an organ effect and never-asked organs: both are found by the LR tests.
    assert tests.loc[[0, 2, 3, 4], "preferred"].tolist() == ["negbin", "zip", "zinb", "zinb"]
    # The tests against an overdispersed Poisson say that their null model is wrong anyway.
    assert tests.loc[[1, 2], "note"].str.contains("overdispersed").all()
    assert not tests.loc[[0, 3, 4], "note"].str.contains("overdispersed").any()
