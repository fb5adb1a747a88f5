"""Derived indicators per report from 表三 and 表四: disclosure rates, refusal shares, appeal rates.

Each indicator is a ratio of sums of template cells (:data:`INDICATORS`; documented in
``docs/codebook.md``). A cell counts only when its status is decided
(:data:`govreports.schema.DECIDED_STATUSES`): a blank, a slash, an ambiguous or an inferred cell
is missing, never 0. An indicator is ``<NA>`` when any cell it needs is missing or its
denominator is 0, and ``n_cells_missing`` says how many of its cells were missing.

>>> import govreports as gr
>>> wide = indicators_wide(indicators(gr.read_reports(["data/raw/001_2df4fb0f365bf309.txt"])))
>>> float(wide.loc[0, "full_grant_rate"]), float(wide.loc[0, "reviews_per_100"])
(1.0, 0.0)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from govreports.schema import APPEALS, APPLICATIONS, DECIDED_STATUSES

Cell = tuple[str, str, str]  # (table, row_key, col_key)


def _rows(prefix: str) -> tuple[str, ...]:
    return tuple(r.key for r in APPLICATIONS.rows if r.key.startswith(prefix))


WITHHELD_ROWS = _rows("withheld_")  # （三）不予公开, 8 sub-rows: legal grounds
UNABLE_ROWS = _rows("unable_")  # （四）无法提供, 3 sub-rows: practical grounds
NOT_PROCESSED_ROWS = _rows("not_processed_")  # （五）不予处理, 5 sub-rows
# Applications decided on the merits: granted, partly granted, withheld or not available.
DECIDED_ROWS = ("granted", "partially_granted", *WITHHELD_ROWS, *UNABLE_ROWS)
LITIGATION_ROWS = tuple(r.key for r in APPEALS.rows if r.key.startswith("litigation_"))
RESOLVED_COLS = ("upheld", "corrected", "other")  # 表四 results with a decision (not 尚未审结)


def _t3(*rows: str) -> tuple[Cell, ...]:
    return tuple(("applications", row, "total") for row in rows)


def _t4(rows: tuple[str, ...], cols: tuple[str, ...]) -> tuple[Cell, ...]:
    return tuple(("appeals", row, col) for row in rows for col in cols)


@dataclass(frozen=True)
class Indicator:
    """A per-report ratio: Σ ``numerator`` cells / Σ ``denominator`` cells, times ``per``."""

    key: str
    name: str  # the Chinese name researchers use
    label: str  # English
    numerator: tuple[Cell, ...]
    denominator: tuple[Cell, ...]
    per: float = 1.0

    @property
    def cells(self) -> tuple[Cell, ...]:
        """Every cell the indicator needs, each once."""
        return tuple(dict.fromkeys((*self.numerator, *self.denominator)))

    @property
    def formula(self) -> str:
        """Readable formula in template keys, e.g. ``applications[granted; total] / ...``.

        >>> INDICATORS["review_correction_rate"].formula
        'appeals[review; corrected] / appeals[review; upheld + corrected + other]'
        """
        text = f"{_side(self.numerator)} / {_side(self.denominator)}"
        return f"{self.per:g} × {text}" if self.per != 1 else text


def _side(cells: tuple[Cell, ...]) -> str:
    tables = dict.fromkeys(t for t, _, _ in cells)
    parts = []
    for table in tables:
        rows = list(dict.fromkeys(r for t, r, _ in cells if t == table))
        cols = list(dict.fromkeys(c for t, _, c in cells if t == table))
        parts.append(f"{table}[{' + '.join(rows)}; {' + '.join(cols)}]")
    return " + ".join(parts)


_INDICATOR_LIST = (
    Indicator(
        "full_grant_rate", "予以公开率", "granted in full / decided on the merits",
        _t3("granted"), _t3(*DECIDED_ROWS),
    ),
    Indicator(
        "substantive_grant_rate", "实质公开率", "granted in full or in part / all processed",
        _t3("granted", "partially_granted"), _t3("total_processed"),
    ),
    Indicator(
        "withheld_share", "不予公开占比", "refused on legal grounds / all processed",
        _t3(*WITHHELD_ROWS), _t3("total_processed"),
    ),
    Indicator(
        "unable_share", "无法提供占比", "not available (practical grounds) / all processed",
        _t3(*UNABLE_ROWS), _t3("total_processed"),
    ),
    Indicator(
        "practical_refusal_share", "无法提供占拒绝比",
        "practical refusals / all refusals (不予公开 + 无法提供)",
        _t3(*UNABLE_ROWS), _t3(*WITHHELD_ROWS, *UNABLE_ROWS),
    ),
    Indicator(
        "not_processed_share", "不予处理占比", "not processed / all processed",
        _t3(*NOT_PROCESSED_ROWS), _t3("total_processed"),
    ),
    Indicator(
        "reviews_per_100", "每百件申请行政复议数", "administrative reviews per 100 new applications",
        _t4(("review",), ("total",)), _t3("new_received"), per=100.0,
    ),
    Indicator(
        "lawsuits_per_100", "每百件申请行政诉讼数", "lawsuits per 100 new applications",
        _t4(LITIGATION_ROWS, ("total",)), _t3("new_received"), per=100.0,
    ),
    Indicator(
        "review_correction_rate", "行政复议纠错率", "reviews corrected / reviews decided",
        _t4(("review",), ("corrected",)), _t4(("review",), RESOLVED_COLS),
    ),
    Indicator(
        "litigation_correction_rate", "行政诉讼纠错率", "lawsuits corrected / lawsuits decided",
        _t4(LITIGATION_ROWS, ("corrected",)), _t4(LITIGATION_ROWS, RESOLVED_COLS),
    ),
)  # fmt: skip
INDICATORS: dict[str, Indicator] = {i.key: i for i in _INDICATOR_LIST}
INDICATOR_COLUMNS = ("report_id", "indicator", "numerator", "denominator", "value", "n_cells_missing")


def indicators(source: Any, *, statuses: tuple[str, ...] = DECIDED_STATUSES) -> pd.DataFrame:
    """Compute every indicator of :data:`INDICATORS` per report, as a tidy long frame.

    Args:
        source: a corpus (``read_reports``, ``io.read_processed``, ``simulate_corpus``: every
            report gets rows, reports without cells all ``<NA>``) or a cells frame. A report
            panel is refused: it holds neither the statuses nor the 表四 result columns.
        statuses: cell statuses taken as the report's number; add ``"inferred"`` to use the
            copy from ``fill_from_identities``.

    Returns:
        One row per report and indicator: ``numerator`` and ``denominator`` (sums of decided
        cells, ``<NA>`` when one of their cells is missing), ``value`` (their ratio times
        ``per``; ``<NA>`` when either is missing or the denominator is 0) and
        ``n_cells_missing`` (needed cells without a decided value).

    >>> cells = pd.DataFrame({"report_id": "r", "table": "appeals", "row_key": "review",
    ...     "col_key": ["upheld", "corrected", "other"], "value": [3.0, 1.0, None],
    ...     "status": ["ok", "ok", "blank"]})
    >>> row = indicators(cells).set_index("indicator").loc["review_correction_rate"]
    >>> float(row.numerator), row.denominator, row.value, int(row.n_cells_missing)
    (1.0, <NA>, <NA>, 1)
    """
    cells, report_ids = _cells_and_ids(source)
    grid = _decided_grid(cells, report_ids, statuses)
    parts = []
    for indicator in INDICATORS.values():
        numerator = _sum(grid, indicator.numerator)
        denominator = _sum(grid, indicator.denominator)
        value = (numerator / denominator.where(denominator != 0)) * indicator.per
        parts.append(
            pd.DataFrame(
                {
                    "report_id": grid.index,
                    "indicator": indicator.key,
                    "numerator": numerator.to_numpy(),
                    "denominator": denominator.to_numpy(),
                    "value": value.to_numpy(),
                    "n_cells_missing": grid[[_key(c) for c in indicator.cells]].isna().sum(axis=1).to_numpy(),
                }
            )
        )
    if not parts or grid.empty:
        return _empty()
    long = pd.concat(parts, ignore_index=True)
    long = long.astype(
        {"report_id": "string", "indicator": "string", "numerator": "Float64", "denominator": "Float64",
         "value": "Float64", "n_cells_missing": "Int64"}
    )  # fmt: skip
    return long.sort_values(["report_id"], kind="stable").reset_index(drop=True)


def indicators_wide(long: pd.DataFrame, meta: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per report, one column per indicator value (from :func:`indicators`).

    ``meta`` (a report panel or ``corpus.reports``) adds its columns on ``report_id``, e.g. to
    group by ``scope`` and ``level``. Columns follow :data:`INDICATORS`.

    >>> long = pd.DataFrame({"report_id": ["a", "a"], "indicator": ["unable_share", "full_grant_rate"],
    ...                      "value": pd.array([0.25, None], dtype="Float64")})
    >>> indicators_wide(long).columns.tolist()
    ['report_id', 'full_grant_rate', 'unable_share']
    """
    wide = long.pivot(index="report_id", columns="indicator", values="value")
    order = [k for k in INDICATORS if k in wide.columns]
    wide = wide[order + [c for c in wide.columns if c not in INDICATORS]].astype("Float64")
    wide.columns.name = None
    wide = wide.reset_index()
    if meta is not None:
        extra = [c for c in meta.columns if c not in wide.columns or c == "report_id"]
        wide = meta[extra].merge(wide, on="report_id", how="right")
    return wide


def _empty() -> pd.DataFrame:
    dtypes = ["string", "string", "Float64", "Float64", "Float64", "Int64"]
    return pd.DataFrame({c: pd.Series(dtype=d) for c, d in zip(INDICATOR_COLUMNS, dtypes, strict=True)})


def _cells_and_ids(source: Any) -> tuple[pd.DataFrame, pd.Index]:
    if hasattr(source, "cells") and hasattr(source, "reports"):
        cells = source.cells
        ids = pd.Index(source.reports["report_id"].astype("string")).append(
            pd.Index(cells["report_id"].astype("string"))
        )
        return cells, ids.unique()
    if not isinstance(source, pd.DataFrame):
        raise TypeError(f"indicators needs a corpus or a cells frame, not {type(source).__name__}")
    missing = {"report_id", "table", "row_key", "col_key", "value", "status"} - set(source.columns)
    if missing:
        raise ValueError(
            f"indicators needs the cells frame (missing columns {sorted(missing)}): a report panel has "
            "no cell statuses and no 表四 result columns; pass the corpus or corpus.cells"
        )
    return source, pd.Index(source["report_id"].astype("string")).unique()


def _key(cell: Cell) -> str:
    return "|".join(cell)


def _decided_grid(cells: pd.DataFrame, report_ids: pd.Index, statuses: tuple[str, ...]) -> pd.DataFrame:
    """Report × needed cell: the decided value, NaN where missing, undecided or contradictory."""
    needed = list(dict.fromkeys(_key(c) for i in INDICATORS.values() for c in i.cells))
    key = cells["table"].astype("string") + "|" + cells["row_key"].astype("string") + "|" + cells["col_key"]
    keep = key.isin(needed).fillna(False)
    part = pd.DataFrame(
        {
            "report_id": cells.loc[keep, "report_id"].astype("string"),
            "key": key[keep],
            "value": pd.to_numeric(cells.loc[keep, "value"]).astype(float),
            "decided": cells.loc[keep, "status"].astype("string").isin(statuses).fillna(False),
        }
    )
    part["decided"] &= part["value"].notna()
    grouped = part.groupby(["report_id", "key"], sort=False)
    # A cell printed twice counts only when every copy is decided and they agree.
    summary = grouped.agg(value=("value", "first"), all_decided=("decided", "all"), n=("value", "nunique"))
    value = summary["value"].where(summary["all_decided"] & (summary["n"] <= 1))
    grid = value.unstack("key") if len(value) else pd.DataFrame(index=pd.Index([], name="report_id"))
    return grid.reindex(index=report_ids, columns=needed).astype(float)


def _sum(grid: pd.DataFrame, cells: tuple[Cell, ...]) -> pd.Series:
    """Sum over ``cells``; NaN when any of them is missing (a blank part makes the sum unknown)."""
    return grid[[_key(c) for c in cells]].sum(axis=1, skipna=False, min_count=1)
