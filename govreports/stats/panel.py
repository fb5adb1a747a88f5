"""The analysis frame: one row per report, its metadata and the cells analyses use.

:func:`report_panel` builds it from the corpus frames; :data:`PANEL_CELLS` and :data:`PANEL_GROUPS`
say which cells become which columns, :data:`LABELS` and :data:`SCOPE_CONTEXT` how variables and
scopes are described in tables. :func:`corpus_counts` gives the counts a notebook states first.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from govreports.corpus import Corpus

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


def _groups(frame: pd.DataFrame, by: str | Sequence[str] | None) -> tuple[list[str], Any]:
    keys = [by] if isinstance(by, str) else list(by or [])
    if not keys:
        # A categorical key with "all" as its one category gives a row even for an empty frame.
        group = pd.Categorical(["all"] * len(frame), categories=["all"])
        return ["group"], frame.assign(group=group).groupby("group", observed=False)
    return keys, frame.groupby(keys, dropna=False, observed=True, sort=True)
