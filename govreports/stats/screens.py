"""Screens for values to check against the report: robust outliers, region-wide totals, fee units.

Flagged values are for checking, not for dropping; each row says in words why it was flagged.
:func:`screen_evidence` gathers what a researcher checks for a flagged value, and
:func:`evaluate_outlier_screen` measures the screen's recall on realistic entry errors.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypedDict, cast

import numpy as np
import pandas as pd
from pandas.api.typing import NAType

from govreports.stats.concentration import wilson_interval
from govreports.stats.panel import ENFORCEMENT, LABELS, SCOPE_CONTEXT

# Iglewicz & Hoaglin: 0.6745 = Φ⁻¹(0.75) makes MAD comparable to an SD.
_MAD_SCALE = 0.6745
# The smallest spread (log1p units) a group may have: where more than half the group shares one
# value MAD is 0, and a spread the large values themselves inflate (the mean absolute deviation)
# would let two of them hide each other. Where 0.5 is the scale, the threshold 3.5 flags a value
# whose 1 + x is more than e^1.75 ≈ 5.8 times the group's median 1 + x.
MIN_SCALE = 0.5
# Every grouping is within one scope (organ, region-wide and unknown reports are never pooled)
# and one level (a province's counts are not compared with a township's).
DEFAULT_GROUPINGS: tuple[tuple[str, ...], ...] = (("scope", "level", "organ_type"), ("scope", "level"))
_ID_COLUMNS = ("report_id", "organ", "scope", "level", "organ_type")
_SCOPE_WORDS = {"organ": "organ", "region_aggregate": "region-wide"}
ALL_ZERO_FINDING = "nonzero in an all-zero group"
TOO_SMALL_FINDING = "group too small"


def robust_outliers(
    panel: pd.DataFrame,
    columns: Sequence[str] = ENFORCEMENT,
    *,
    groupings: Sequence[Sequence[str]] = DEFAULT_GROUPINGS,
    threshold: float = 3.5,
    min_group: int = 5,
    min_scale: float = MIN_SCALE,
    max_passes: int = 5,
) -> pd.DataFrame:
    """Screen values that are unusually high within comparable reports (median/MAD of log1p).

    Each value is compared with the finest grouping in ``groupings`` that holds at least
    ``min_group`` reports with a value for the same variable; the row says which one was used.
    Every grouping is within one ``scope``: a grouping without ``scope`` gets it added, and a
    panel without a ``scope`` column is one scope, ``unknown``. Region-wide, organ and
    unknown-scope reports are never pooled.

    The robust z is ``(log1p(x) - median) / scale`` with ``scale = max(MAD / 0.6745,
    min_scale)``. Where more than half the group shares one value MAD is 0 and ``min_scale``
    is the scale: no statistic the large values inflate, so two large values cannot hide each
    other. A positive value in a group whose median and MAD are both 0 (more than half report 0)
    is marked ``nonzero in an all-zero group`` for review whatever its z. Values flagged in one
    pass are set aside from the group statistics and the screen is repeated (at most
    ``max_passes`` times), as in Rosner's generalised ESD test.

    A value whose widest grouping has fewer than ``min_group`` reports with a value is not
    assessable: it keeps its row (``assessable`` False, ``robust_z`` missing), the reason says
    how many reports there were, and a positive one is sent to ``review``.

    Returns:
        One row per report and variable: value, ``grouping``, ``n_group``, ``group_median``,
        ``median`` and ``mad`` (log1p), ``scale`` and ``scale_kind``, ``robust_z``, ``flagged``
        (z above ``threshold``), the ``screen_pass`` that flagged it, ``assessable``,
        ``all_zero_group``, ``review`` (flagged, nonzero in an all-zero group, or positive and
        not assessable), ``finding`` and a plain-language ``reason`` that states the scope;
        ``tried`` and ``n_tried`` name the widest grouping tried and its size (the reason of a
        value that is not assessable cites them).

    >>> p = pd.DataFrame({"report_id": list("abcdef"), "organ": list("ABCDEF"), "level": "county",
    ...                   "scope": ["organ"] * 4 + ["region_aggregate", "organ"], "organ_type": "department",
    ...                   "penalty": [0, 0, 0, 0, 27780, 693957]})
    >>> out = robust_outliers(p, ["penalty"])
    >>> out.loc[out.review, ["organ", "finding"]].values.tolist()
    [['F', 'outlier; nonzero in an all-zero group'], ['E', 'group too small']]
    """
    if not min_scale > 0:
        raise ValueError(f"min_scale must be positive, got {min_scale}")
    present = [c for c in _ID_COLUMNS if c in panel.columns]
    long = panel.melt(id_vars=present, value_vars=list(columns), var_name="variable", value_name="value")
    long = long.dropna(subset=["value"]).reset_index(drop=True)
    long["value"] = long["value"].astype(float)
    long["log1p"] = np.log1p(long["value"])
    screened = _screen(long, within_scope(groupings), min_group, threshold, min_scale, max_passes)
    long = pd.concat([long, screened], axis=1)
    _findings(long, min_scale)
    long["reason"] = [_outlier_reason(row, threshold, min_group) for row in long.itertuples()]
    order = ["flagged", "review", "screen_pass", "robust_z", "value"]
    return long.sort_values(
        order, ascending=[False, False, True, False, False], na_position="last"
    ).reset_index(drop=True)


def within_scope(groupings: Sequence[Sequence[str]]) -> tuple[tuple[str, ...], ...]:
    """Put ``scope`` first in every grouping that lacks it (an empty grouping becomes scope alone).

    >>> within_scope([("level",), ("scope", "level"), ()])
    (('scope', 'level'), ('scope', 'level'), ('scope',))
    """
    return tuple(tuple(g) if "scope" in g else ("scope", *g) for g in groupings)


def _screen(
    long: pd.DataFrame,
    groupings: Sequence[Sequence[str]],
    min_group: int,
    threshold: float,
    min_scale: float,
    max_passes: int,
) -> pd.DataFrame:
    """Run the passes; a flagged row keeps the statistics of the pass that flagged it."""
    keys = _group_keys(long, groupings)
    excluded = pd.Series(False, index=long.index)
    result = pd.DataFrame(index=long.index)
    for number in range(1, max_passes + 1):
        stats = _grouped_stats(long, keys, min_group, excluded)
        # numpy's stubs say a ufunc returns an array; on a Series it returns a Series.
        scale = cast("pd.Series[float]", np.maximum(stats["mad"] / _MAD_SCALE, min_scale))
        stats["scale"] = scale.where(stats["mad"].notna())
        stats["robust_z"] = (long["log1p"] - stats["median"]) / stats["scale"]
        new = (stats["robust_z"] > threshold).fillna(False) & ~excluded
        # NaN, not pd.NA, marks the unflagged rows: numpy's stubs take no NA scalar; Int64 reads both as <NA>.
        stats["screen_pass"] = pd.array(np.where(new, number, np.nan), dtype="Int64")
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
        # ``scope`` always splits; an absent scope column is one scope, "unknown".
        columns = [k for k in grouping if k in long.columns or k == "scope"]
        key = long["variable"].astype(str)
        label = pd.Series("all reports" if not columns else "", index=long.index)
        for i, column in enumerate(columns):
            if column in long.columns:
                value = long[column].astype("string").fillna("unknown")
            else:
                value = pd.Series("unknown", index=long.index, dtype="string")
            key = key + "|" + value
            label = label + ("" if i == 0 else ", ") + f"{column} = " + value
        found.append((key, label))
    return found


def _grouped_stats(
    long: pd.DataFrame, keys: list[tuple[pd.Series, pd.Series]], min_group: int, excluded: pd.Series
) -> pd.DataFrame:
    # Group membership and size count every report; the statistics leave out excluded values.
    # ``tried`` and ``n_tried`` keep the widest grouping tried, for values with no large enough one.
    columns = ["grouping", "n_group", "median", "mad", "tried", "n_tried"]
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
        out["tried"], out["n_tried"] = label, size
    out = out.astype({"n_group": "Int64", "median": float, "mad": float, "n_tried": "Int64"})
    out["group_median"] = np.expm1(out["median"])
    return out


def _findings(long: pd.DataFrame, min_scale: float) -> None:
    """Add ``assessable``, ``all_zero_group``, ``scale_kind``, ``review`` and ``finding``."""
    assessable = long["grouping"].notna()
    positive = long["value"] > 0
    all_zero = assessable & long["median"].eq(0) & long["mad"].eq(0)
    long["assessable"] = assessable
    long["all_zero_group"] = all_zero
    mad_scale = long["mad"] / _MAD_SCALE
    # A value that is not assessable has no scale: <NA> (numpy's stubs take no None among the choices).
    long["scale_kind"] = pd.Series(
        np.select(
            [mad_scale >= min_scale, long["mad"].eq(0)],
            ["MAD", "minimum scale (MAD = 0)"],
            "minimum scale (MAD smaller)",
        ),
        index=long.index,
        dtype="string",
    ).where(assessable)
    long["review"] = long["flagged"] | (all_zero & positive) | (~assessable & positive)
    flagged, zero = long["flagged"].astype(bool), all_zero & positive
    finding = np.select(
        [flagged & zero, flagged, zero, ~assessable],
        [f"outlier; {ALL_ZERO_FINDING}", "outlier", ALL_ZERO_FINDING, TOO_SMALL_FINDING],
        "",
    )
    long["finding"] = pd.Series(finding, index=long.index, dtype="string")


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def _scope_context(scope: Any) -> str:
    return SCOPE_CONTEXT.get(str(scope), "scope unknown: check whether it is an organ or a region")


def _outlier_reason(row: Any, threshold: float, min_group: int) -> str:
    label = LABELS.get(row.variable, row.variable)
    scope = getattr(row, "scope", None)
    if not row.assessable:
        words = _SCOPE_WORDS.get(str(scope), "scope-unknown")
        return (
            f"not assessable: {int(row.n_tried)} {words} report(s) with a {label} value in the widest "
            f"comparison within its scope ({row.tried}), fewer than {min_group}; {label} "
            f"{_number(row.value)} is kept for review and never compared with reports of another scope"
        )
    zero = row.all_zero_group and row.value > 0
    if not row.flagged and not zero:
        return ""
    if not row.flagged:
        return (
            f"{label} {_number(row.value)} is {ALL_ZERO_FINDING}: the median and MAD of the "
            f"{int(row.n_group)} reports with {row.grouping} are 0 (more than half report 0), so any "
            f"positive value is for review (robust z {row.robust_z:.1f}, threshold {threshold}). "
            f"This is {_scope_context(scope)}"
        )
    if row.scale_kind == "MAD":
        scale = "spread measured by MAD"
    elif row.mad == 0:
        scale = (
            f"more than half of them report {_number(round(row.group_median, 2))}, so MAD is 0 and the "
            f"minimum scale {row.scale:g} (log1p units) is used"
        )
    else:
        scale = f"MAD is below the minimum scale {row.scale:g} (log1p units), which is used instead"
    masked = "" if row.screen_pass == 1 else ", leaving out larger values flagged before it"
    also = f"; it is also {ALL_ZERO_FINDING}" if zero else ""
    return (
        f"{label} {_number(row.value)} has robust z {row.robust_z:.1f} (threshold {threshold}) on the log "
        f"scale against the median {_number(round(row.group_median, 2))} of {int(row.n_group)} reports "
        f"with {row.grouping}{masked}; {scale}{also}. This is {_scope_context(scope)}"
    )


class _RegionRow(Protocol):
    """A region-wide report's panel row as ``itertuples`` gives it (the variables are read by name)."""

    report_id: str
    organ: str
    level: str | float | NAType | None  # missing: NaN, None or <NA>


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
        # pandas-stubs types a row's fields as any scalar; the panel's columns are known.
        for row in cast("Iterable[_RegionRow]", regions.itertuples(index=False)):
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
    ``min_group`` positive amounts only). Groups are always within one ``scope`` (added to
    ``by`` when missing). ``as_if_yuan`` shows the amount divided by 10,000.

    >>> p = pd.DataFrame({"report_id": list("abcdef"), "organ": list("ABCDEF"), "scope": "organ",
    ...                   "level": "county", "fees_10k_yuan": [12.5, 30, 8, 20, 15, 251000]})
    >>> fee_unit_screen(p).loc[lambda s: s.flagged, ["organ", "as_if_yuan"]].values.tolist()
    [['F', 25.1]]
    """
    keys = [k for k in within_scope([by])[0] if k in panel.columns]  # never across scopes
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


# --- Evidence for a flagged value --------------------------------------------------------------

# Panel variable → the prose figure (``figures.figure``) that states the same quantity.
PROSE_FIGURES: dict[str, str] = {
    "proactive_total": "proactive_total",
    "new_received": "applications_received",
    "review": "reviews",
    "litigation": "lawsuits",
}
_POWER_NOTES = {
    -1: "a dropped digit?",
    1: "an extra digit?",
    2: "two extra digits?",
    4: "元 entered where 万元 belongs?",
}
_EVIDENCE_COLUMNS = (
    "report_id", "organ", "scope", "level", "year", "variable", "value", "finding", "prose_values",
    "prose_agrees", "other_years", "n_other_years", "other_years_median", "ratio_to_other_years",
    "population", "population_of", "per_10k", "digit_notes", "evidence",
)  # fmt: skip


class _Screened(Protocol):
    """A screened value's row as ``itertuples`` gives it (``finding``, ``flagged``: where present)."""

    report_id: str
    variable: str
    value: float


class _ProseEvidence(TypedDict):
    prose_values: str | None
    prose_agrees: bool | NAType
    _prose_ratio: float | None  # the value over the first stated figure; not a column


class _OtherYears(TypedDict):
    other_years: str | None
    n_other_years: int
    other_years_median: float
    ratio_to_other_years: float


class _PerCapita(TypedDict):
    population: float
    population_of: str | None
    per_10k: float


def screen_evidence(
    outliers: pd.DataFrame,
    panel: pd.DataFrame,
    *,
    figures: pd.DataFrame | None = None,
    population: Mapping[str, float] | pd.Series | None = None,
    rows: str = "review",
) -> pd.DataFrame:
    """Gather what a researcher checks for each screened value before believing or fixing it.

    Args:
        outliers: a :func:`robust_outliers` result (any frame with ``report_id``, ``variable``,
            ``value`` and ``flagged``/``review`` columns).
        panel: the report panel it was computed from, with ``organ``, ``scope`` and ``year``. The
            organ's other years are the other reports of the same organ and scope: same
            ``organ_id`` if the panel has one (``organ_year_panel``), else the id
            ``linkage.organ_ids`` gives from the name and ``adcode`` (unresolved places link
            to nothing), else the same ``organ`` name.
        figures: ``corpus.figures``: prose figures of the same report for the same quantity
            (:data:`PROSE_FIGURES`; none is extracted for enforcement counts or fees).
        population: residents by name (organ or region, e.g. ``{"东宁市": 199_000}``); a report
            is looked up by its organ, then its county, prefecture and province. Optional:
            without it ``per_10k`` is missing.
        rows: ``"review"`` (the default), ``"flagged"`` or ``"all"``.

    Returns:
        One row per value: the prose figures and whether one equals the value
        (``prose_agrees``); the organ's other years (``other_years`` as ``year: value``, their
        median and the value's ratio to it); ``per_10k`` residents; ``digit_notes`` (repeated
        digits, a ratio to the other years or the prose near a power of ten: an extra or dropped
        digit, 元 for 万元); and ``evidence``, all of it in one sentence.

    >>> panel = pd.DataFrame({"report_id": ["a", "b", "c"], "organ": "甲局", "scope": "organ",
    ...                       "year": [2021, 2022, 2023], "penalty": [120.0, 1300.0, 140.0]})
    >>> out = pd.DataFrame({"report_id": ["b"], "variable": ["penalty"], "value": [1300.0],
    ...                     "flagged": [True], "review": [True]})
    >>> row = screen_evidence(out, panel, population={"甲局": 50_000}).iloc[0]
    >>> row.other_years, float(row.ratio_to_other_years), float(row.per_10k), row.digit_notes
    ('2021: 120; 2023: 140', 10.0, 260.0, "≈10× the organ's other years: an extra digit?")
    """
    chosen = _chosen_rows(outliers, rows)
    meta_columns = ["organ", "scope", "level", "year", "province", "prefecture", "county"]
    meta = panel.set_index("report_id").reindex(columns=meta_columns)
    prose = _prose_by_report(figures)
    links = _organ_links(panel)
    records = []
    # pandas-stubs types a row's fields as any scalar; the screen's columns are known.
    for row in cast("Iterable[_Screened]", chosen.itertuples(index=False)):
        # One row per report id, so .loc gives that row as a Series (the stubs allow a frame too).
        info = (
            cast("pd.Series[Any]", meta.loc[row.report_id])
            if row.report_id in meta.index
            else pd.Series(dtype=object)
        )
        record: dict[str, object] = {
            "report_id": row.report_id,
            "variable": row.variable,
            "value": float(row.value),
        }
        record |= {c: info.get(c) for c in ("organ", "scope", "level", "year")}
        record["finding"] = getattr(row, "finding", "outlier" if getattr(row, "flagged", False) else "")
        prose_found = _prose_evidence(prose, row.report_id, row.variable, float(row.value))
        record |= prose_found
        other_years = _other_years(panel, links, row, float(row.value), info.get("scope"))
        record |= other_years
        record |= _per_capita(population, info, float(row.value))
        notes = digit_notes(float(row.value), variable=row.variable)
        notes += _ratio_notes(other_years["ratio_to_other_years"], "the organ's other years")
        record.pop("_prose_ratio")
        notes += _ratio_notes(prose_found["_prose_ratio"], "the figure stated in the prose")
        record["digit_notes"] = "; ".join(notes)
        record["evidence"] = _evidence_sentence(record)
        records.append(record)
    return pd.DataFrame(records, columns=list(_EVIDENCE_COLUMNS))


def _chosen_rows(outliers: pd.DataFrame, rows: str) -> pd.DataFrame:
    if rows == "all":
        return outliers
    if rows not in ("review", "flagged"):
        raise ValueError(f"rows must be 'review', 'flagged' or 'all', not {rows!r}")
    column = rows if rows in outliers.columns else "flagged"
    return outliers.loc[outliers[column].fillna(False).astype(bool)]


def _prose_by_report(figures: pd.DataFrame | None) -> pd.DataFrame | None:
    if figures is None or figures.empty:
        return None
    return figures.dropna(subset=["value"]).set_index("report_id")


def _prose_evidence(
    prose: pd.DataFrame | None, report_id: str, variable: str, value: float
) -> _ProseEvidence:
    empty: _ProseEvidence = {"prose_values": None, "prose_agrees": pd.NA, "_prose_ratio": None}
    figure = PROSE_FIGURES.get(variable)
    if prose is None or figure is None or report_id not in prose.index:
        return empty
    figures = prose.loc[[report_id]]
    stated = figures.loc[figures["figure"] == figure, "value"].astype(float).tolist()
    if not stated:
        return empty
    agrees = any(math.isclose(s, value) for s in stated)
    ratio = None if agrees or not stated[0] else value / stated[0]
    return {
        "prose_values": "; ".join(_number(s) for s in stated),
        "prose_agrees": agrees,
        "_prose_ratio": ratio,
    }


def _organ_links(panel: pd.DataFrame) -> pd.Series:
    """Say which reports are one organ's (see :func:`screen_evidence`), aligned with ``panel``."""
    if "organ_id" in panel.columns:
        return panel["organ_id"].astype("string")
    if "adcode" in panel.columns:
        from govreports.stats.linkage import organ_ids

        return organ_ids(panel)
    names = panel["organ"] if "organ" in panel.columns else pd.Series(pd.NA, index=panel.index)
    return names.astype("string")


def _other_years(
    panel: pd.DataFrame, links: pd.Series, row: _Screened, value: float, scope: str | float | NAType | None
) -> _OtherYears:
    none: _OtherYears = {"other_years": None, "n_other_years": 0, "other_years_median": np.nan,
                         "ratio_to_other_years": np.nan}  # fmt: skip
    own = links[panel["report_id"].eq(row.report_id).fillna(False).to_numpy()]
    if own.empty or pd.isna(own.iloc[0]) or row.variable not in panel.columns:
        return none
    same = links.eq(own.iloc[0]).fillna(False) & panel["report_id"].ne(row.report_id)
    if "scope" in panel.columns:  # an organ's region-wide report is another kind of report
        scopes = panel["scope"].astype("string").fillna("unknown")
        same &= scopes.eq(str(scope) if pd.notna(scope) else "unknown")
    others = panel.loc[same & panel[row.variable].notna()]
    others = others.reindex(columns=["year", row.variable]).sort_values("year", na_position="last")
    if others.empty:
        return none
    values = others[row.variable].astype(float)
    median = float(values.median())
    text = "; ".join(
        f"{'?' if pd.isna(y) else int(y)}: {_number(v)}" for y, v in zip(others["year"], values, strict=True)
    )
    ratio = value / median if median > 0 else np.nan
    return {"other_years": text, "n_other_years": len(others), "other_years_median": median,
            "ratio_to_other_years": ratio}  # fmt: skip


def _per_capita(
    population: Mapping[str, float] | pd.Series | None, info: pd.Series, value: float
) -> _PerCapita:
    if population is None:
        return {"population": np.nan, "population_of": None, "per_10k": np.nan}
    lookup = dict(population.items()) if isinstance(population, pd.Series) else dict(population)
    for column in ("organ", "county", "prefecture", "province"):
        name = info.get(column)
        if pd.notna(name) and name in lookup and lookup[name]:
            people = float(lookup[name])
            return {"population": people, "population_of": str(name), "per_10k": value / people * 10_000}
    return {"population": np.nan, "population_of": None, "per_10k": np.nan}


def digit_notes(value: float, *, variable: str | None = None) -> list[str]:
    """Digit patterns that suggest a typing or unit slip, in words (empty when none).

    >>> digit_notes(77777), digit_notes(1_200_000, variable="fees_10k_yuan")
    (['all digits the same (77777)'], ['read as 元 it would be 120.00 万元', 'ends in 0000'])
    """
    notes = []
    if float(value).is_integer():
        digits = str(int(abs(value)))
        if len(digits) >= 3 and len(set(digits)) == 1:
            notes.append(f"all digits the same ({digits})")
        else:
            run = max((len(m.group()) for m in re.finditer(r"([1-9])\1+", digits)), default=0)
            if run >= 4:
                notes.append(f"a run of {run} identical digits ({digits})")
    if variable is not None and "10k_yuan" in variable and value >= 10_000:
        notes.append(f"read as 元 it would be {value / 10_000:,.2f} 万元")
    if value >= 10_000 and float(value).is_integer() and str(int(value)).endswith("0000"):
        notes.append("ends in 0000")
    return notes


def _ratio_notes(ratio: float | None, against: str) -> list[str]:
    """Name a ratio near a power of ten (within a factor of 1.4) as the slip it would be."""
    if ratio is None or not np.isfinite(ratio) or ratio <= 0:
        return []
    power = round(math.log10(ratio))
    if power == 0 or abs(math.log10(ratio) - power) > 0.15:
        return []
    size = f"≈{10**power:,}×" if power > 0 else f"≈1/{10**-power:,}"
    slip = _POWER_NOTES.get(power, f"{abs(power)} digits {'extra' if power > 0 else 'dropped'}?")
    return [f"{size} {against}: {slip}"]


def _evidence_sentence(record: Mapping[str, Any]) -> str:
    parts = []
    if record["prose_values"] is None:
        parts.append("no prose figure for this quantity")
    else:
        verdict = "agrees" if record["prose_agrees"] else "differs"
        parts.append(f"the prose states {record['prose_values']} ({verdict})")
    if record["n_other_years"]:
        parts.append(f"other years of this organ: {record['other_years']}")
    else:
        parts.append("no other year of this organ in the corpus")
    if pd.notna(record["per_10k"]):
        parts.append(
            f"{record['per_10k']:,.1f} per 10,000 residents of {record['population_of']} "
            f"(population {record['population']:,.0f})"
        )
    if record["digit_notes"]:
        parts.append(record["digit_notes"])
    return "; ".join(parts)


# --- How well the screen finds realistic entry errors -----------------------------------------

# Entry errors of realistic size: the factor that turns the true value into the printed one.
ERROR_SIZES: dict[str, float] = {
    "dropped digit (÷10)": 0.1,
    "extra digit (×10)": 10.0,
    "two extra digits (×100)": 100.0,
    "元 for 万元 (×10,000)": 10_000.0,
}


@dataclass(frozen=True)
class ScreenEvaluation:
    """Recall by error size and overall precision of :func:`robust_outliers` on planted errors.

    ``recall``: one row per error size (ascending factor): ``planted``, ``flagged``, ``recall``
    with its 95% Wilson interval, and ``reviewed`` / ``review_recall`` (sent to review by any
    finding). ``precision`` is the share of flagged values that were planted; it depends on
    ``rate``, the share of values planted per error size. ``screened`` is the screen's output
    with the planted ``error`` and ``true_value`` beside each value.
    """

    recall: pd.DataFrame
    precision: float
    n_values: int
    n_planted: int
    n_flagged: int
    false_flags: int
    rate: float
    screened: pd.DataFrame


def plant_errors(
    panel: pd.DataFrame,
    columns: Sequence[str] = ENFORCEMENT,
    *,
    seed: int,
    errors: Mapping[str, float] = ERROR_SIZES,
    rate: float = 0.01,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Copy ``panel`` with entry errors planted in a random share ``rate`` of values per error size.

    Errors go into positive values only (a 0 stays 0 whatever is typed after it), each value gets
    at most one, and a dropped digit needs at least two digits (it keeps ``value // 10``).
    Whole numbers stay whole.

    Returns:
        The copy, and one row per planted value: ``report_id``, ``variable``, ``error``,
        ``factor``, ``true_value``, ``value``.

    >>> p = pd.DataFrame({"report_id": list("abcd"), "penalty": [10.0, 25.0, 0.0, 400.0]})
    >>> dirty, planted = plant_errors(p, ["penalty"], seed=0, errors={"×10": 10.0}, rate=1.0)
    >>> dirty.penalty.tolist(), planted.report_id.tolist()
    ([100.0, 250.0, 0.0, 4000.0], ['a', 'b', 'd'])
    """
    rng = np.random.default_rng(seed)
    dirty = panel.copy()
    planted = []
    for column in columns:
        values = pd.to_numeric(panel[column]).astype(float)
        free = pd.Series(values.gt(0).fillna(False).to_numpy(), index=panel.index)
        for error, factor in sorted(errors.items(), key=lambda item: item[1]):
            eligible = free & (values >= 10 if factor < 1 else True)
            candidates = eligible[eligible].index.to_numpy()
            chosen = candidates[rng.random(len(candidates)) < rate]
            for index in chosen:
                true = float(values[index])
                new = _slip(true, factor)
                dirty.loc[index, column] = new
                planted.append((panel.at[index, "report_id"], column, error, factor, true, new))
            free[chosen] = False
    columns_out = ["report_id", "variable", "error", "factor", "true_value", "value"]
    return dirty, pd.DataFrame(planted, columns=columns_out)


def _slip(value: float, factor: float) -> float:
    if not value.is_integer():
        return value * factor
    return float(value // round(1 / factor)) if factor < 1 else float(round(value * factor))


def evaluate_outlier_screen(
    panel: pd.DataFrame | None = None,
    columns: Sequence[str] = ENFORCEMENT,
    *,
    seed: int,
    n_organs: int = 2000,
    errors: Mapping[str, float] = ERROR_SIZES,
    rate: float = 0.01,
    **screen: Any,
) -> ScreenEvaluation:
    """Plant realistic entry errors in clean values, run :func:`robust_outliers`, count what it finds.

    Args:
        panel: clean values to plant errors in; by default a simulated corpus of ``n_organs``
            reports (``simulate_corpus`` with no outliers and no fees in 元 of its own).
        columns: the variables screened and planted.
        seed: seeds the simulation and the planting: the same seed gives the same table.
        n_organs: size of the simulated corpus when no ``panel`` is given.
        errors: error name → factor (:data:`ERROR_SIZES`: ÷10, ×10, ×100, ×10,000).
        rate: share of eligible values planted per error size.
        **screen: passed to :func:`robust_outliers` (``threshold``, ``min_group``, ...).

    The screen looks for values too large, so a dropped digit (÷10) is expected to go unnoticed:
    its row says so with a recall near 0 rather than being left out.

    >>> rng = np.random.default_rng(0)
    >>> clean = pd.DataFrame({"report_id": [f"r{i}" for i in range(400)], "scope": "organ",
    ...                       "level": "county", "penalty": np.round(np.exp(rng.normal(4, 0.8, 400)))})
    >>> ev = evaluate_outlier_screen(clean, ["penalty"], seed=1, rate=0.05)
    >>> ev.recall["error"].tolist()[0], ev.recall["recall"].is_monotonic_increasing
    ('dropped digit (÷10)', True)
    """
    if panel is None:
        panel = _clean_simulated_panel(n_organs, seed)
    dirty, planted = plant_errors(panel, columns, seed=seed, errors=errors, rate=rate)
    out = robust_outliers(dirty, columns, **screen)
    out = out.merge(planted.drop(columns=["value"]), on=["report_id", "variable"], how="left")
    is_planted = out["error"].notna()
    flagged = out["flagged"].astype(bool)
    rows = []
    for error, factor in sorted(errors.items(), key=lambda item: item[1]):
        these = out["error"].eq(error).fillna(False)
        hits, reviewed, n = int((these & flagged).sum()), int((these & out["review"]).sum()), int(these.sum())
        low, high = wilson_interval(hits, n) if n else (np.nan, np.nan)
        rows.append(
            {"error": error, "factor": factor, "planted": n, "flagged": hits,
             "recall": hits / n if n else np.nan, "ci_low": low, "ci_high": high,
             "reviewed": reviewed, "review_recall": reviewed / n if n else np.nan}
        )  # fmt: skip
    n_flagged = int(flagged.sum())
    true_flags = int((flagged & is_planted).sum())
    return ScreenEvaluation(
        recall=pd.DataFrame(rows),
        precision=true_flags / n_flagged if n_flagged else np.nan,
        n_values=len(out),
        n_planted=int(is_planted.sum()),
        n_flagged=n_flagged,
        false_flags=n_flagged - true_flags,
        rate=rate,
        screened=out,
    )


def _clean_simulated_panel(n_organs: int, seed: int) -> pd.DataFrame:
    import dataclasses

    from govreports.simulate import SimParams, simulate_corpus
    from govreports.stats.panel import report_panel

    params = dataclasses.replace(SimParams(), outlier_rate=0.0, fee_yuan_rate=0.0)
    return report_panel(simulate_corpus(n_organs, seed=seed, params=params))
