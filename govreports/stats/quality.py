"""Data-quality tables: input files, cell statuses, identity checks, template comparability."""

from __future__ import annotations

import pandas as pd

from govreports.corpus import Corpus
from govreports.schema import ACTIVE


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
