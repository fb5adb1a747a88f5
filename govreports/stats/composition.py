"""How totals divide: outcomes of processed applications, ratios between enforcement counts."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from govreports.stats.panel import _groups

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
