"""Zeros and concentration: Wilson intervals, zero shares by group, Gini, Lorenz and top shares."""

from __future__ import annotations

import math
from collections.abc import Sequence
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd

from govreports.stats.panel import _groups


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
