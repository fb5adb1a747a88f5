"""Statistics for the curated notebooks, computed on the tidy corpus frames.

Everything starts from :func:`report_panel`, one row per report with its metadata (``level``,
``organ_type``, ``scope``, ...) and the cells analyses use, joined on ``report_id``. Values are the
cells' values: ``<NA>`` where the report printed no number, never a silent 0. Functions that
summarise say how many reports they used (``n``), so a table on five reports cannot pass for one
on five thousand. Region-wide reports (``scope == "region_aggregate"``) are totals over many organs:
filter on ``scope`` before pooling, never add the two kinds together.

>>> import govreports as gr
>>> panel = report_panel(gr.read_reports(["data/raw/002_5bfe4ddd4becc1ae.txt"]))
>>> row = panel.iloc[0]
>>> row.organ, row.scope, float(row.penalty), float(row.new_received)
('东宁市', 'region_aggregate', 27780.0, 0.0)

statsmodels is imported inside the model functions only, so importing this module stays cheap.
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

from govreports.corpus import Corpus
from govreports.schema import ACTIVE

META_COLUMNS = (
    "report_id",
    "organ",
    "year",
    "template",
    "level",
    "organ_type",
    "scope",
    "province",
    "prefecture",
    "county",
    "adcode",
)
# Panel column → the one cell it reads (table, row_key, col_key). Applications use the 总计 column.
PANEL_CELLS: dict[str, tuple[str, str, str]] = {
    "new_received": ("applications", "new_received", "total"),
    "carried_over": ("applications", "carried_over", "total"),
    "granted": ("applications", "granted", "total"),
    "partially_granted": ("applications", "partially_granted", "total"),
    "total_processed": ("applications", "total_processed", "total"),
    "carried_forward": ("applications", "carried_forward", "total"),
    "not_processed_excessive": ("applications", "not_processed_excessive", "total"),
    "licensing": ("active", "licensing", "decisions"),
    "penalty": ("active", "penalty", "decisions"),
    "coercion": ("active", "coercion", "decisions"),
    "fees_10k_yuan": ("active", "fees", "amount_10k_yuan"),
    "review": ("appeals", "review", "total"),
}
# Panel column → the sum of every row whose key starts with a prefix: (table, prefix, col_key).
# ``other_`` covers both the 2019 one-row （六）其他处理 and the three 2021 sub-rows.
PANEL_GROUPS: dict[str, tuple[str, str, str]] = {
    "withheld": ("applications", "withheld_", "total"),
    "unable": ("applications", "unable_", "total"),
    "not_processed": ("applications", "not_processed_", "total"),
    "other": ("applications", "other_", "total"),
    "litigation": ("appeals", "litigation_", "total"),
}
ENFORCEMENT = ("licensing", "penalty", "coercion")
LABELS = {
    "licensing": "行政许可",
    "penalty": "行政处罚",
    "coercion": "行政强制",
    "fees_10k_yuan": "行政事业性收费（万元）",
    "new_received": "本年新收申请",
    "proactive_total": "主动公开总数",
}
SCOPE_CONTEXT = {
    "organ": "an organ's own report",
    "region_aggregate": (
        "a region-wide (本级政府) report: a total over many organs, expected to be far larger than "
        "one organ's; compare it with other region-wide reports and never add it to organ totals"
    ),
}


def report_panel(corpus: Corpus, *, cells: pd.DataFrame | None = None) -> pd.DataFrame:
    """Turn a corpus into an analysis-ready frame: one row per report, metadata plus values.

    Args:
        corpus: frames from ``read_reports``, ``io.read_processed`` or ``simulate_corpus``.
        cells: a cells frame to use instead of ``corpus.cells`` (e.g. ``fill_from_identities``'s).

    Returns:
        ``META_COLUMNS``, ``proactive_total`` (the figure stated in the prose), one Float64 column
        per :data:`PANEL_CELLS` and :data:`PANEL_GROUPS` entry (a group is ``<NA>`` when any of its
        rows has no number), and ``flagged_cells`` / ``failed_checks`` counts.

    >>> import govreports as gr
    >>> p = report_panel(gr.read_reports(["data/raw/001_2df4fb0f365bf309.txt"]))
    >>> p.loc[0, ["proactive_total", "new_received", "granted", "withheld"]].tolist()
    [3050.0, 2.0, 2.0, 0.0]
    """
    cells = corpus.cells if cells is None else cells
    panel = corpus.reports.reindex(columns=list(META_COLUMNS)).reset_index(drop=True)
    ids = panel["report_id"]
    values = {"proactive_total": _figure(corpus.figures, "proactive_total")}
    values |= {name: _cell(cells, *key) for name, key in PANEL_CELLS.items()}
    values |= {name: _group_sum(cells, *key) for name, key in PANEL_GROUPS.items()}
    for name, series in values.items():
        panel[name] = ids.map(series).astype("Float64")
    flagged = cells.loc[cells["status"].astype("string") != "ok"].groupby("report_id").size()
    failed = corpus.checks.loc[corpus.checks["status"].astype("string") == "fail"].groupby("report_id").size()
    panel["flagged_cells"] = ids.map(flagged).fillna(0).astype("Int64")
    panel["failed_checks"] = ids.map(failed).fillna(0).astype("Int64")
    return panel


def _select(cells: pd.DataFrame, table: str, col: str) -> pd.DataFrame:
    keep = (cells["table"].astype("string") == table) & (cells["col_key"] == col)
    return cells.loc[keep.fillna(False), ["report_id", "row_key", "value"]]


def _cell(cells: pd.DataFrame, table: str, row: str, col: str) -> pd.Series:
    part = _select(cells, table, col)
    part = part.loc[part["row_key"] == row]
    return part.drop_duplicates("report_id").set_index("report_id")["value"]


def _group_sum(cells: pd.DataFrame, table: str, prefix: str, col: str) -> pd.Series:
    part = _select(cells, table, col)
    part = part.loc[part["row_key"].str.startswith(prefix).fillna(False)]
    grouped = part.groupby("report_id")["value"]
    total = grouped.sum(min_count=1)
    # A blank part makes the sum unknown, not smaller.
    return total.where(grouped.count() == grouped.size())


def _figure(figures: pd.DataFrame, name: str) -> pd.Series:
    part = figures.loc[(figures["figure"] == name).fillna(False)]
    return part.groupby("report_id")["value"].first()


def corpus_counts(corpus: Corpus) -> pd.Series:
    """Count what a notebook states first: input files, parsed and failed, reports by scope.

    >>> import govreports as gr
    >>> corpus_counts(gr.read_reports(["data/raw/002_5bfe4ddd4becc1ae.txt"])).to_dict()
    {'input files': 1, 'parsed reports': 1, 'failed files': 0, 'organ reports': 0, 'region-wide reports': 1, \
'scope unknown': 0}
    """
    scope = corpus.reports.reindex(columns=["scope"])["scope"].astype("string").fillna("unknown")
    counts = scope.value_counts()
    return pd.Series(
        {
            "input files": len(corpus.reports) + len(corpus.failures),
            "parsed reports": len(corpus.reports),
            "failed files": len(corpus.failures),
            "organ reports": int(counts.get("organ", 0)),
            "region-wide reports": int(counts.get("region_aggregate", 0)),
            "scope unknown": int(len(scope) - counts.get("organ", 0) - counts.get("region_aggregate", 0)),
        },
        dtype=int,
    )


def wilson_interval(
    successes: float | np.ndarray, n: float | np.ndarray, *, level: float = 0.95
) -> tuple[Any, Any]:
    """Wilson score interval for a binomial proportion (scalars or arrays; ``n == 0`` gives NaN).

    >>> lo, hi = wilson_interval(0, 10)
    >>> lo, round(hi, 4)
    (0.0, 0.2775)
    >>> [round(float(x), 4) for x in wilson_interval(5, 10)]
    [0.2366, 0.7634]
    """
    z = NormalDist().inv_cdf(0.5 + level / 2)
    k, m = np.asarray(successes, dtype=float), np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / m
        denominator = 1 + z**2 / m
        centre = (p + z**2 / (2 * m)) / denominator
        half = z * np.sqrt(p * (1 - p) / m + z**2 / (4 * m**2)) / denominator
    # At k = 0 and k = n the bounds are exactly 0 and 1; rounding would otherwise leave 1e-17.
    low = np.where(k == 0, 0.0, np.clip(centre - half, 0, 1))
    high = np.where(k == m, 1.0, np.clip(centre + half, 0, 1))
    low, high = np.where(m > 0, low, np.nan), np.where(m > 0, high, np.nan)
    if low.ndim == 0:
        return float(low), float(high)
    return low, high


def _groups(frame: pd.DataFrame, by: str | Sequence[str] | None) -> tuple[list[str], Any]:
    keys = [by] if isinstance(by, str) else list(by or [])
    if not keys:
        # A categorical key with "all" as its one category gives a row even for an empty frame.
        group = pd.Categorical(["all"] * len(frame), categories=["all"])
        return ["group"], frame.assign(group=group).groupby("group", observed=False)
    return keys, frame.groupby(keys, dropna=False, observed=True, sort=True)


def zero_share_table(
    panel: pd.DataFrame,
    by: str | Sequence[str] | None = None,
    *,
    column: str = "new_received",
    level: float = 0.95,
) -> pd.DataFrame:
    """Share of reports whose ``column`` is 0, per group, with Wilson intervals.

    Returns one row per group: ``reports``, ``n`` (reports with a value), ``zeros``, ``share``,
    ``ci_low``, ``ci_high``; ``missing = reports - n`` did not print a number and are left out.

    >>> p = pd.DataFrame({"level": ["county"] * 3 + ["township"], "new_received": [0, 4, None, 0]})
    >>> zero_share_table(p, "level")[["level", "n", "zeros", "share"]].values.tolist()
    [['county', 2, 1, 0.5], ['township', 1, 1, 1.0]]
    """
    values = pd.to_numeric(panel[column]).astype("Float64")
    frame = panel.assign(_has=values.notna(), _zero=values.eq(0).fillna(False))
    keys, grouped = _groups(frame, by)
    table = grouped.agg(reports=("_has", "size"), n=("_has", "sum"), zeros=("_zero", "sum")).reset_index()
    table["n"], table["zeros"] = table["n"].astype(int), table["zeros"].astype(int)
    table["missing"] = table["reports"] - table["n"]
    table["share"] = table["zeros"] / table["n"].where(table["n"] > 0)
    table["ci_low"], table["ci_high"] = wilson_interval(
        table["zeros"].to_numpy(), table["n"].to_numpy(), level=level
    )
    return table[[*keys, "reports", "n", "missing", "zeros", "share", "ci_low", "ci_high"]]


def _nonnegative(values: Any) -> np.ndarray:
    array = pd.Series(values, dtype="Float64").to_numpy(dtype=float, na_value=np.nan)
    if np.isnan(array).any():
        raise ValueError("values contain missing entries: drop them first and report how many")
    if (array < 0).any():
        raise ValueError("values must be non-negative counts or amounts")
    return np.sort(array)


def gini(values: Any) -> float:
    """Gini coefficient of non-negative values (population form; NaN when all are 0 or none given).

    >>> gini([0, 0, 1, 1]), gini([5, 5, 5]), gini([0, 0, 0, 1])
    (0.5, 0.0, 0.75)
    """
    x = _nonnegative(values)
    total = x.sum()
    if x.size == 0 or total == 0:
        return math.nan
    ranks = np.arange(1, x.size + 1)
    return float(2 * (ranks * x).sum() / (x.size * total) - (x.size + 1) / x.size)


def lorenz_curve(values: Any) -> pd.DataFrame:
    """Lorenz curve points: cumulative share of units (poorest first) vs cumulative share of the total.

    >>> lorenz_curve([0, 0, 1, 1]).value_share.tolist()
    [0.0, 0.0, 0.0, 0.5, 1.0]
    """
    x = _nonnegative(values)
    total = x.sum()
    cumulative = np.concatenate([[0.0], np.cumsum(x)])
    share = cumulative / total if total > 0 else np.full(cumulative.size, np.nan)
    return pd.DataFrame({"population_share": np.arange(x.size + 1) / max(x.size, 1), "value_share": share})


def top_share(values: Any, share: float = 0.01) -> float:
    """Share of the total held by the top ``ceil(share * n)`` units (at least one unit).

    >>> top_share([1, 1, 1, 7], 0.25), top_share([1, 1, 1, 7], 0.01)
    (0.7, 0.7)
    """
    x = _nonnegative(values)
    if x.size == 0 or x.sum() == 0:
        return math.nan
    k = max(1, math.ceil(share * x.size))
    return float(x[-k:].sum() / x.sum())


def concentration(values: Any, shares: Sequence[float] = (0.01, 0.1)) -> pd.Series:
    """N, total, zeros, Gini and top shares of one variable, as one row for a table.

    >>> concentration([0, 0, 1, 1], shares=(0.5,)).to_dict()
    {'n': 4, 'total': 2.0, 'zeros': 2, 'gini': 0.5, 'top 50% share': 1.0, 'top 50% units': 2}
    """
    x = _nonnegative(values)
    row: dict[str, Any] = {"n": int(x.size), "total": float(x.sum()), "zeros": int((x == 0).sum())}
    row["gini"] = gini(x)
    for share in shares:
        name = f"top {share:.0%}"
        row[f"{name} share"] = top_share(x, share)
        row[f"{name} units"] = max(1, math.ceil(share * x.size)) if x.size else 0
    return pd.Series(row, dtype=object)


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


# Iglewicz & Hoaglin: 0.6745 = Φ⁻¹(0.75) makes MAD comparable to an SD; 1.2533 = √(π/2) does the
# same for the mean absolute deviation, used when more than half the group shares one value.
_MAD_SCALE, _MEANAD_SCALE = 0.6745, 1.253314
DEFAULT_GROUPINGS: tuple[tuple[str, ...], ...] = (
    ("scope", "level", "organ_type"),
    ("scope", "level"),
    ("level",),
)
_ID_COLUMNS = ("report_id", "organ", "scope", "level", "organ_type")


def robust_outliers(
    panel: pd.DataFrame,
    columns: Sequence[str] = ENFORCEMENT,
    *,
    groupings: Sequence[Sequence[str]] = DEFAULT_GROUPINGS,
    threshold: float = 3.5,
    min_group: int = 5,
    max_passes: int = 5,
) -> pd.DataFrame:
    """Screen values that are unusually high within comparable reports (median/MAD of log1p).

    Each value is compared with the finest grouping in ``groupings`` that holds at least
    ``min_group`` reports with a value for the same variable; the row says which one was used.
    The robust z is ``0.6745 (x - median) / MAD`` on ``log1p`` values; when MAD is 0 (more than
    half the group is one value, often 0) the mean absolute deviation is used instead, as
    Iglewicz and Hoaglin recommend. That fallback is not robust: one huge value can hide a
    smaller one. So values flagged in one pass are set aside from the group statistics and the
    screen is repeated (at most ``max_passes`` times), as in Rosner's generalised ESD test.
    Flagged values are for checking against the report, not for dropping.

    Returns:
        One row per report and variable: value, grouping, ``n_group``, ``group_median``,
        ``robust_z``, ``flagged``, the ``screen_pass`` that flagged it and a plain-language
        ``reason`` that states the report's scope.

    >>> p = pd.DataFrame({"report_id": list("abcdef"), "organ": list("ABCDEF"), "level": "county",
    ...                   "scope": ["organ"] * 4 + ["region_aggregate", "organ"], "organ_type": "department",
    ...                   "penalty": [0, 0, 0, 0, 27780, 693957]})
    >>> out = robust_outliers(p, ["penalty"])
    >>> out.loc[out.flagged, ["organ", "screen_pass"]].values.tolist()  # F no longer hides E
    [['F', 1], ['E', 2]]
    """
    present = [c for c in _ID_COLUMNS if c in panel.columns]
    long = panel.melt(id_vars=present, value_vars=list(columns), var_name="variable", value_name="value")
    long = long.dropna(subset=["value"]).reset_index(drop=True)
    long["value"] = long["value"].astype(float)
    long["log1p"] = np.log1p(long["value"])
    screened = _screen(long, groupings, min_group, threshold, max_passes)
    long = pd.concat([long, screened], axis=1)
    long["reason"] = [_outlier_reason(row, threshold, min_group) for row in long.itertuples()]
    order = ["flagged", "screen_pass", "robust_z"]
    return long.sort_values(order, ascending=[False, True, False], na_position="last").reset_index(drop=True)


def _screen(
    long: pd.DataFrame, groupings: Sequence[Sequence[str]], min_group: int, threshold: float, max_passes: int
) -> pd.DataFrame:
    """Run the passes; a flagged row keeps the statistics of the pass that flagged it."""
    keys = _group_keys(long, groupings)
    excluded = pd.Series(False, index=long.index)
    result = pd.DataFrame(index=long.index)
    for number in range(1, max_passes + 1):
        stats = _grouped_stats(long, keys, min_group, excluded)
        stats["robust_z"] = _robust_z(long["log1p"], stats)
        new = (stats["robust_z"] > threshold).fillna(False) & ~excluded
        stats["screen_pass"] = pd.array(np.where(new, number, pd.NA), dtype="Int64")
        result = stats if result.empty else result.mask(~excluded, stats)
        excluded |= new
        if not new.any():
            break
    result["flagged"] = excluded
    return result


def _group_keys(long: pd.DataFrame, groupings: Sequence[Sequence[str]]) -> list[tuple[pd.Series, pd.Series]]:
    """For each grouping: a key per row (variable + grouping values) and a readable label."""
    found = []
    for grouping in groupings:
        columns = [k for k in grouping if k in long.columns]
        key = long["variable"].astype(str)
        label = pd.Series("all reports" if not columns else "", index=long.index)
        for i, column in enumerate(columns):
            value = long[column].astype("string").fillna("unknown")
            key = key + "|" + value
            label = label + ("" if i == 0 else ", ") + f"{column} = " + value
        found.append((key, label))
    return found


def _grouped_stats(
    long: pd.DataFrame, keys: list[tuple[pd.Series, pd.Series]], min_group: int, excluded: pd.Series
) -> pd.DataFrame:
    # Group membership and size count every report; the statistics leave out excluded values.
    columns = ["grouping", "n_group", "median", "mad", "meanad"]
    out = pd.DataFrame({c: pd.Series(np.nan, index=long.index, dtype=object) for c in columns})
    kept = ~excluded
    for key, label in keys:
        size = key.map(key.value_counts()).astype(float)
        median = key.map(long["log1p"][kept].groupby(key[kept]).median()).astype(float)
        deviation = (long["log1p"] - median).abs()
        todo = out["grouping"].isna() & (size >= min_group)
        out.loc[todo, "grouping"] = label[todo]
        out.loc[todo, "n_group"] = size[todo]
        out.loc[todo, "median"] = median[todo]
        out.loc[todo, "mad"] = key.map(deviation[kept].groupby(key[kept]).median())[todo]
        out.loc[todo, "meanad"] = key.map(deviation[kept].groupby(key[kept]).mean())[todo]
    out = out.astype({"n_group": "Int64", "median": float, "mad": float, "meanad": float})
    out["group_median"] = np.expm1(out["median"])
    return out


def _robust_z(log1p: pd.Series, stats: pd.DataFrame) -> pd.Series:
    deviation = log1p - stats["median"]
    mad, meanad = stats["mad"], stats["meanad"]
    by_mad = _MAD_SCALE * deviation / mad.where(mad > 0)
    by_meanad = deviation / (_MEANAD_SCALE * meanad.where(meanad > 0))
    z = by_mad.fillna(by_meanad)
    # No spread left in the group: equal to the rest scores 0, above it stands out without bound.
    flat = mad.eq(0) & meanad.eq(0)
    return z.mask(flat & deviation.eq(0), 0.0).mask(flat & deviation.gt(0), np.inf)


def _outlier_reason(row: Any, threshold: float, min_group: int) -> str:
    label = LABELS.get(row.variable, row.variable)
    if pd.isna(row.grouping):
        return f"not assessable: fewer than {min_group} comparable reports with a {label} value"
    if not row.flagged:
        return ""
    scale = (
        f"more than half of them report {row.group_median:,.0f}, so the spread is the mean absolute deviation"
        if row.mad == 0
        else "spread measured by MAD"
    )
    masked = "" if row.screen_pass == 1 else ", leaving out larger values flagged before it"
    context = SCOPE_CONTEXT.get(
        str(getattr(row, "scope", None)), "scope unknown: check whether it is an organ or a region"
    )
    return (
        f"{label} {row.value:,.0f} has robust z {row.robust_z:.1f} (threshold {threshold}) on the log scale "
        f"against the median {row.group_median:,.0f} of {int(row.n_group)} reports with {row.grouping}"
        f"{masked}; {scale}. This is {context}"
    )


def region_context(panel: pd.DataFrame, columns: Sequence[str] = ENFORCEMENT) -> pd.DataFrame:
    """Set each region-wide report's values beside the organ reports of the same level.

    A region-wide total is not an outlier among organs, nor comparable with them; this says how it
    sits next to them: ``organ_median`` and ``organ_n`` are over organ reports of the same level.

    >>> p = pd.DataFrame({"report_id": list("abc"), "organ": ["甲", "乙", "东宁市"], "level": "county",
    ...                   "scope": ["organ", "organ", "region_aggregate"], "penalty": [0, 4, 27780]})
    >>> region_context(p, ["penalty"])[["organ", "value", "organ_median", "organ_n"]].values.tolist()
    [['东宁市', 27780.0, 2.0, 2]]
    """
    organs = panel.loc[panel["scope"] == "organ"]
    regions = panel.loc[panel["scope"] == "region_aggregate"]
    level = organs["level"].astype("string").fillna("unknown")
    rows = []
    for column in columns:
        values = pd.to_numeric(organs[column]).astype(float)
        medians, counts = values.groupby(level).median(), values.groupby(level).count()
        for row in regions.itertuples(index=False):
            key = "unknown" if pd.isna(row.level) else str(row.level)
            rows.append(
                {"report_id": row.report_id, "organ": row.organ, "level": row.level, "variable": column,
                 "value": float(getattr(row, column)), "organ_median": medians.get(key, np.nan),
                 "organ_n": int(counts.get(key, 0))}
            )  # fmt: skip
    columns_out = ["report_id", "organ", "level", "variable", "value", "organ_median", "organ_n"]
    return pd.DataFrame(rows, columns=columns_out)


# Plausible upper bounds for a year's 行政事业性收费 in 万元, by level (heuristic; Guangdong's
# province-wide 2022 total was 258.5亿元 = 2.6 million 万元). Larger values suggest 元.
FEE_CEILINGS_10K_YUAN: dict[str, float] = {
    "central": 1e7,
    "province": 1e7,
    "prefecture": 1e6,
    "county": 2e5,
    "township": 1e4,
}


def fee_unit_screen(
    panel: pd.DataFrame,
    *,
    column: str = "fees_10k_yuan",
    by: Sequence[str] = ("scope", "level"),
    ratio: float = 1000.0,
    min_group: int = 5,
    ceilings: Mapping[str, float] = FEE_CEILINGS_10K_YUAN,
) -> pd.DataFrame:
    """Screen fee amounts (万元) that look like they were entered in 元 (10,000 times too large).

    A positive amount is flagged when it exceeds the level's ceiling in ``ceilings``, or when it
    is at least ``ratio`` times the median positive amount of its group (groups with at least
    ``min_group`` positive amounts only). ``as_if_yuan`` shows the amount divided by 10,000.

    >>> p = pd.DataFrame({"report_id": list("abcdef"), "organ": list("ABCDEF"), "scope": "organ",
    ...                   "level": "county", "fees_10k_yuan": [12.5, 30, 8, 20, 15, 251000]})
    >>> fee_unit_screen(p).loc[lambda s: s.flagged, ["organ", "as_if_yuan"]].values.tolist()
    [['F', 25.1]]
    """
    keys = [k for k in by if k in panel.columns]
    present = [c for c in (*_ID_COLUMNS, *keys) if c in panel.columns]
    data = panel.loc[
        pd.to_numeric(panel[column]).fillna(0) > 0, list(dict.fromkeys([*present, column]))
    ].copy()
    data = data.rename(columns={column: "amount"}).reset_index(drop=True)
    data["amount"] = data["amount"].astype(float)
    grouped = (
        data.groupby([data[k].astype("string").fillna("<NA>") for k in keys])["amount"] if keys else None
    )
    data["n_group"] = grouped.transform("size") if grouped is not None else len(data)
    data["group_median"] = grouped.transform("median") if grouped is not None else data["amount"].median()
    data["ratio_to_median"] = (data["amount"] / data["group_median"]).where(data["n_group"] >= min_group)
    data["ceiling"] = data["level"].map(dict(ceilings)).astype(float) if "level" in data else np.nan
    data["as_if_yuan"] = data["amount"] / 10_000
    over_ceiling = (data["amount"] > data["ceiling"]).fillna(False)
    data["flagged"] = over_ceiling | (data["ratio_to_median"] >= ratio).fillna(False)
    data["reason"] = [_fee_reason(row, ratio) for row in data.itertuples()]
    return data.sort_values(["flagged", "amount"], ascending=False).reset_index(drop=True)


def _fee_reason(row: Any, ratio: float) -> str:
    reasons = []
    if row.amount > row.ceiling:
        reasons.append(f"above the {row.level} ceiling of {row.ceiling:,.0f} 万元")
    if row.ratio_to_median >= ratio:
        reasons.append(
            f"{row.ratio_to_median:,.0f} times the median {row.group_median:,.2f} 万元 of its group"
        )
    if not reasons:
        return ""
    return (
        f"{row.amount:,.2f} 万元 is "
        + " and ".join(reasons)
        + f"; in 元 it would be {row.as_if_yuan:,.2f} 万元"
    )


OUTCOME_PARTS = ("granted", "partially_granted", "withheld", "unable", "not_processed", "other")


def outcome_composition(panel: pd.DataFrame, by: str | Sequence[str] | None = None) -> pd.DataFrame:
    """How processed applications ended, pooled over the reports that processed any (per group).

    A report is used when ``total_processed > 0`` and every part is printed. Shares are of all
    processed applications in the group; ``grant_rate`` = (granted + partially granted) /
    processed; ``practical_share`` = unable (无法提供: practical refusals) / (unable + withheld:
    legal exemptions); ``backlog`` = carried forward / (new + carried over). ``no_applications``
    and ``incomplete`` count the reports left out, and why.

    >>> p = pd.DataFrame({"new_received": [10.0, 0], "carried_over": [0.0, 0], "granted": [5.0, 0],
    ...     "partially_granted": [1.0, 0], "withheld": [1.0, 0], "unable": [3.0, 0],
    ...     "not_processed": [0.0, 0], "other": [0.0, 0], "total_processed": [10.0, 0],
    ...     "carried_forward": [0.0, 0]})
    >>> t = outcome_composition(p)
    >>> t[["reports", "n", "no_applications", "grant_rate", "practical_share"]].to_dict("records")
    [{'reports': 2, 'n': 1, 'no_applications': 1, 'grant_rate': 0.6, 'practical_share': 0.75}]
    """
    needed = [*OUTCOME_PARTS, "total_processed", "new_received", "carried_over", "carried_forward"]
    values = panel[needed].apply(pd.to_numeric).astype(float)
    complete = values.notna().all(axis=1)
    used = complete & (values["total_processed"] > 0)
    data = panel.drop(columns=needed).assign(
        _used=used, _none=complete & (values["total_processed"] == 0), _incomplete=~complete
    )
    data[needed] = values.where(used, 0.0)  # sums run over the used reports only
    data["_rate"] = ((values["granted"] + values["partially_granted"]) / values["total_processed"]).where(
        used
    )
    keys, grouped = _groups(data, by)
    sums = grouped[needed].sum()
    table = grouped.agg(
        reports=("_used", "size"), n=("_used", "sum"), no_applications=("_none", "sum"),
        incomplete=("_incomplete", "sum"),
    )  # fmt: skip
    table = table.astype({"n": int, "no_applications": int, "incomplete": int})
    table["processed"] = sums["total_processed"]
    for part in OUTCOME_PARTS:
        table[f"{part}_share"] = sums[part] / sums["total_processed"]
    table["grant_rate"] = (sums["granted"] + sums["partially_granted"]) / sums["total_processed"]
    table["grant_rate_median"] = grouped["_rate"].median()
    refusals = sums["unable"] + sums["withheld"]
    table["practical_share"] = sums["unable"] / refusals.where(refusals > 0)
    table["backlog"] = sums["carried_forward"] / (sums["new_received"] + sums["carried_over"])
    return table.reset_index().drop(columns=["group"], errors="ignore")


def enforcement_ratios(
    panel: pd.DataFrame,
    pairs: Sequence[tuple[str, str]] = (("penalty", "licensing"), ("coercion", "penalty")),
    by: str | Sequence[str] | None = None,
) -> pd.DataFrame:
    """Ratios between enforcement counts over reports where the denominator is positive.

    ``pooled`` is Σ numerator / Σ denominator; ``median`` and the quartiles are of per-report
    ratios. ``n`` counts the reports used; reports with a missing value are left out.

    >>> p = pd.DataFrame({"licensing": [10, 0, 5], "penalty": [20, 3, 5]})
    >>> enforcement_ratios(p, [("penalty", "licensing")])[["pair", "n", "pooled", "median"]].values.tolist()
    [['penalty / licensing', 2, 1.6666666666666667, 1.5]]
    """
    rows = []
    for numerator, denominator in pairs:
        data = panel.assign(
            _num=pd.to_numeric(panel[numerator]).astype(float),
            _den=pd.to_numeric(panel[denominator]).astype(float),
        )
        data = data.loc[data["_num"].notna() & (data["_den"] > 0)]
        keys, grouped = _groups(data.assign(_ratio=data["_num"] / data["_den"]), by)
        for key, group in grouped:
            row = dict(zip(keys, key if isinstance(key, tuple) else (key,), strict=True))
            row |= {"pair": f"{numerator} / {denominator}", "n": len(group)}
            row["pooled"] = group["_num"].sum() / group["_den"].sum()
            row |= {"median": group["_ratio"].median(), "q25": group["_ratio"].quantile(0.25)}
            row["q75"] = group["_ratio"].quantile(0.75)
            rows.append(row)
    columns = ["pair", "n", "pooled", "median", "q25", "q75"]
    return pd.DataFrame(rows, columns=[*([by] if isinstance(by, str) else list(by or [])), *columns])


def template_comparability(corpus: Corpus) -> pd.DataFrame:
    """Which 表二 cells each template prints, how many reports have a number there, which compare.

    Only ``decisions`` of 行政许可 / 行政处罚 / 行政强制 exist in both templates with one meaning.

    >>> import govreports as gr
    >>> t = template_comparability(gr.read_reports(["data/raw/002_5bfe4ddd4becc1ae.txt"]))
    >>> t.loc[t.comparable, ["row_key", "reports_2019", "reports_2021"]].values.tolist()
    [['licensing', 0, 1], ['penalty', 0, 1], ['coercion', 0, 1]]
    """
    rows = []
    for row in ACTIVE.rows:
        for col in ACTIVE.cols:
            printed = {f"in_{t}": col.key in ACTIVE.cols_of(row.key, t) for t in ("2019", "2021")}
            if any(printed.values()):
                rows.append(
                    {"row_key": row.key, "col_key": col.key, "label": f"{row.label} · {col.label}", **printed}
                )
    table = pd.DataFrame(rows)
    table["comparable"] = table["in_2019"] & table["in_2021"]
    cells = corpus.cells.loc[
        (corpus.cells["table"].astype("string") == "active") & corpus.cells["value"].notna()
    ]
    template = cells["report_id"].map(corpus.reports.set_index("report_id")["template"])
    keys = cells["row_key"].astype(str) + "|" + cells["col_key"].astype(str)
    counts = pd.crosstab(keys, template.astype("string")) if len(cells) else pd.DataFrame()
    own = table["row_key"] + "|" + table["col_key"]
    for t in ("2019", "2021"):
        found = counts[t] if t in counts.columns else pd.Series(dtype=int)
        table[f"reports_{t}"] = own.map(found).fillna(0).astype(int)
    return table


def input_summary(corpus: Corpus) -> pd.DataFrame:
    """One row per input file: parsed or failed, with format, template, tables found or the error.

    >>> import govreports as gr
    >>> s = input_summary(gr.read_reports(["data/raw/000_d5266751c9a7ae67.txt"]))
    >>> s[["outcome", "template"]].values.tolist()
    [['parsed', '2021']]
    """
    parsed = corpus.reports.reindex(columns=["path", "report_id", "format", "template", "tables_found"])
    parsed = parsed.assign(outcome="parsed")
    failed = corpus.failures.reindex(columns=["path", "stage", "error_type", "message"]).assign(
        outcome="failed"
    )
    columns = [
        "path",
        "outcome",
        "report_id",
        "format",
        "template",
        "tables_found",
        "stage",
        "error_type",
        "message",
    ]
    frames = [f for f in (parsed, failed) if len(f)]
    if not frames:
        return pd.DataFrame(columns=columns)
    return (
        pd.concat(frames, ignore_index=True).reindex(columns=columns).sort_values("path", ignore_index=True)
    )


def status_table(cells: pd.DataFrame) -> pd.DataFrame:
    """Cells per report and status (columns in the declared status order, unused ones dropped).

    >>> import govreports as gr
    >>> status_table(gr.read_report("data/raw/002_5bfe4ddd4becc1ae.txt").cells).iloc[0].to_dict()
    {'ok': 184, 'blank': 1, 'surplus_cells': 15, 'cells': 200}
    """
    table = pd.crosstab(cells["report_id"], cells["status"].astype("string"))
    order = (
        [s for s in cells["status"].cat.categories if s in table.columns]
        if hasattr(cells["status"], "cat")
        else []
    )
    table = table[order or list(table.columns)]
    table["cells"] = table.sum(axis=1)
    table.columns.name = None
    return table


def check_table(checks: pd.DataFrame) -> pd.DataFrame:
    """Identity checks by ``check_id``: counts of pass / fail / not_assessable and the pass rate.

    The pass rate is over assessable checks only; a check with a blank operand is not a pass.

    >>> import govreports as gr
    >>> t = check_table(gr.read_report("data/raw/002_5bfe4ddd4becc1ae.txt").checks)
    >>> t.loc["T3.SUM_COLS", ["pass", "fail", "not_assessable"]].tolist()
    [24, 0, 1]
    """
    status = checks["status"].astype("string")
    table = pd.crosstab(checks["check_id"], status).reindex(
        columns=["pass", "fail", "not_assessable"], fill_value=0
    )
    table["pass_rate"] = table["pass"] / (table["pass"] + table["fail"]).where(lambda s: s > 0)
    table.columns.name = None
    table.index.name = "check_id"
    return table


__all__ = [
    "COUNT_MODELS",
    "CountFits",
    "Design",
    "ModelFit",
    "VuongResult",
    "check_table",
    "coef_table",
    "concentration",
    "corpus_counts",
    "design_matrix",
    "enforcement_ratios",
    "fee_unit_screen",
    "fit_count_models",
    "fit_log_linear",
    "fit_quietly",
    "gini",
    "input_summary",
    "lorenz_curve",
    "loglike_obs",
    "outcome_composition",
    "region_context",
    "report_panel",
    "robust_outliers",
    "status_table",
    "template_comparability",
    "top_share",
    "vuong_test",
    "wilson_interval",
    "zero_share_table",
]
