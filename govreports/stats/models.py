"""Regression models: design matrices, Poisson pseudo-maximum likelihood, count models and tests.

- :func:`design_matrix` builds the response, dummy-coded covariates (year effects included), an
  exposure/offset and the cluster ids (an organ) that standard errors are clustered by.
- :func:`fit_ppml` is the recommended model of volumes (proactive disclosures, applications):
  Poisson pseudo-maximum likelihood keeps the zeros and its ``exp(coef)`` is a ratio of means.
  :func:`fit_log_linear` (OLS of ``log(y)``) is kept for comparison only.
- :func:`fit_count_models` fits Poisson, NB2, ZIP, ZINB and two hurdle models with robust
  (cluster-robust where a group is given) standard errors and compares them by AIC and BIC.
- :func:`zero_inflation_tests` tests zero inflation and overdispersion with the test each pair
  needs: boundary-corrected likelihood ratios and van den Broek's score test for nested pairs,
  Vuong's test only for non-nested ones (:func:`vuong_test` refuses nested pairs).

Fits never raise: a :class:`ModelFit` keeps the result, the warnings raised while fitting, or why
there is no result. statsmodels is imported inside the fitting functions only.
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, cast

import numpy as np
import numpy.typing as npt
import pandas as pd

# Clusters below this many make cluster-robust standard errors unreliable; the fit says so.
FEW_CLUSTERS = 30


@dataclass(frozen=True)
class Design:
    """A model's data: response, design matrix, exposure/offset, clusters, and what was left out.

    Built by :func:`design_matrix` (see its example).

    Attributes:
        y: the response, aligned with ``exog``.
        exog: ``const`` plus one 0/1 column ``name[level]`` per non-reference category level.
        dropped_rows: rows left out for a missing response, covariate, exposure or offset.
        dropped_columns: columns left out as constant or collinear with earlier ones.
        reference: the reference level of each categorical covariate.
        offset: ``log(exposure) + offset`` per row (coefficient fixed at 1), or None.
        groups: the cluster of each row (e.g. the organ, for several years of one organ), or None;
            with groups, standard errors are cluster-robust by default.
    """

    y: pd.Series
    exog: pd.DataFrame
    dropped_rows: int
    dropped_columns: tuple[str, ...]
    reference: dict[str, str]
    offset: pd.Series | None = None
    groups: pd.Series | None = None


def design_matrix(
    frame: pd.DataFrame,
    y: str,
    categorical: Sequence[str],
    *,
    reference: Mapping[str, Any] | None = None,
    year: str | None = None,
    exposure: str | None = None,
    offset: str | None = None,
    groups: str | None = None,
) -> Design:
    """Build ``y`` and a dummy-coded design matrix; drop incomplete rows and dependent columns.

    The default reference level is the most frequent one (ties: the first in sort order). Columns
    that add no rank (a township organ type that only occurs at township level, a level nobody
    has) are dropped and named. Integer-valued columns (a year) give levels such as ``2021``,
    sorted by value.

    Args:
        frame: one row per observation (e.g. :func:`~govreports.stats.report_panel`).
        y: the response column.
        categorical: covariates coded as one dummy per non-reference level.
        reference: a reference level per covariate, instead of the most frequent one.
        year: a year column to add as categorical year effects (one dummy per year but the
            reference), which absorb shocks common to all organs in a year.
        exposure: a positive column whose log enters the linear predictor with coefficient 1
            (models then describe ``y / exposure``); non-positive values raise ``ValueError``.
        offset: a column added to the linear predictor with coefficient 1 (already on log scale).
        groups: the cluster id column (e.g. ``"organ_id"``): standard errors become
            cluster-robust; a row without an id is its own cluster (it is not dropped).

    >>> f = pd.DataFrame({"y": [1, 2, 3, None], "level": ["county", "county", "township", "county"]})
    >>> d = design_matrix(f, "y", ["level"])
    >>> list(d.exog.columns), d.dropped_rows, d.reference
    (['const', 'level[township]'], 1, {'level': 'county'})
    >>> f["year"] = pd.array([2021, 2022, 2022, 2021], dtype="Int16")
    >>> list(design_matrix(f, "y", ["level"], year="year", reference={"year": 2021}).exog.columns)
    ['const', 'level[township]', 'year[2022]']
    """
    categorical = list(dict.fromkeys([*categorical, *([year] if year is not None else [])]))
    extra = [c for c in (exposure, offset) if c is not None]
    needed = list(dict.fromkeys([y, *categorical, *extra]))
    data = frame[list(dict.fromkeys([*needed, *([groups] if groups is not None else [])]))]
    data = data.dropna(subset=needed)
    exog = pd.DataFrame({"const": np.ones(len(data))}, index=data.index)
    chosen: dict[str, str] = {}
    for name in categorical:
        codes, levels = _levels(data[name])
        counts = codes.value_counts()
        given = (reference or {}).get(name)
        ref = str(given) if given is not None else min(levels, key=lambda v: -counts[v]) if levels else ""
        chosen[name] = ref
        for level in levels:
            if level != ref:
                exog[f"{name}[{level}]"] = (codes == level).astype(float)
    kept = _independent_columns(exog)
    dropped = tuple(c for c in exog.columns if c not in kept)
    log_offset = None
    if exposure is not None or offset is not None:
        log_offset = pd.Series(0.0, index=data.index, name="offset")
        if exposure is not None:
            values = data[exposure].astype(float)
            if (values <= 0).any():
                raise ValueError(
                    f"exposure {exposure!r} is not positive in {int((values <= 0).sum())} rows: "
                    "log(exposure) is undefined; drop those rows or pass a log-scale offset"
                )
            log_offset += np.log(values)
        if offset is not None:
            log_offset += data[offset].astype(float)
    clusters = None
    if groups is not None:
        # A row without a group id (an organ the linkage could not resolve) is its own cluster.
        ids = data[groups].astype(object)
        clusters = ids.where(ids.notna(), [f"(row {i})" for i in data.index]).rename(groups)
    return Design(
        data[y].astype(float), exog[kept], len(frame) - len(data), dropped, chosen, log_offset, clusters
    )


def _levels(values: pd.Series) -> tuple[pd.Series, list[str]]:
    """Level labels of a categorical column, and the levels in order (integers by value)."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        numbers = values.astype(float)
        if bool((numbers == numbers.round()).all()):
            codes = numbers.astype("int64").astype(str)
            return codes, sorted(codes.unique(), key=int)
    codes = values.astype(str)
    return codes, sorted(codes.unique())


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
        name: the model's key (``"ppml"``, ``"ols"``, ``"zinb"``, ...).
        result: the statsmodels results object (a :class:`HurdleResult` for hurdles), or None.
        warnings: distinct warning messages raised during the fit (e.g. ConvergenceWarning).
        error: why there is no result (too few observations, or the fit failed).
        names: parameter names, when the result does not carry them.
        se_type: how standard errors were computed (cluster-robust by what, HC0, ...).
    """

    name: str
    result: Any = None
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    names: list[str] | None = None
    se_type: str = ""

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
        flag = getattr(self.result, "mle_retvals", None) or {
            "converged": getattr(self.result, "converged", True)
        }
        flags = flag.get("converged", True)
        ok = all(flags) if isinstance(flags, list) else bool(flags)
        llf = getattr(self.result, "llf", 0.0)
        return ok and math.isfinite(float(llf)) and not any("Convergence" in w for w in self.warnings)


def fit_quietly(name: str, fit: Callable[[], Any]) -> ModelFit:
    """Run ``fit()``; keep its warnings and any exception in the returned :class:`ModelFit`.

    Fitting problems are results to report, not noise: a ConvergenceWarning goes into the model
    comparison table instead of scrolling past (or failing a test run with warnings as errors).

    >>> fit_quietly("demo", lambda: 1 / 0).error
    'ZeroDivisionError: division by zero'
    """
    problem: str | None
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


# --- Standard errors -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Covariance:
    cov_type: str
    groups: np.ndarray | None
    description: str

    def kwargs(self, rows: np.ndarray | None = None) -> dict[str, Any]:
        """``cov_type``/``cov_kwds`` for a statsmodels ``fit``, for a subset of rows if given."""
        if self.cov_type == "nonrobust":
            return {}
        if self.groups is None:
            return {"cov_type": self.cov_type}
        groups = self.groups if rows is None else self.groups[rows]
        return {"cov_type": "cluster", "cov_kwds": {"groups": groups}}


def _covariance(design: Design, cov_type: str, *, hc: str = "HC0") -> _Covariance:
    """Resolve ``cov_type``: ``"robust"`` is cluster-robust by ``design.groups``, else ``hc``."""
    if cov_type == "robust":
        cov_type = "cluster" if design.groups is not None else hc
    if cov_type == "cluster":
        if design.groups is None:
            raise ValueError("cov_type='cluster' needs groups: design_matrix(..., groups='organ')")
        codes = pd.factorize(design.groups)[0]
        n = int(codes.max()) + 1 if codes.size else 0
        note = f"; only {n} clusters: cluster-robust SEs are unreliable" if n < FEW_CLUSTERS else ""
        name = design.groups.name or "group"
        return _Covariance("cluster", codes, f"cluster-robust by {name} (G = {n}){note}")
    if cov_type in ("HC0", "HC1", "HC2", "HC3"):
        return _Covariance(cov_type, None, f"heteroskedasticity-robust ({cov_type})")
    if cov_type == "nonrobust":
        return _Covariance("nonrobust", None, "model-based (not robust)")
    raise ValueError(f"unknown cov_type {cov_type!r}: robust, cluster, HC0-HC3 or nonrobust")


def _with_overrides(design: Design, offset: Any = None, exposure: Any = None, groups: Any = None) -> Design:
    """Return the design with the exposure/offset/groups given to a fitting function (by row)."""
    if offset is None and exposure is None and groups is None:
        return design
    index = design.y.index

    def aligned(values: Any, name: str) -> pd.Series:
        if isinstance(values, pd.Series):
            return values.loc[index].rename(name)
        return pd.Series(np.asarray(values), index=index, name=name)

    changes: dict[str, Any] = {}
    if offset is not None or exposure is not None:
        total = pd.Series(0.0, index=index, name="offset")
        if exposure is not None:
            e = aligned(exposure, "exposure").astype(float)
            if bool((e <= 0).any()) or bool(e.isna().any()):
                raise ValueError("exposure must be positive (and not missing) on every row of the design")
            total += np.log(e)
        if offset is not None:
            total += aligned(offset, "offset").astype(float)
        changes["offset"] = total
    if groups is not None:
        changes["groups"] = aligned(groups, getattr(groups, "name", None) or "groups")
    return dataclasses.replace(design, **changes)


def _offset_array(design: Design) -> np.ndarray | None:
    return None if design.offset is None else design.offset.to_numpy(dtype=float)


def _separation_notes(design: Design) -> list[str]:
    """Name dummies whose rows all have y = 0: no finite estimate exists in a log-link model."""
    notes = []
    for column in design.exog.columns[1:]:
        on = design.exog[column].to_numpy() == 1
        if on.any() and not (design.y.to_numpy()[on] > 0).any():
            notes.append(
                f"Separation: y is 0 in all {int(on.sum())} rows with {column} = 1, so its coefficient "
                "has no finite estimate (it drifts to -inf); drop those rows or merge the level"
            )
    return notes


# --- Volumes: PPML and log-linear OLS ------------------------------------------------------


def fit_ppml(design: Design, *, min_nobs: int = 30, cov_type: str = "robust", maxiter: int = 100) -> ModelFit:
    """Poisson pseudo-maximum likelihood: GLM Poisson of ``y`` with robust standard errors.

    The recommended model of volumes. It needs only ``E[y | x] = exp(x'b + offset)``: ``y`` need
    not be a count or Poisson distributed (any overdispersion is absorbed by the robust SEs), zeros
    are kept, and ``exp(coef)`` is the ratio of expected values (means) to the reference group.
    Standard errors are cluster-robust by ``design.groups`` when given, else HC0 (``cov_type``:
    ``"robust"``, ``"cluster"``, ``"HC0"``, ``"HC1"``, ``"nonrobust"``). A level whose rows are
    all zero has no finite coefficient; the fit's warnings say so.

    >>> rng = np.random.default_rng(1)
    >>> f = pd.DataFrame({"level": rng.choice(["county", "prefecture"], 400)})
    >>> f["y"] = np.round(np.exp(3 + 1.0 * (f.level == "prefecture") + rng.normal(0, 0.5, 400)))
    >>> fit = fit_ppml(design_matrix(f, "y", ["level"], reference={"level": "county"}))
    >>> abs(float(fit.params["level[prefecture]"]) - 1.0) < 0.15, fit.se_type
    (True, 'heteroskedasticity-robust (HC0)')
    """
    nobs = len(design.y)
    if nobs < min_nobs or nobs <= design.exog.shape[1]:
        return ModelFit("ppml", error=f"too few observations: N = {nobs}, fewer than {min_nobs}")
    if bool((design.y < 0).any()):
        return ModelFit("ppml", error=f"negative values of y in {int((design.y < 0).sum())} rows")
    import statsmodels.api as sm

    cov = _covariance(design, cov_type)
    fit = fit_quietly(
        "ppml",
        lambda: sm.GLM(design.y, design.exog, family=sm.families.Poisson(), offset=_offset_array(design)).fit(
            maxiter=maxiter, **cov.kwargs()
        ),
    )
    fit.warnings += _separation_notes(design)
    fit.se_type = cov.description
    return fit


def fit_log_linear(design: Design, *, min_nobs: int = 30, cov_type: str = "robust") -> ModelFit:
    """OLS of ``log(y)`` on positive values only; prefer :func:`fit_ppml` for volumes.

    Zeros are dropped (counted in the error when too few remain), so the model describes organs
    with a positive value only. ``exp(coef)`` is the ratio of **geometric means** of the positive
    values to the reference group, not a ratio of means: under heteroskedasticity the two differ,
    and ``exp(const)`` underestimates the mean. An offset in the design is subtracted from
    ``log(y)``. Standard errors: cluster-robust by ``design.groups`` when given, else HC3.

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

    subset = dataclasses.replace(
        design,
        y=design.y[positive],
        exog=design.exog[positive],
        offset=None if design.offset is None else design.offset[positive],
        groups=None if design.groups is None else design.groups[positive],
    )
    cov = _covariance(subset, cov_type, hc="HC3")
    y = np.log(subset.y) - (0.0 if subset.offset is None else subset.offset)
    fit = fit_quietly("ols", lambda: sm.OLS(y, subset.exog).fit(**cov.kwargs()))
    fit.se_type = cov.description
    return fit


# --- Count models --------------------------------------------------------------------------

COUNT_MODELS = ("poisson", "negbin", "zip", "zinb", "hurdle_poisson", "hurdle_negbin")
COUNT_MODEL_LABELS = {
    "poisson": "Poisson",
    "negbin": "Negative binomial (NB2)",
    "zip": "Zero-inflated Poisson (ZIP)",
    "zinb": "Zero-inflated NB (ZINB)",
    "hurdle_poisson": "Hurdle: logit zero part, truncated Poisson",
    "hurdle_negbin": "Hurdle: logit zero part, truncated NB2",
}
HURDLE_ZERO_LINKS = ("logit", "cloglog")


class HurdleResult:
    """A two-part hurdle model: a binary model of ``y > 0``, then a zero-truncated count.

    The zero part is a binomial GLM of ``y > 0`` on the count design: a logit (coefficients are
    log-odds of a positive count), or a complementary log-log, ``P(y > 0) = 1 - exp(-exp(x'g))``,
    which is the censored Poisson zero part of statsmodels' ``HurdleCountModel``. An offset enters
    the count part, and the cloglog zero part (where ``exp(x'g + offset)`` is a Poisson rate over
    the exposure); a logit has no natural exposure term, so the offset is left out of it. The count
    part is a zero-truncated Poisson or NB2 fitted to the positive values (statsmodels'
    ``TruncatedLFPoisson``/``TruncatedLFNegativeBinomialP``); its ``exp(coef)`` is a ratio of the
    count distribution's mean before truncation, not of ``E[y | y > 0]``.

    The likelihood factorises, so each part is fitted on its own and the log-likelihood is the sum.
    Standard errors are each part's (robust or cluster-robust as requested); :meth:`cov_params` is
    block-diagonal. That is exact for model-based SEs (the information matrix is block-diagonal);
    for robust SEs it leaves out the covariance between the parts' estimates, which matters for a
    prediction combining both parts, not for any one coefficient.

    Attributes:
        zero, count: the two statsmodels results.
        dist, link: ``"poisson"``/``"negbin"`` and ``"logit"``/``"cloglog"``.
    """

    def __init__(
        self,
        zero: Any,
        count: Any,
        *,
        dist: str,
        link: str,
        names: list[str],
        endog: np.ndarray,
        exog: np.ndarray,
        offset: np.ndarray | None,
    ) -> None:
        self.zero, self.count, self.dist, self.link = zero, count, dist, link
        self.endog, self.exog, self.offset = endog, exog, offset
        self.nobs = len(endog)
        stacked = {
            key: pd.Series(np.concatenate([np.asarray(getattr(part, key)) for part in (zero, count)]), names)
            for key in ("params", "bse", "pvalues")
        }
        self.params, self.bse, self.pvalues = stacked["params"], stacked["bse"], stacked["pvalues"]
        self.llf = float(zero.llf) + float(count.llf)
        self.cov_type = str(count.cov_type)
        self.mle_retvals = {"converged": [bool(zero.converged), bool(count.mle_retvals["converged"])]}

    def conf_int(self, alpha: float = 0.05) -> pd.DataFrame:
        """Each part's Wald intervals, stacked (zero part first)."""
        bounds = np.vstack([np.asarray(self.zero.conf_int(alpha)), np.asarray(self.count.conf_int(alpha))])
        return pd.DataFrame(bounds, index=self.params.index, columns=[0, 1])

    def cov_params(self) -> pd.DataFrame:
        """Block-diagonal covariance of the parameters (see the class notes)."""
        k = len(np.asarray(self.zero.params))
        cov = np.zeros((len(self.params), len(self.params)))
        cov[:k, :k] = np.asarray(self.zero.cov_params())
        cov[k:, k:] = np.asarray(self.count.cov_params())
        return pd.DataFrame(cov, index=self.params.index, columns=self.params.index)

    def loglikeobs(self) -> np.ndarray:
        """Per-observation log-likelihood, in the data's row order."""
        positive = self.endog > 0
        p = np.asarray(self.zero.predict())
        out: npt.NDArray[np.float64] = np.where(positive, np.log(p), np.log1p(-p))
        out[positive] += self.count.model.loglikeobs(np.asarray(self.count.params))
        return out

    def predict(self, which: str = "mean") -> np.ndarray:
        """In-sample ``"prob-zero"``, ``"prob-positive"`` or ``"mean"`` (``P(y > 0) E[y | y > 0]``)."""
        positive: npt.NDArray[np.float64] = np.asarray(self.zero.predict())
        if which == "prob-zero":
            return 1 - positive
        if which == "prob-positive":
            return positive
        if which == "mean":
            offset = np.zeros(self.nobs) if self.offset is None else self.offset
            truncated: npt.NDArray[np.float64] = self.count.model.predict(
                np.asarray(self.count.params), exog=self.exog, offset=offset, which="mean"
            )
            return positive * truncated
        raise ValueError(f"which={which!r}: prob-zero, prob-positive or mean")


def _fit_hurdle(
    dist: str, design: Design, cov: _Covariance, *, link: str, maxiter: int, names: list[str]
) -> HurdleResult:
    import statsmodels.api as sm
    from statsmodels.discrete.truncated_model import TruncatedLFNegativeBinomialP, TruncatedLFPoisson
    from statsmodels.genmod.families import links

    y = design.y.to_numpy(dtype=float)
    exog = design.exog.to_numpy(dtype=float)
    offset = _offset_array(design)
    positive = y > 0
    family = sm.families.Binomial(links.Logit() if link == "logit" else links.CLogLog())
    zero_offset = offset if link == "cloglog" else None
    zero = sm.GLM(positive.astype(float), exog, family=family, offset=zero_offset).fit(
        maxiter=min(maxiter, 100), **cov.kwargs()
    )
    if dist == "poisson":
        model = TruncatedLFPoisson(y, exog, offset=offset)
    else:
        model = TruncatedLFNegativeBinomialP(y, exog, offset=offset, p=2)
    count = model.fit(disp=0, maxiter=maxiter, method="bfgs", **cov.kwargs(positive))
    return HurdleResult(zero, count, dist=dist, link=link, names=names, endog=y, exog=exog, offset=offset)


def _count_model(
    name: str,
    design: Design,
    exog_infl: pd.DataFrame,
    cov: _Covariance,
    *,
    maxiter: int,
    hurdle_zero: str,
    start_params: np.ndarray | None = None,
) -> Any:
    import statsmodels.api as sm
    from statsmodels.discrete.count_model import ZeroInflatedNegativeBinomialP, ZeroInflatedPoisson

    y, exog, offset = design.y, design.exog, _offset_array(design)
    options = {"disp": 0, "maxiter": maxiter, **cov.kwargs()}
    if start_params is not None:
        options["start_params"] = start_params
    if name == "poisson":
        return sm.Poisson(y, exog, offset=offset).fit(method="newton", **options)
    if name == "negbin":
        return sm.NegativeBinomial(y, exog, loglike_method="nb2", offset=offset).fit(method="bfgs", **options)
    if name == "zip":
        model = ZeroInflatedPoisson(y, exog, exog_infl=exog_infl, inflation="logit", offset=offset)
        return model.fit(method="bfgs", **options)
    if name == "zinb":
        model = ZeroInflatedNegativeBinomialP(
            y, exog, exog_infl=exog_infl, inflation="logit", p=2, offset=offset
        )
        return model.fit(method="bfgs", **options)
    if name in ("hurdle_poisson", "hurdle_negbin"):
        names = _count_param_names(name, exog, exog_infl)
        dist = name.removeprefix("hurdle_")
        return _fit_hurdle(dist, design, cov, link=hurdle_zero, maxiter=maxiter, names=names)
    raise ValueError(f"unknown count model {name!r}: one of {COUNT_MODELS}")


@dataclass
class CountFits:
    """Fitted count models and their comparison table (example in :func:`fit_count_models`).

    ``design``, ``exog_infl`` and ``options`` are what the models were fitted with, so that
    :func:`zero_inflation_tests` can fit the models a test needs in the same way.
    """

    fits: dict[str, ModelFit]
    table: pd.DataFrame
    nobs: int
    zeros: int
    design: Design | None = None
    exog_infl: pd.DataFrame | None = None
    options: dict[str, Any] = field(default_factory=dict)

    def best(self, criterion: str = "bic") -> str | None:
        """Name of the converged model with the lowest ``aic`` or ``bic``, or None.

        >>> table = pd.DataFrame({"model": ["a"], "bic": [1.0], "converged": [False]})
        >>> CountFits({}, table, nobs=0, zeros=0).best() is None
        True
        """
        usable = self.table.loc[self.table["converged"]]
        if usable.empty:
            return None
        # The table's index is a RangeIndex (one row per model); the stubs type idxmin's label as any
        # Hashable, which .loc does not take.
        best = cast("int", usable[criterion].idxmin())
        return str(usable.loc[best, "model"])


def fit_count_models(
    design: Design,
    *,
    exog_infl: pd.DataFrame | None = None,
    models: Sequence[str] = COUNT_MODELS,
    min_nobs: int = 50,
    maxiter: int = 2000,
    cov_type: str = "robust",
    hurdle_zero: str = "logit",
    offset: Any = None,
    exposure: Any = None,
    groups: Any = None,
) -> CountFits:
    """Fit Poisson, NB2, ZIP, ZINB and hurdle models of one count; compare them by AIC and BIC.

    AIC and BIC are computed here from each model's log-likelihood and parameter count, so
    they are comparable across statsmodels classes. Warnings and failures go into the table, and
    ``se_type`` says how standard errors were computed. Zero inflation is tested with
    :func:`zero_inflation_tests`, not by comparing these criteria alone.

    Args:
        design: the count ``y`` and its design (see :func:`design_matrix`), with its offset and
            groups if any.
        exog_infl: covariates of the ZIP/ZINB inflation part (a logit of the always-zero class);
            default: the count design.
        models: keys from :data:`COUNT_MODELS`.
        min_nobs: below this many observations no model is fitted (the table says so).
        maxiter: optimiser iterations.
        cov_type: ``"robust"`` (default: cluster-robust by the design's groups if any, else HC0),
            ``"cluster"``, ``"HC0"``, ``"HC1"`` or ``"nonrobust"``.
        hurdle_zero: the hurdles' zero part, a binary model of ``y > 0``: ``"logit"`` or
            ``"cloglog"`` (statsmodels' censored-Poisson zero part); see :class:`HurdleResult`.
        offset: per-row log-scale offset (aligned with ``design.y``), replacing the design's.
        exposure: per-row positive exposure (logged and added to ``offset``).
        groups: per-row cluster ids, replacing the design's.

    The offset (log exposure included) enters the count part of every model, never the ZIP/ZINB
    inflation logit.

    >>> rng = np.random.default_rng(0)
    >>> f = pd.DataFrame({"g": rng.choice(["a", "b"], 300)})
    >>> f["y"] = rng.poisson(np.where(f.g == "a", 1.0, 4.0))
    >>> fits = fit_count_models(design_matrix(f, "y", ["g"]), models=("poisson", "negbin"))
    >>> fits.table[["model", "k", "converged"]].values.tolist()
    [['poisson', 2, True], ['negbin', 3, True]]
    """
    if hurdle_zero not in HURDLE_ZERO_LINKS:
        raise ValueError(f"hurdle_zero={hurdle_zero!r}: one of {HURDLE_ZERO_LINKS}")
    unknown = [m for m in models if m not in COUNT_MODELS]
    if unknown:
        raise ValueError(f"unknown count models {unknown}: choose from {COUNT_MODELS}")
    design = _with_overrides(design, offset, exposure, groups)
    y, exog = design.y, design.exog
    exog_infl = exog if exog_infl is None else exog_infl.loc[exog.index]
    cov = _covariance(design, cov_type)
    options = {"min_nobs": min_nobs, "maxiter": maxiter, "cov_type": cov_type, "hurdle_zero": hurdle_zero}
    fits = {name: _fit_count(name, design, exog_infl, cov, options) for name in models}
    table = pd.DataFrame([_count_row(fit, y, hurdle_zero) for fit in fits.values()])
    for criterion in ("aic", "bic"):
        table[f"delta_{criterion}"] = table[criterion] - table[criterion].min()
    return CountFits(fits, table, len(y), int((y == 0).sum()), design, exog_infl, options)


def _fit_count(
    name: str, design: Design, exog_infl: pd.DataFrame, cov: _Covariance, options: Mapping[str, Any]
) -> ModelFit:
    nobs, min_nobs = len(design.y), options["min_nobs"]
    if nobs < min_nobs:
        return ModelFit(name, error=f"too few observations: N = {nobs}, fewer than {min_nobs}")
    settings = {"maxiter": options["maxiter"], "hurdle_zero": options["hurdle_zero"]}
    fit = fit_quietly(name, lambda: _evaluated(_count_model(name, design, exog_infl, cov, **settings)))
    if name in ("zip", "zinb") and not fit.converged:
        # statsmodels starts every inflation coefficient at 0 (ZINB) or 0.1 (ZIP), pi about 0.5;
        # from there BFGS can step to alpha < 0 or diverge. Start again from the model without
        # inflation and pi = 0.05.
        start = fit_quietly(name, lambda: _inflation_start(name, design, exog_infl))
        retry = fit_quietly(
            name,
            lambda: _evaluated(
                _count_model(name, design, exog_infl, cov, start_params=start.result, **settings)
            ),
        )
        if start.result is not None and retry.converged:
            base = "NB2" if name == "zinb" else "Poisson"
            retry.warnings.append(
                f"Refitted from the {base} estimates: the default start values reached no maximum"
            )
            fit = retry
    fit.names = _count_param_names(name, design.exog, exog_infl)
    fit.se_type = cov.description
    if fit.result is not None:
        fit.warnings += _separation_notes(design)
    return fit


def _evaluated(result: Any) -> Any:
    """Compute a result's log-likelihood and standard errors now, so their warnings are kept."""
    _ = result.llf, result.bse, result.pvalues
    return result


def _inflation_start(name: str, design: Design, exog_infl: pd.DataFrame) -> np.ndarray:
    """Start values for ZIP/ZINB: the Poisson/NB2 estimates and a 5% inflation probability."""
    import statsmodels.api as sm

    y, exog, offset = design.y, design.exog, _offset_array(design)
    if name == "zip":
        base = sm.Poisson(y, exog, offset=offset).fit(disp=0, method="newton")
    else:
        base = sm.NegativeBinomial(y, exog, loglike_method="nb2", offset=offset).fit(disp=0, method="bfgs")
    inflation = np.zeros(exog_infl.shape[1])
    if "const" in exog_infl.columns:
        inflation[list(exog_infl.columns).index("const")] = math.log(0.05 / 0.95)
    return np.concatenate([inflation, np.asarray(base.params)])


def _count_row(fit: ModelFit, y: pd.Series, hurdle_zero: str = "logit") -> dict[str, Any]:
    label = COUNT_MODEL_LABELS.get(fit.name, fit.name)
    if fit.name.startswith("hurdle") and hurdle_zero != "logit":
        label = label.replace("logit zero part", f"{hurdle_zero} zero part")
    row: dict[str, Any] = {"model": fit.name, "label": label}
    row |= {"nobs": len(y), "k": 0, "llf": np.nan, "aic": np.nan, "bic": np.nan}
    row |= {"observed_zeros": int((y == 0).sum()), "expected_zeros": np.nan}
    if fit.result is not None:
        k, llf = len(np.asarray(fit.result.params)), float(fit.result.llf)
        row |= {"k": k, "llf": llf, "aic": 2 * k - 2 * llf, "bic": k * math.log(len(y)) - 2 * llf}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a diverged fit gives NaN, which the table shows
            row["expected_zeros"] = _expected_zeros(fit.result)
    row |= {"converged": fit.converged, "se_type": fit.se_type}
    row |= {"warnings": "; ".join(fit.warnings), "error": fit.error or ""}
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

    Works for statsmodels' count results, :class:`HurdleResult`, and statsmodels'
    ``HurdleCountModel`` results (which have no ``loglikeobs``; their two parts are put back
    together here).

    >>> f = pd.DataFrame({"g": ["a", "b"] * 40, "y": [0, 1, 3, 0, 2, 5, 0, 0] * 10})
    >>> fit = fit_count_models(design_matrix(f, "y", ["g"]), models=("hurdle_poisson",))
    >>> result = fit.fits["hurdle_poisson"].result
    >>> bool(np.isclose(loglike_obs(result).sum(), result.llf))
    True
    """
    if isinstance(result, HurdleResult):
        return result.loglikeobs()
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


# --- Coefficient tables --------------------------------------------------------------------

# What exp(coef) of a covariate and exp(const) measure, by model.
_RATIO_SCALE = {
    "poisson": ("rate ratio", "mean of the reference group"),
    "negbin": ("rate ratio", "mean of the reference group"),
    "zip": (
        "rate ratio among organs not in the always-zero class",
        "mean of the reference group's organs not in the always-zero class",
    ),
    "hurdle_poisson": (
        "ratio of the count part's mean before zero truncation",
        "reference group's count mean before zero truncation",
    ),
    "ppml": ("ratio of expected values (means)", "expected value of the reference group"),
    "ols": (
        "ratio of geometric means of the positive values",
        "geometric mean of the reference group's positive values",
    ),
}
_RATIO_SCALE |= {"zinb": _RATIO_SCALE["zip"], "hurdle_negbin": _RATIO_SCALE["hurdle_poisson"]}


def _has_offset(result: Any) -> bool:
    offset = getattr(result, "offset", None) if isinstance(result, HurdleResult) else None
    model = getattr(result, "model", None)
    offset = offset if offset is not None else getattr(model, "offset", None)
    return offset is not None and bool(np.any(np.asarray(offset) != 0))


def _term_part(fit: ModelFit, term: str) -> tuple[str, str, str | None]:
    """Return a term's model part, what ``coef`` and ``exp(coef)`` measure (None: never exp)."""
    if term.startswith("inflate_"):
        return "inflation", "log-odds of the always-zero class (logit)", None
    if term.startswith("zero_"):
        link = getattr(fit.result, "link", "cloglog")
        what = "log-odds of y > 0 (logit)" if link == "logit" else "cloglog of P(y > 0)"
        return "zero", what, None
    if term == "alpha":
        return "dispersion", "NB2 alpha: Var(y) = mu + alpha mu^2", None
    ratio, baseline = _RATIO_SCALE.get(_model_kind(fit), ("ratio", "reference group's level"))
    part = "mean" if fit.name in ("ppml", "ols") else "count"
    if term == "const":
        baseline += " per unit of exposure" if _has_offset(fit.result) else ""
        return part, f"log {baseline}", baseline
    return part, f"log {ratio}", ratio


def coef_table(fit: ModelFit, *, exponentiate: bool = False, alpha: float = 0.05) -> pd.DataFrame:
    """Coefficients with standard errors, ``1 - alpha`` Wald intervals and p-values, by term.

    Columns: ``term``, ``part`` (``count``/``mean``, ``inflation``, ``zero``, ``dispersion``),
    ``coef``, ``se``, ``ci_low``, ``ci_high``, ``pvalue`` and ``scale``, which says what ``coef``
    measures. With ``exponentiate=True``, terms of the count or mean part are put on the ratio
    scale: ``coef``, ``ci_low`` and ``ci_high`` are exponentiated (the interval is the
    exponentiated interval, not ``exp(b) ± 1.96 se``); ``se`` stays the SE of the log-scale
    coefficient (the one ``pvalue`` and the interval use) and ``se_exp = exp(b) se`` is the
    delta-method SE of ``exp(b)``. Inflation and zero-part log-odds and NB ``alpha`` are never
    exponentiated (``exponentiated`` is False and ``scale`` names their scale).

    >>> coef_table(ModelFit("ols", error="too few observations")).empty
    True
    """
    columns = ["term", "part", "coef", "se", "ci_low", "ci_high", "pvalue", "scale"]
    if exponentiate:
        columns += ["exponentiated", "se_exp"]
    if fit.result is None:
        return pd.DataFrame(columns=columns)
    result = fit.result
    params = fit.params
    ci = np.asarray(result.conf_int(alpha))
    table = pd.DataFrame(
        {
            "term": params.index,
            "coef": params.to_numpy(),
            "se": np.asarray(result.bse, dtype=float),
            "ci_low": ci[:, 0],
            "ci_high": ci[:, 1],
            "pvalue": np.asarray(result.pvalues, dtype=float),
        }
    )
    parts = [_term_part(fit, term) for term in table["term"]]
    table["part"] = [p[0] for p in parts]
    table["scale"] = [p[1] for p in parts]
    if exponentiate:
        on = np.array([p[2] is not None for p in parts], dtype=bool)
        table["exponentiated"] = on
        table["se_exp"] = np.where(on, np.exp(table["coef"]) * table["se"], np.nan)
        for name in ("coef", "ci_low", "ci_high"):
            table[name] = np.where(on, np.exp(table[name]), table[name])
        table["scale"] = [p[2] or p[1] for p in parts]
    return table[columns]


# --- Tests between models ------------------------------------------------------------------


def _model_kind(fit: ModelFit) -> str:
    """Which of :data:`COUNT_MODELS` a fit is, from its result's class (else its name)."""
    result = fit.result
    if isinstance(result, HurdleResult):
        return f"hurdle_{result.dist}"
    model: Any = getattr(result, "model", None)  # a statsmodels model, or None
    kind = type(model).__name__ if model is not None else ""
    kinds = {
        "Poisson": "poisson",
        "NegativeBinomial": "negbin",
        "ZeroInflatedPoisson": "zip",
        "ZeroInflatedNegativeBinomialP": "zinb",
    }
    if kind == "HurdleCountModel":
        negbin = type(model.model2).__name__.endswith("NegativeBinomialP")
        return "hurdle_negbin" if negbin else "hurdle_poisson"
    return kinds.get(kind, fit.name)


def _hurdle_link(fit: ModelFit) -> str:
    result = fit.result
    if isinstance(result, HurdleResult):
        return result.link
    return "cloglog" if type(getattr(result, "model", None)).__name__ == "HurdleCountModel" else ""


# Pairs of models where one is the other with parameters fixed, and where that fix lies.
_NESTED = {
    frozenset({"poisson", "negbin"}): "Poisson is NB2 with alpha = 0, the boundary of alpha >= 0",
    frozenset({"poisson", "zip"}): "Poisson is ZIP with no zero inflation (pi = 0, a boundary)",
    frozenset({"negbin", "zinb"}): "NB2 is ZINB with no zero inflation (pi = 0, a boundary)",
    frozenset({"zip", "zinb"}): "ZIP is ZINB with alpha = 0, the boundary of alpha >= 0",
    frozenset({"poisson", "zinb"}): "Poisson is ZINB with alpha = 0 and pi = 0 (boundaries)",
    frozenset({"hurdle_poisson", "hurdle_negbin"}): (
        "the Poisson hurdle is the NB2 hurdle with alpha = 0 in its count part (a boundary)"
    ),
}


def nested_reason(first: ModelFit, second: ModelFit) -> str | None:
    """Why two fitted count models are nested (so Vuong's test does not apply), or None.

    >>> nested_reason(ModelFit("zinb"), ModelFit("negbin"))
    'NB2 is ZINB with no zero inflation (pi = 0, a boundary)'
    >>> nested_reason(ModelFit("zinb"), ModelFit("hurdle_negbin")) is None
    True
    """
    kinds = frozenset({_model_kind(first), _model_kind(second)})
    if kinds in _NESTED:
        return _NESTED[kinds]
    if kinds == {"poisson", "hurdle_poisson"} and "cloglog" in (_hurdle_link(first), _hurdle_link(second)):
        return "Poisson is the hurdle with a cloglog zero part whose coefficients equal the count part's"
    return None


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
    """Vuong (1989) test of two **non-nested** models, judged observation by observation.

    ``correction`` (``"none"``, ``"aic"``, ``"bic"``) penalises the model with more parameters.
    Nested pairs (ZIP vs Poisson, ZINB vs NB, ZINB vs ZIP, NB vs Poisson, the two hurdles) raise
    ``ValueError`` with the reason: there the statistic's null distribution is not normal, and
    :func:`zero_inflation_tests` has the right test. ZINB vs the NB hurdle, or ZIP vs the Poisson
    hurdle, are non-nested (they differ in where zeros come from). The test assumes independent
    observations; for overlapping models (both able to fit the same distribution) a
    non-significant statistic means "indistinguishable", not "equally true".

    >>> rng = np.random.default_rng(2)
    >>> f = pd.DataFrame({"g": rng.choice(["a", "b"], 400)})
    >>> f["y"] = rng.negative_binomial(1, 1 / (1 + np.where(f.g == "a", 2.0, 6.0)))
    >>> fits = fit_count_models(design_matrix(f, "y", ["g"]), models=("poisson", "zinb", "hurdle_negbin"))
    >>> vuong_test(fits.fits["zinb"], fits.fits["hurdle_negbin"]).nobs
    400
    >>> vuong_test(fits.fits["zinb"], fits.fits["poisson"])
    Traceback (most recent call last):
    ...
    ValueError: zinb and poisson are nested (Poisson is ZINB with alpha = 0 and pi = 0 (boundaries)): ...
    """
    reason = nested_reason(first, second)
    if reason is not None:
        raise ValueError(
            f"{first.name} and {second.name} are nested ({reason}): Vuong's test is for non-nested "
            "models and its normal null distribution does not hold here; use zero_inflation_tests "
            "(a boundary-corrected likelihood-ratio test)"
        )
    if first.result is None or second.result is None:
        return VuongResult(first.name, second.name, math.nan, math.nan, "not assessable", correction, 0)
    diff = loglike_obs(first.result) - loglike_obs(second.result)
    n = diff.size
    k_diff = len(np.asarray(first.result.params)) - len(np.asarray(second.result.params))
    penalty = {"none": 0.0, "aic": k_diff, "bic": k_diff * math.log(n) / 2}[correction]
    spread = diff.std(ddof=1)
    statistic = (diff.sum() - penalty) / (math.sqrt(n) * spread) if spread > 0 else 0.0
    pvalue = math.erfc(abs(statistic) / math.sqrt(2))
    preferred = "neither" if pvalue >= alpha else (first.name if statistic > 0 else second.name)
    return VuongResult(first.name, second.name, float(statistic), float(pvalue), preferred, correction, n)


@dataclass(frozen=True, kw_only=True)
class ModelTest:
    """One test between two count models; a row of :func:`zero_inflation_tests`.

    Attributes:
        comparison: e.g. ``"ZINB vs NB"``.
        first, second: model keys; for nested tests ``first`` is the larger model.
        nested: whether ``second`` is ``first`` with parameters fixed.
        hypothesis: the null hypothesis tested.
        test: the test used; ``null_distribution`` its statistic's distribution under the null.
        statistic, pvalue: NaN when not assessable (``note`` says why): a test made without
            them is not assessable.
        reject: ``pvalue < level``.
        preferred: for nested tests, ``first`` if rejected else ``second``; for Vuong, the model
            the test favours or ``"neither"``; ``"not assessable"`` without a result.
        why: why this test is the right one for this pair.
        note: fitting problems and caveats (non-convergence, clustered data).
    """

    comparison: str
    first: str
    second: str
    nested: bool
    hypothesis: str
    test: str
    null_distribution: str
    statistic: float = math.nan
    pvalue: float = math.nan
    reject: bool = False
    preferred: str = "not assessable"
    why: str
    note: str = ""
    nobs: int


_MIXTURE = "1/2 chi2(0) + 1/2 chi2(1)"
_BOUNDARY_WHY = (
    "nested: {reason}; under the null the parameter is on the edge of its space, so the LR "
    "statistic is 1/2 chi2(0) + 1/2 chi2(1) (Self and Liang 1987) and p = 1/2 P(chi2(1) > LR); "
    "the uncorrected chi2(1) p-value is twice too large and Vuong's test does not apply"
)


def boundary_pvalue(lr: float) -> float:
    """P-value of a likelihood-ratio statistic whose null is ``1/2 chi2(0) + 1/2 chi2(1)``.

    ``0.5 * chi2.sf(lr, 1)`` for ``lr > 0``; 1 for ``lr <= 0`` (the point mass at zero).

    >>> round(boundary_pvalue(2.705543), 4), boundary_pvalue(0.0)
    (0.05, 1.0)
    """
    if not math.isfinite(lr):
        return math.nan
    if lr <= 0:
        return 1.0
    # chi2(1) survival function: P(Z^2 > x) = erfc(sqrt(x / 2)).
    return 0.5 * math.erfc(math.sqrt(lr / 2))


# (larger, smaller) pairs that differ by one parameter on the boundary of its space.
_ONE_BOUNDARY = {
    ("negbin", "poisson"),
    ("zip", "poisson"),
    ("zinb", "negbin"),
    ("zinb", "zip"),
    ("hurdle_negbin", "hurdle_poisson"),
}


def boundary_lr_test(full: ModelFit, restricted: ModelFit, *, level: float = 0.05) -> ModelTest:
    """Likelihood-ratio test of a restriction on the boundary (``pi = 0`` or ``alpha = 0``).

    ``LR = 2 (llf_full - llf_restricted)``, floored at 0, with ``p = 1/2 P(chi2(1) > LR)``. The
    restricted fit must not have failed; if the larger model's optimiser did not converge, its
    log-likelihood is a lower bound of the maximum, so LR and the p-value are conservative (the
    note says so).

    Only for pairs that differ by one parameter on a boundary: NB vs Poisson, ZIP vs Poisson,
    ZINB vs NB, ZINB vs ZIP, NB hurdle vs Poisson hurdle, the larger model first; anything else
    raises ``ValueError`` (ZINB vs Poisson has two boundary parameters, non-nested pairs need
    :func:`vuong_test`). For ``pi = 0`` the inflation part must be a constant: a logit with
    covariates is not identified under ``pi = 0`` and the mixture does not hold, so
    :func:`zero_inflation_tests` refits ZIP and ZINB with ``exog_infl=design.exog[["const"]]``.

    >>> rng = np.random.default_rng(3)
    >>> f = pd.DataFrame({"g": rng.choice(["a", "b"], 300)})
    >>> f["y"] = rng.negative_binomial(2, 0.4, 300)
    >>> fits = fit_count_models(design_matrix(f, "y", ["g"]), models=("poisson", "negbin"))
    >>> t = boundary_lr_test(fits.fits["negbin"], fits.fits["poisson"])
    >>> t.test, t.reject, t.preferred
    ('likelihood ratio, boundary-corrected', True, 'negbin')
    """
    kinds = (_model_kind(full), _model_kind(restricted))
    if kinds not in _ONE_BOUNDARY:
        if kinds[::-1] in _ONE_BOUNDARY:
            raise ValueError(f"pass the larger model first: boundary_lr_test({restricted.name}, {full.name})")
        nested = nested_reason(full, restricted)
        raise ValueError(
            f"{full.name} vs {restricted.name}: "
            + (
                "not nested, use vuong_test"
                if nested is None
                else f"{nested}, not one parameter on a boundary: the 1/2 chi2(0) + 1/2 chi2(1) null "
                "does not hold"
            )
        )
    covariates = [n for n in (full.names or []) if n.startswith("inflate_") and n != "inflate_const"]
    if kinds[0] in ("zip", "zinb") and kinds[1] != "zip" and covariates:
        raise ValueError(
            f"{full.name} has covariates in its inflation part ({', '.join(covariates)}): they are not "
            "identified under pi = 0, so the 1/2 chi2(0) + 1/2 chi2(1) null does not hold; refit with "
            'exog_infl=design.exog[["const"]] (zero_inflation_tests does)'
        )
    reason = _NESTED[frozenset(kinds)]
    label = f"{_short(full.name)} vs {_short(restricted.name)}"
    why = _BOUNDARY_WHY.format(reason=reason)
    nobs = _nobs(full) or _nobs(restricted)
    untested = ModelTest(
        comparison=label,
        first=full.name,
        second=restricted.name,
        nested=True,
        hypothesis=f"H0: {reason.split(' is ')[0]} suffices ({reason})",
        test="likelihood ratio, boundary-corrected",
        null_distribution=_MIXTURE,
        why=why,
        nobs=nobs,
    )
    problems = [f"{fit.name}: {fit.error}" for fit in (full, restricted) if fit.result is None]
    if not problems and not restricted.converged:
        problems.append(f"{restricted.name} did not converge: its log-likelihood may be too low")
    if not problems and not math.isfinite(float(full.result.llf)):
        problems.append(f"{full.name} diverged: its log-likelihood is not finite")
    if problems:
        return replace(untested, note="; ".join(problems))
    lr = max(0.0, 2 * (float(full.result.llf) - float(restricted.result.llf)))
    pvalue = boundary_pvalue(lr)
    note = (
        ""
        if full.converged
        else f"{full.name} did not converge: LR is a lower bound and the p-value conservative"
    )
    reject = pvalue < level
    preferred = full.name if reject else restricted.name
    return replace(untested, statistic=lr, pvalue=pvalue, reject=reject, preferred=preferred, note=note)


def zero_inflation_score_test(poisson: ModelFit, *, level: float = 0.05) -> ModelTest:
    """Score test of zero inflation in a fitted Poisson model (van den Broek 1995).

    With ``p0_i = exp(-mu_i)``, ``z = sum((1[y_i = 0] - p0_i) / p0_i) / sqrt(sum((1 - p0_i) / p0_i)
    - sum(y_i))`` (the formula holds with covariates when the model has a constant, and with an
    offset). ``z^2`` is van den Broek's chi2(1) statistic for a constant zero-inflation
    probability ``pi != 0``; the one-sided p-value ``P(N(0,1) > z)`` is reported (excess zeros
    only, ``pi > 0``), which for ``z > 0`` equals the boundary-corrected ``1/2 P(chi2(1) > z^2)``.
    Needs only the Poisson fit.

    >>> rng = np.random.default_rng(4)
    >>> f = pd.DataFrame({"g": rng.choice(["a", "b"], 300)})
    >>> f["y"] = rng.poisson(3.0, 300) * (rng.random(300) > 0.3)
    >>> fits = fit_count_models(design_matrix(f, "y", ["g"]), models=("poisson",))
    >>> zero_inflation_score_test(fits.fits["poisson"]).reject
    True
    """
    untested = ModelTest(
        comparison="ZIP vs Poisson",
        first="zip",
        second=poisson.name,
        nested=True,
        hypothesis="H0: no zero inflation in the Poisson model (pi = 0)",
        test="score (van den Broek 1995), one-sided",
        null_distribution="N(0,1); z^2 ~ chi2(1)",
        why=(
            "nested at the boundary pi = 0; the score test needs only the Poisson fit, so it is "
            "unaffected by a ZIP fit that fails or stops at pi -> 0"
        ),
        nobs=_nobs(poisson),
    )
    if poisson.result is None or _model_kind(poisson) != "poisson":
        return replace(untested, note=poisson.error or f"{poisson.name} is not a Poisson fit")
    y = np.asarray(poisson.result.model.endog, dtype=float)
    mu = np.asarray(poisson.result.predict(), dtype=float)
    # (1[y = 0] - p0) / p0 = 1[y = 0] e^mu - 1 and (1 - p0) / p0 = e^mu - 1, without dividing by
    # an underflowed p0; a zero where the Poisson mean is in the hundreds makes the score infinite.
    with np.errstate(over="ignore"):
        score = float(np.sum(np.exp(mu[y == 0])) - y.size)
        variance = float(np.sum(np.expm1(mu)) - y.sum())
    if math.isinf(score):
        z = math.inf
    elif math.isinf(variance):
        z = 0.0
    else:
        z = score / math.sqrt(variance) if variance > 0 else math.nan
    pvalue = 0.5 * math.erfc(z / math.sqrt(2)) if not math.isnan(z) else math.nan
    note = "" if poisson.converged else f"{poisson.name} did not converge"
    reject = bool(pvalue < level)
    preferred = "zip" if reject else poisson.name
    return replace(
        untested, statistic=z, pvalue=pvalue, reject=reject, preferred=preferred, note=note, nobs=len(y)
    )


def _vuong_row(first: ModelFit, second: ModelFit, *, level: float, correction: str) -> ModelTest:
    problems = [
        f"{fit.name}: {fit.error or 'did not converge'}" for fit in (first, second) if not fit.converged
    ]
    if problems:
        result = VuongResult(first.name, second.name, math.nan, math.nan, "not assessable", correction, 0)
    else:
        result = vuong_test(first, second, correction=correction, alpha=level)
    return ModelTest(
        comparison=f"{_short(first.name)} vs {_short(second.name)}",
        first=first.name,
        second=second.name,
        nested=False,
        hypothesis="H0: both models fit equally well (expected log-likelihood ratio 0)",
        test=f"Vuong ({correction}-corrected)" if correction != "none" else "Vuong",
        null_distribution="N(0,1)",
        statistic=result.statistic,
        pvalue=result.pvalue,
        reject=bool(result.pvalue < level),
        preferred=result.preferred,
        why=(
            "non-nested: neither model is the other with parameters fixed (a zero-inflated model "
            "mixes an always-zero class into the count; a hurdle separates zero from positive), "
            "so Vuong's normal test applies"
        ),
        note="; ".join(problems),
        nobs=result.nobs,
    )


def zero_inflation_tests(
    fits: CountFits | Design, *, level: float = 0.05, correction: str = "bic"
) -> pd.DataFrame:
    """Test overdispersion and zero inflation, each pair with the test it needs, as a tidy table.

    One row per test: ``key`` (``"zinb_vs_negbin_lr"``, ``"zip_vs_poisson_score"``, ...) and the
    fields of :class:`ModelTest`, with the test used and why:

    - NB vs Poisson (``alpha = 0``), ZIP vs Poisson and ZINB vs NB (``pi = 0``), ZINB vs ZIP
      (``alpha = 0``): nested at a boundary, so a likelihood-ratio test with the
      ``1/2 chi2(0) + 1/2 chi2(1)`` null (:func:`boundary_lr_test`). The ``pi = 0`` tests use a
      constant inflation probability (ZIP and ZINB refitted with an intercept-only inflation part
      when the fits have covariates there: with covariates the inflation logit is not identified
      under ``pi = 0`` and the mixture does not hold); ZINB vs ZIP uses the fits as they are.
    - ZIP vs Poisson, also by van den Broek's score test (:func:`zero_inflation_score_test`).
      Both tests against the Poisson assume it is right apart from the zeros: when NB vs Poisson
      rejects, their ``note`` says so, and ZINB vs NB is the test of zero inflation (the score
      test can then even miss a gross excess of zeros, its variance being dominated by the
      largest means).
    - ZINB vs the NB hurdle and ZIP vs the Poisson hurdle: non-nested, Vuong's test
      (:func:`vuong_test`, ``correction`` as there).

    Every test assumes independent observations: with clustered data (several years of an organ)
    the p-values are too small, and the ``note`` says so.

    Args:
        fits: from :func:`fit_count_models` (models it lacks are fitted the same way), or a
            :class:`Design` (all models are fitted with the defaults).
        level: significance level of ``reject`` and ``preferred``.
        correction: Vuong's penalty for the model with more parameters.

    >>> rng = np.random.default_rng(5)
    >>> f = pd.DataFrame({"g": rng.choice(["a", "b"], 400)})
    >>> f["y"] = rng.negative_binomial(2, 1 / (1 + np.where(f.g == "a", 1.0, 3.0)))
    >>> tests = zero_inflation_tests(design_matrix(f, "y", ["g"]))
    >>> tests[["key", "preferred"]].values.tolist()
    [['negbin_vs_poisson_lr', 'negbin'], ['zip_vs_poisson_score', 'zip'], ...
    """
    if isinstance(fits, Design):
        fits = fit_count_models(fits)
    if fits.design is None:
        raise ValueError("these fits do not carry their design: fit them with fit_count_models")
    design = fits.design
    options: dict[str, Any] = {"min_nobs": 50, "maxiter": 2000, "cov_type": "robust"} | fits.options
    options.setdefault("hurdle_zero", "logit")
    exog_infl = fits.exog_infl if fits.exog_infl is not None else design.exog
    cov = _covariance(design, options["cov_type"])
    constant = design.exog[["const"]]
    constant_only = list(exog_infl.columns) == ["const"]

    def get(name: str, infl: pd.DataFrame, reuse: bool = True) -> ModelFit:
        if reuse and name in fits.fits:
            return fits.fits[name]
        return _fit_count(name, design, infl, cov, options)

    poisson, negbin = get("poisson", exog_infl), get("negbin", exog_infl)
    zip_fit, zinb = get("zip", exog_infl), get("zinb", exog_infl)
    zip_const = zip_fit if constant_only else get("zip", constant, reuse=False)
    zinb_const = zinb if constant_only else get("zinb", constant, reuse=False)
    infl = "constant inflation probability" + ("" if constant_only else " (refitted without covariates)")
    overdispersion = boundary_lr_test(negbin, poisson, level=level)
    against_poisson = [
        zero_inflation_score_test(poisson, level=level),
        _tagged(boundary_lr_test(zip_const, poisson, level=level), infl),
    ]
    if overdispersion.reject:
        caveat = (
            "the Poisson model is overdispersed (NB vs Poisson rejects), so this test's null model is "
            "wrong anyway: zeros beyond the Poisson's may be overdispersion; ZINB vs NB tests zero inflation"
        )
        against_poisson = [_tagged(row, caveat) for row in against_poisson]
    rows = [
        overdispersion,
        *against_poisson,
        _tagged(boundary_lr_test(zinb_const, negbin, level=level), infl),
        boundary_lr_test(zinb, zip_fit, level=level),
        _vuong_row(zinb, get("hurdle_negbin", exog_infl), level=level, correction=correction),
        _vuong_row(zip_fit, get("hurdle_poisson", exog_infl), level=level, correction=correction),
    ]
    if design.groups is not None and design.groups.nunique() < len(design.groups):
        caveat = (
            f"observations share clusters ({design.groups.nunique()} {design.groups.name} for "
            f"N = {len(design.groups)}): this test assumes independence, so its p-value is too small"
        )
        rows = [_tagged(row, caveat) for row in rows]
    table = pd.DataFrame([dataclasses.asdict(row) for row in rows])
    kinds = table["test"].str.split().str[0].str.lower().replace({"likelihood": "lr"})
    table.insert(0, "key", table["first"] + "_vs_" + table["second"] + "_" + kinds)
    return table


def _tagged(row: ModelTest, note: str) -> ModelTest:
    return dataclasses.replace(row, note="; ".join(n for n in (row.note, note) if n))


def _short(name: str) -> str:
    short = {"poisson": "Poisson", "negbin": "NB", "zip": "ZIP", "zinb": "ZINB"}
    short |= {"hurdle_poisson": "Poisson hurdle", "hurdle_negbin": "NB hurdle"}
    return short.get(name, name)


def _nobs(fit: ModelFit) -> int:
    result = fit.result
    return 0 if result is None else int(getattr(result, "nobs", 0) or 0)
