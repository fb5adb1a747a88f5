"""Screens for values to check against the report: robust outliers, region-wide totals, fee units.

Flagged values are for checking, not for dropping; each row says in words why it was flagged.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from govreports.stats.panel import ENFORCEMENT, LABELS, SCOPE_CONTEXT

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
            if pd.isna(getattr(row, column)):
                continue  # not read: nothing to set beside the organs
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
