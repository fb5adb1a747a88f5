"""The analysis frames: one row per report, and one row per organ and year.

:func:`report_panel` builds the first from the corpus frames; :data:`PANEL_CELLS` and
:data:`PANEL_GROUPS` say which cells become which columns, :data:`LABELS` and :data:`SCOPE_CONTEXT`
how variables and scopes are described in tables. :func:`corpus_counts` gives the counts a notebook
states first. :func:`organ_year_panel` orders the reports as a panel of organs (linked across years
by :func:`~govreports.stats.linkage.organ_ids`) and years, and :func:`carry_checks` checks the one
identity that runs across years: what an organ carried forward is what it carries over next year.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
from pandas.api.typing import DataFrameGroupBy

from govreports.corpus import Corpus
from govreports.frames import checks_frame
from govreports.schema import DECIDED_STATUSES
from govreports.stats.linkage import organ_ids

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
# Chinese names of the metadata categories, for tables and figures (one wording everywhere).
CATEGORY_LABELS: dict[str, dict[str, str]] = {
    "level": {
        "central": "中央",
        "province": "省级",
        "prefecture": "地市级",
        "county": "县级",
        "township": "乡镇级",
    },
    "organ_type": {
        "government": "人民政府",
        "government_office": "政府办公室（厅）",
        "department": "政府部门",
        "township": "乡镇政府",
        "subdistrict": "街道办事处",
        "dev_zone": "开发区管委会",
        "vertical_unit": "垂直管理单位",
        "other": "其他机关",
    },
    "scope": {"organ": "机关本身", "region_aggregate": "全区域汇总（本级政府）", "unknown": "范围不明"},
}
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


def _groups(
    frame: pd.DataFrame, by: str | Sequence[str] | None
) -> tuple[list[str], DataFrameGroupBy[Any, Any]]:
    keys = [by] if isinstance(by, str) else list(by or [])
    if not keys:
        # A categorical key with "all" as its one category gives a row even for an empty frame.
        group = pd.Categorical(["all"] * len(frame), categories=["all"])
        return ["group"], frame.assign(group=group).groupby("group", observed=False)
    return keys, frame.groupby(keys, dropna=False, observed=True, sort=True)


PANEL_KEYS = ("organ_id", "year")


def organ_year_panel(corpus: Corpus, *, cells: pd.DataFrame | None = None) -> pd.DataFrame:
    """Arrange the reports as a panel: one row per organ and year, organs linked across years.

    Args:
        corpus: frames from ``read_reports``, ``io.read_processed`` or ``simulate_corpus``.
        cells: a cells frame to use instead of ``corpus.cells`` (passed to :func:`report_panel`).

    Returns:
        ``organ_id`` (:func:`~govreports.stats.linkage.organ_ids`), ``year``, ``report_id``,
        ``reports_in_year``, ``duplicate``, ``previous_year`` and then every other column of
        :func:`report_panel`, sorted by organ, year and report. Two reports for one organ and year
        (two versions, two formats, a misread year) are kept as two rows, each with
        ``duplicate`` true and ``reports_in_year`` 2: never summed, and left to the analyst to
        choose between. ``previous_year`` is the organ's latest earlier year with a report
        (``<NA>`` for its first); a gap of more than one means missing years. Reports without a
        year are kept, last, with ``year``, ``reports_in_year`` and ``previous_year`` ``<NA>``:
        drop them before indexing on ``PANEL_KEYS``.

    >>> import govreports as gr
    >>> p = organ_year_panel(gr.read_reports("data/raw/putian"))
    >>> p.organ_id.nunique(), bool(p.duplicate.any())
    (14, False)
    >>> p.loc[p.organ_id == "350300:城管局", ["year", "report_id", "previous_year"]].values.tolist()
    [[2019, 'putian-002', <NA>], [2020, 'putian-001', 2019], [2022, 'putian-037', 2020], \
[2023, 'putian-003', 2022], [2025, 'putian-004', 2023]]
    """
    panel = report_panel(corpus, cells=cells)
    panel.insert(0, "organ_id", organ_ids(corpus.reports).to_numpy())
    panel = panel.sort_values(
        ["organ_id", "year", "report_id"], na_position="last", kind="stable", ignore_index=True
    )
    dated = panel["year"].notna()
    counts = panel.loc[dated].groupby(["organ_id", "year"])["report_id"].transform("size")
    panel["reports_in_year"] = counts.reindex(panel.index).astype("Int64")
    panel["duplicate"] = (panel["reports_in_year"] > 1).fillna(False).astype("boolean")
    years = panel.loc[dated, ["organ_id", "year"]].drop_duplicates()
    previous = dict(
        zip(
            zip(years["organ_id"], years["year"], strict=True),
            years.groupby("organ_id")["year"].shift(),
            strict=True,
        )
    )
    keys = zip(panel["organ_id"], panel["year"], dated, strict=True)
    panel["previous_year"] = pd.array([previous[(o, y)] if d else None for o, y, d in keys], dtype="Int16")
    first = ["organ_id", "year", "report_id", "reports_in_year", "duplicate", "previous_year"]
    return panel[first + [c for c in panel.columns if c not in first]]


CARRY_CHECK_ID = "XY.CARRY"
CARRY_KIND = "cross_year"
_CARRY_ROWS = ("carried_over", "carried_forward")


def carry_checks(
    corpus: Corpus,
    *,
    cells: pd.DataFrame | None = None,
    statuses: Sequence[str] = DECIDED_STATUSES,
) -> pd.DataFrame:
    """Check XY.CARRY: this year's 上年结转 equals last year's 结转下年度继续办理, 总计 column.

    Applications still open at the end of one year (``carried_forward``) are, by the template's
    own definitions, the applications carried over into the next (``carried_over``). The check
    compares the two for one organ (:func:`~govreports.stats.linkage.organ_ids`) in consecutive
    years.

    Args:
        corpus: frames from ``read_reports``, ``io.read_processed`` or ``simulate_corpus``.
        cells: a cells frame to use instead of ``corpus.cells``.
        statuses: the cell statuses whose value is used; by default the decided ones
            (``schema.DECIDED_STATUSES``): a value the report did not print is not compared.

    Returns:
        A frame with the columns and dtypes of ``corpus.checks`` (concatenate the two), one row
        per report with 表三 cells, ``report_id`` the later year's: ``check_id`` ``XY.CARRY``,
        ``kind`` ``cross_year``, ``table`` ``applications``, ``scope`` ``total``, ``formula``
        naming the previous year's report, ``lhs`` this year's ``carried_over``, ``rhs`` last
        year's ``carried_forward``, ``delta = lhs - rhs``. ``not_assessable`` when the organ has
        no report for the previous year, when either value is missing or not decided, when the
        previous year has two reports that disagree, or when one report is the organ's own and the
        other region-wide (``scope``); ``delta`` is then ``<NA>``.

    >>> import govreports as gr
    >>> checks = carry_checks(gr.read_reports("data/raw/putian"))
    >>> checks.status.value_counts().to_dict()
    {'not_assessable': 32, 'pass': 2, 'fail': 0}
    >>> checks.loc[checks.status == "pass", ["report_id", "formula"]].values.tolist()[0]
    ['putian-001', 'carried_over.total = carried_forward.total of putian-002 (2019)']
    """
    cells = corpus.cells if cells is None else cells
    reports = corpus.reports.reindex(columns=["report_id", "year", "scope"]).reset_index(drop=True)
    reports["organ_id"] = organ_ids(corpus.reports).to_numpy()
    part = _select(cells, "applications", "total")
    with_table = set(part["report_id"].astype(str))
    decided = cells.loc[part.index]
    decided = decided.loc[decided["status"].astype("string").isin(list(statuses)).fillna(False)]
    values = {row: _single_values(decided.loc[decided["row_key"] == row]) for row in _CARRY_ROWS}
    by_year: dict[tuple[str, int], list[tuple[str, str]]] = {}
    for report_id, year, scope, organ_id in reports.itertuples(index=False):
        if not pd.isna(year):
            by_year.setdefault((organ_id, int(year)), []).append((report_id, _scope_of(scope)))
    records = []
    for report_id, year, scope, organ_id in reports.itertuples(index=False):
        if report_id not in with_table:
            continue
        lhs = values["carried_over"].get(report_id)
        previous = [] if pd.isna(year) else by_year.get((organ_id, int(year) - 1), [])
        rhs = _agreed([values["carried_forward"].get(p) for p, _ in previous])
        if previous:
            named = "|".join(p for p, _ in previous)
            formula = f"carried_over.total = carried_forward.total of {named} ({int(year) - 1})"
        else:
            before = "the previous year" if pd.isna(year) else str(int(year) - 1)
            formula = f"carried_over.total = carried_forward.total of the organ's report for {before} (none)"
        scopes = {_scope_of(scope), *(s for _, s in previous)} - {"unknown"}
        if lhs is None or rhs is None or len(scopes) > 1:
            status, delta = "not_assessable", None
        else:
            delta = lhs - rhs
            status = "pass" if abs(delta) < 1e-9 else "fail"
        records.append(
            (report_id, CARRY_CHECK_ID, CARRY_KIND, "applications", "total", formula, lhs, rhs, delta, status)
        )
    return checks_frame(records)


def _single_values(part: pd.DataFrame) -> dict[str, float]:
    """Map report → value where its cell has one decided value (a table printed twice may give two)."""
    values = part.dropna(subset=["value"]).groupby("report_id")["value"]
    unique = values.nunique()
    first = values.first()
    return {str(r): float(first[r]) for r in unique.index[unique == 1]}


def _agreed(values: list[float | None]) -> float | None:
    """Return the one value all of the previous year's reports give, else ``None``."""
    if not values or any(v is None for v in values) or len(set(values)) != 1:
        return None
    return values[0]


def _scope_of(scope: object) -> str:
    return scope if isinstance(scope, str) else "unknown"
