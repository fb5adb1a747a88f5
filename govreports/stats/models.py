"""Regression models: design matrices, log-linear OLS, count models and Vuong's test.

Fits never raise: a :class:`ModelFit` keeps the result, the warnings raised while fitting, or why
there is no result. statsmodels is imported inside the fitting functions only.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Design:
    """A model's data: response, design matrix, and what was left out and why.

    Built by :func:`design_matrix` (see its example).

    Attributes:
        y: the response, aligned with ``exog``.
        exog: ``const`` plus one 0/1 column ``name[level]`` per non-reference category level.
        dropped_rows: rows left out for a missing response or covariate.
        dropped_columns: columns left out as constant or collinear with earlier ones.
        reference: the reference level of each categorical covariate.
    """

    y: pd.Series
    exog: pd.DataFrame
    dropped_rows: int
    dropped_columns: tuple[str, ...]
    reference: dict[str, str]


def design_matrix(
    frame: pd.DataFrame,
    y: str,
    categorical: Sequence[str],
    *,
    reference: Mapping[str, str] | None = None,
) -> Design:
    """Build ``y`` and a dummy-coded design matrix; drop incomplete rows and dependent columns.

    The default reference level is the most frequent one. Columns that add no rank (a township
    organ type that only occurs at township level, a level nobody has) are dropped and named.

    >>> f = pd.DataFrame({"y": [1, 2, 3, None], "level": ["county", "county", "township", "county"]})
    >>> d = design_matrix(f, "y", ["level"])
    >>> list(d.exog.columns), d.dropped_rows, d.reference
    (['const', 'level[township]'], 1, {'level': 'county'})
    """
    data = frame[[y, *categorical]].dropna()
    exog = pd.DataFrame({"const": np.ones(len(data))}, index=data.index)
    chosen: dict[str, str] = {}
    for name in categorical:
        codes = data[name].astype(str)
        counts = codes.value_counts()
        ref = (reference or {}).get(name) or (
            min(counts.index, key=lambda v: (-counts[v], v)) if len(counts) else ""
        )
        chosen[name] = ref
        for level in sorted(counts.index):
            if level != ref:
                exog[f"{name}[{level}]"] = (codes == level).astype(float)
    kept = _independent_columns(exog)
    dropped = tuple(c for c in exog.columns if c not in kept)
    return Design(data[y].astype(float), exog[kept], len(frame) - len(data), dropped, chosen)


def _independent_columns(exog: pd.DataFrame) -> list[str]:
    kept: list[str] = []
    rank = 0
    for column in exog.columns:
        trial = np.linalg.matrix_rank(exog[[*kept, column]].to_numpy()) if len(exog) else rank
        if trial > rank:
            kept.append(column)
            rank = trial
    return kept


@dataclass
class ModelFit:
    """One fitted model, or why it was not fitted; warnings raised while fitting are kept here.

    >>> fit = ModelFit("zinb", error="too few observations: N = 4, fewer than 50")
    >>> fit.converged, fit.params.empty
    (False, True)

    Attributes:
        name: the model's key (``"ols"``, ``"zinb"``, ...).
        result: the statsmodels results object, or None.
        warnings: distinct warning messages raised during the fit (e.g. ConvergenceWarning).
        error: why there is no result (too few observations, or the fit failed).
    """

    name: str
    result: Any = None
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    names: list[str] | None = None

    @property
    def params(self) -> pd.Series:
        """Estimated parameters by name (empty without a result; see the class example)."""
        if self.result is None:
            return pd.Series(dtype=float)
        values = np.asarray(self.result.params)
        names = self.names or [str(n) for n in getattr(self.result.params, "index", range(values.size))]
        return pd.Series(values, index=names)

    @property
    def converged(self) -> bool:
        """True only for a result whose optimiser converged without convergence warnings.

        >>> ModelFit("ols", result=None).converged
        False
        """
        if self.result is None:
            return False
        flag = getattr(self.result, "mle_retvals", None) or {"converged": True}
        flags = flag.get("converged", True)
        ok = all(flags) if isinstance(flags, list) else bool(flags)
        return ok and not any("Convergence" in w for w in self.warnings)


def fit_quietly(name: str, fit: Callable[[], Any]) -> ModelFit:
    """Run ``fit()``; keep its warnings and any exception in the returned :class:`ModelFit`.

    Fitting problems are results to report, not noise: a ConvergenceWarning goes into the model
    comparison table instead of scrolling past (or failing a test run with warnings as errors).

    >>> fit_quietly("demo", lambda: 1 / 0).error
    'ZeroDivisionError: division by zero'
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = fit()
        except Exception as error:  # noqa: BLE001 - one failing model must not stop the comparison
            result, problem = None, f"{type(error).__name__}: {error}"
        else:
            problem = None
    messages = sorted({f"{w.category.__name__}: {str(w.message).splitlines()[0]}" for w in caught})
    return ModelFit(name, result, messages, problem)


def fit_log_linear(design: Design, *, min_nobs: int = 30) -> ModelFit:
    """OLS of ``log(y)`` on the design, with HC3 standard errors; zeros are left out (and counted).

    Coefficients are log-ratios: ``exp(coef)`` is the multiplicative difference from the reference.

    >>> rng = np.random.default_rng(1)
    >>> f = pd.DataFrame({"level": rng.choice(["county", "prefecture"], 400)})
    >>> f["y"] = np.exp(3 + 1.0 * (f.level == "prefecture") + rng.normal(0, 0.2, 400))
    >>> fit = fit_log_linear(design_matrix(f, "y", ["level"], reference={"level": "county"}))
    >>> round(float(fit.params["level[prefecture]"]), 1)
    1.0
    """
    positive = design.y > 0
    nobs = int(positive.sum())
    if nobs < min_nobs or nobs <= design.exog.shape[1]:
        return ModelFit(
            "ols", error=f"too few observations: N = {nobs} positive values, fewer than {min_nobs}"
        )
    import statsmodels.api as sm

    y, exog = np.log(design.y[positive]), design.exog[positive]
    return fit_quietly("ols", lambda: sm.OLS(y, exog).fit(cov_type="HC3"))


def coef_table(fit: ModelFit, *, exponentiate: bool = False) -> pd.DataFrame:
    """Coefficients with standard errors, 95% intervals and p-values (``exp`` applied on request).

    >>> coef_table(ModelFit("ols", error="too few observations")).empty
    True
    """
    columns = ["term", "coef", "se", "ci_low", "ci_high", "pvalue"]
    if fit.result is None:
        return pd.DataFrame(columns=columns)
    result = fit.result
    params = fit.params
    se = np.asarray(result.bse)
    ci = np.asarray(result.conf_int())
    table = pd.DataFrame(
        {"term": params.index, "coef": params.to_numpy(), "se": se, "ci_low": ci[:, 0], "ci_high": ci[:, 1]}
    )
    table["pvalue"] = np.asarray(result.pvalues)
    if exponentiate:
        for name in ("coef", "ci_low", "ci_high"):
            table[name] = np.exp(table[name])
    return table[columns]


COUNT_MODELS = ("poisson", "negbin", "zip", "zinb", "hurdle_poisson", "hurdle_negbin")
COUNT_MODEL_LABELS = {
    "poisson": "Poisson",
    "negbin": "Negative binomial (NB2)",
    "zip": "Zero-inflated Poisson (ZIP)",
    "zinb": "Zero-inflated NB (ZINB)",
    "hurdle_poisson": "Hurdle, Poisson counts",
    "hurdle_negbin": "Hurdle, NB counts",
}


def _count_model(name: str, y: pd.Series, exog: pd.DataFrame, exog_infl: pd.DataFrame) -> Any:
    import statsmodels.api as sm
    from statsmodels.discrete.count_model import ZeroInflatedNegativeBinomialP, ZeroInflatedPoisson
    from statsmodels.discrete.truncated_model import HurdleCountModel

    builders: dict[str, Callable[[], Any]] = {
        "poisson": lambda: sm.Poisson(y, exog),
        "negbin": lambda: sm.NegativeBinomial(y, exog, loglike_method="nb2"),
        "zip": lambda: ZeroInflatedPoisson(y, exog, exog_infl=exog_infl, inflation="logit"),
        "zinb": lambda: ZeroInflatedNegativeBinomialP(y, exog, exog_infl=exog_infl, inflation="logit", p=2),
        # statsmodels' hurdle uses the count design for the zero part too (a censored Poisson,
        # i.e. a complementary log-log model of "any applications at all").
        "hurdle_poisson": lambda: HurdleCountModel(y, exog, dist="poisson", zerodist="poisson"),
        "hurdle_negbin": lambda: HurdleCountModel(y, exog, dist="negbin", zerodist="poisson"),
    }
    return builders[name]()


@dataclass
class CountFits:
    """Fitted count models and their comparison table (example in :func:`fit_count_models`)."""

    fits: dict[str, ModelFit]
    table: pd.DataFrame
    nobs: int
    zeros: int

    def best(self, criterion: str = "bic") -> str | None:
        """Name of the converged model with the lowest ``aic`` or ``bic``, or None.

        >>> table = pd.DataFrame({"model": ["a"], "bic": [1.0], "converged": [False]})
        >>> CountFits({}, table, nobs=0, zeros=0).best() is None
        True
        """
        usable = self.table.loc[self.table["converged"]]
        return None if usable.empty else str(usable.loc[usable[criterion].idxmin(), "model"])


def fit_count_models(
    design: Design,
    *,
    exog_infl: pd.DataFrame | None = None,
    models: Sequence[str] = COUNT_MODELS,
    min_nobs: int = 50,
    maxiter: int = 2000,
) -> CountFits:
    """Fit Poisson, NB, ZIP, ZINB and hurdle models of one count; compare them by AIC and BIC.

    AIC and BIC are computed here from each model's log-likelihood and parameter count, so
    they are comparable across statsmodels classes. Warnings and failures go into the table.

    Args:
        design: the count ``y`` and its design (see :func:`design_matrix`).
        exog_infl: covariates of the zero-inflation part; default: the count design.
        models: keys from :data:`COUNT_MODELS`.
        min_nobs: below this many observations no model is fitted (the table says so).
        maxiter: optimiser iterations.

    >>> rng = np.random.default_rng(0)
    >>> f = pd.DataFrame({"g": rng.choice(["a", "b"], 300)})
    >>> f["y"] = rng.poisson(np.where(f.g == "a", 1.0, 4.0))
    >>> fits = fit_count_models(design_matrix(f, "y", ["g"]), models=("poisson", "negbin"))
    >>> fits.table[["model", "k", "converged"]].values.tolist()
    [['poisson', 2, True], ['negbin', 3, True]]
    """
    y, exog = design.y, design.exog
    exog_infl = exog if exog_infl is None else exog_infl.loc[exog.index]
    fits: dict[str, ModelFit] = {}
    for name in models:
        if len(y) < min_nobs:
            fits[name] = ModelFit(name, error=f"too few observations: N = {len(y)}, fewer than {min_nobs}")
            continue
        method = "newton" if name == "poisson" else "bfgs"
        fits[name] = fit_quietly(
            name, lambda name=name, method=method: _count_model(name, y, exog, exog_infl).fit(
                disp=0, maxiter=maxiter, method=method
            )
        )  # fmt: skip
        fits[name].names = _count_param_names(name, exog, exog_infl)
    rows = [_count_row(fit, y) for fit in fits.values()]
    table = pd.DataFrame(rows)
    for criterion in ("aic", "bic"):
        table[f"delta_{criterion}"] = table[criterion] - table[criterion].min()
    return CountFits(fits, table, len(y), int((y == 0).sum()))


def _count_row(fit: ModelFit, y: pd.Series) -> dict[str, Any]:
    row: dict[str, Any] = {"model": fit.name, "label": COUNT_MODEL_LABELS.get(fit.name, fit.name)}
    row |= {"nobs": len(y), "k": 0, "llf": np.nan, "aic": np.nan, "bic": np.nan}
    row |= {"observed_zeros": int((y == 0).sum()), "expected_zeros": np.nan}
    if fit.result is not None:
        k, llf = len(np.asarray(fit.result.params)), float(fit.result.llf)
        row |= {"k": k, "llf": llf, "aic": 2 * k - 2 * llf, "bic": k * math.log(len(y)) - 2 * llf}
        row["expected_zeros"] = _expected_zeros(fit.result)
    row |= {"converged": fit.converged, "warnings": "; ".join(fit.warnings), "error": fit.error or ""}
    return row


def _count_param_names(name: str, exog: pd.DataFrame, exog_infl: pd.DataFrame) -> list[str]:
    alpha = ["alpha"] if name in ("negbin", "zinb", "hurdle_negbin") else []
    if name.startswith("zi"):
        return [f"inflate_{c}" for c in exog_infl.columns] + list(exog.columns) + alpha
    if name.startswith("hurdle"):
        return [f"zero_{c}" for c in exog.columns] + list(exog.columns) + alpha
    return list(exog.columns) + alpha


def _expected_zeros(result: Any) -> float:
    try:
        return float(np.sum(result.predict(which="prob-zero")))
    except (ValueError, TypeError, AttributeError):
        return float(np.sum(result.get_distribution().pmf(0)))


def loglike_obs(result: Any) -> np.ndarray:
    """Per-observation log-likelihood of a fitted count model, in the data's row order.

    statsmodels' hurdle model has no ``loglikeobs``; its two parts are put back together here.

    >>> f = pd.DataFrame({"g": ["a", "b"] * 40, "y": [0, 1, 3, 0, 2, 5, 0, 0] * 10})
    >>> fit = fit_count_models(design_matrix(f, "y", ["g"]), models=("hurdle_poisson",))
    >>> result = fit.fits["hurdle_poisson"].result
    >>> bool(np.isclose(loglike_obs(result).sum(), result.llf))
    True
    """
    from statsmodels.discrete.truncated_model import HurdleCountModel

    params = np.asarray(result.params)
    model = result.model
    if not isinstance(model, HurdleCountModel):
        return np.asarray(model.loglikeobs(params))
    k = model.k_exog + model.k_extra1
    zero_part, count_part = model.model1, model.model2
    out = np.empty(len(model.endog))
    # The censored part returns zeros first, then non-zeros; the truncated part only non-zeros.
    out[np.concatenate([zero_part.zero_idx, zero_part.nonzero_idx])] = zero_part.loglikeobs(params[:k])
    out[model.endog > 0] += count_part.loglikeobs(params[k:])
    return out


@dataclass(frozen=True)
class VuongResult:
    """Vuong's test of two non-nested models: ``statistic > 0`` favours the first."""

    first: str
    second: str
    statistic: float
    pvalue: float
    preferred: str
    correction: str
    nobs: int


def vuong_test(
    first: ModelFit, second: ModelFit, *, correction: str = "bic", alpha: float = 0.05
) -> VuongResult:
    """Vuong (1989) test of two non-nested models, judged observation by observation.

    ``correction`` (``"none"``, ``"aic"``, ``"bic"``) penalises the model with more parameters.
    For ZIP vs Poisson the models are nested on the boundary and the test is only a heuristic
    (Wilson 2015); prefer AIC/BIC and the expected-zeros check there.

    >>> rng = np.random.default_rng(2)
    >>> f = pd.DataFrame({"g": rng.choice(["a", "b"], 400)})
    >>> f["y"] = rng.negative_binomial(1, 1 / (1 + np.where(f.g == "a", 2.0, 6.0)))
    >>> fits = fit_count_models(design_matrix(f, "y", ["g"]), models=("poisson", "negbin"))
    >>> vuong_test(fits.fits["negbin"], fits.fits["poisson"]).preferred
    'negbin'
    """
    if first.result is None or second.result is None:
        return VuongResult(first.name, second.name, math.nan, math.nan, "not assessable", correction, 0)
    diff = loglike_obs(first.result) - loglike_obs(second.result)
    n = diff.size
    k_diff = len(np.asarray(first.result.params)) - len(np.asarray(second.result.params))
    penalty = {"none": 0.0, "aic": k_diff, "bic": k_diff * math.log(n) / 2}[correction]
    spread = diff.std(ddof=1)
    statistic = (diff.sum() - penalty) / (math.sqrt(n) * spread) if spread > 0 else 0.0
    pvalue = 2 * (1 - NormalDist().cdf(abs(statistic)))
    preferred = "neither" if pvalue >= alpha else (first.name if statistic > 0 else second.name)
    return VuongResult(first.name, second.name, float(statistic), float(pvalue), preferred, correction, n)
