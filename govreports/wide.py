"""Wide views: the official grids rebuilt from tidy cells, with the template's Chinese labels.

>>> import govreports as gr
>>> grid = gr.to_wide(gr.read_report("data/raw/002_5bfe4ddd4becc1ae.txt").cells, "active")
>>> int(grid.loc[("002_5bfe4ddd4becc1ae", "行政处罚"), "本年处理决定数量"])
27780
"""

from __future__ import annotations

import pandas as pd

from govreports.schema import TABLES


def to_wide(cells: pd.DataFrame, table: str = "applications") -> pd.DataFrame:
    """Pivot one table's cells to the printed grid: rows (report, row label) × column labels.

    Rows and columns keep template order; a cell the template does not have for that row is NA.
    """
    if table not in TABLES:
        raise ValueError(f"unknown table {table!r}; choose one of {sorted(TABLES)}")
    spec = TABLES[table]
    part = cells[cells["table"] == table]
    row_order = {r.label: i for i, r in enumerate(spec.rows)}
    col_order = [c.label for c in spec.cols if c.label in set(part["col_label"])]
    wide = part.pivot_table(
        index=["report_id", "row_label"], columns="col_label", values="value", aggfunc="first", dropna=False,
        observed=True,
    )  # fmt: skip
    wide = wide.reindex(columns=col_order)
    keys = sorted(wide.index, key=lambda k: (k[0], row_order.get(k[1], len(row_order))))
    wide = wide.loc[keys]
    wide.columns.name = None
    return wide
