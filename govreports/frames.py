"""Plain records → typed pandas frames, built once per report or once per corpus.

Parsing produces tuples (cheap to create and to send between processes); the frames with their
declared dtypes are built here, in one place, so every frame a user sees has the same columns
and dtypes whether it came from one report or from a corpus.

>>> cells_frame([]).dtypes["value"]
Float64Dtype()
"""

from __future__ import annotations

import pandas as pd

from govreports.schema import CELL_COLUMNS, STATUSES, TABLE_ORDER, TABLES
from govreports.validate import CHECK_COLUMNS

TABLE_DTYPE = pd.CategoricalDtype(TABLE_ORDER, ordered=True)
STATUS_DTYPE = pd.CategoricalDtype(STATUSES)
CHECK_STATUS_DTYPE = pd.CategoricalDtype(("pass", "fail", "not_assessable"))

_ROW_LABELS = {(t.key, r.key): r.label for t in TABLES.values() for r in t.rows}
_COL_LABELS = {(t.key, c.key): c.label for t in TABLES.values() for c in t.cols}

FIGURE_COLUMNS = ("report_id", "figure", "value", "unit", "sentence", "note")
FAILURE_COLUMNS = ("path", "stage", "error_type", "message")


def cells_frame(records: list[tuple]) -> pd.DataFrame:
    """Build the cells frame from ``(report_id, table, row, col, value, status, raw, source_ref)``."""
    report_id, table, row, col, value, status, raw, ref = _columns(records, 8)
    frame = pd.DataFrame(
        {
            "report_id": pd.array(report_id, dtype="string"),
            "table": pd.Categorical(table, dtype=TABLE_DTYPE),
            "row_key": pd.array(row, dtype="string"),
            "col_key": pd.array(col, dtype="string"),
            "value": pd.array(value, dtype="Float64"),
            "status": pd.Categorical(status, dtype=STATUS_DTYPE),
            "raw": pd.array(raw, dtype="string"),
            "row_label": pd.array([_ROW_LABELS[k] for k in zip(table, row, strict=True)], dtype="string"),
            "col_label": pd.array([_COL_LABELS[k] for k in zip(table, col, strict=True)], dtype="string"),
            "source_ref": pd.array(ref, dtype="string"),
        }
    )
    return frame[list(CELL_COLUMNS)]


def checks_frame(records: list[tuple]) -> pd.DataFrame:
    """Build the checks frame from records in the order of ``CHECK_COLUMNS``."""
    cols = _columns(records, len(CHECK_COLUMNS))
    data = dict(zip(CHECK_COLUMNS, cols, strict=True))
    frame = pd.DataFrame({name: pd.array(data[name], dtype="string") for name in CHECK_COLUMNS[:6]})
    for name in ("lhs", "rhs", "delta"):
        frame[name] = pd.array(data[name], dtype="Float64")
    frame["table"] = pd.Categorical(data["table"], dtype=TABLE_DTYPE)
    frame["status"] = pd.Categorical(data["status"], dtype=CHECK_STATUS_DTYPE)
    return frame


def figures_frame(records: list[tuple]) -> pd.DataFrame:
    """Build the frame from records ``(report_id, figure, value, unit, sentence, note)`` → figures."""
    cols = dict(zip(FIGURE_COLUMNS, _columns(records, len(FIGURE_COLUMNS)), strict=True))
    frame = pd.DataFrame({name: pd.array(cols[name], dtype="string") for name in FIGURE_COLUMNS})
    frame["value"] = pd.array(cols["value"], dtype="Float64")
    return frame


def failures_frame(records: list[tuple]) -> pd.DataFrame:
    """Build the frame from records ``(path, stage, error_type, message)`` → failures."""
    cols = _columns(records, len(FAILURE_COLUMNS))
    return pd.DataFrame({n: pd.array(c, dtype="string") for n, c in zip(FAILURE_COLUMNS, cols, strict=True)})


REPORT_DTYPES = {"year": "Int16", "stat_period_year": "Int16", "year_conflict": "boolean"}


def reports_frame(metas: list[dict]) -> pd.DataFrame:
    """One row per report: its metadata; text fields as ``string``, years as ``Int16``."""
    frame = pd.DataFrame.from_records(metas)
    for name in frame.columns:
        frame[name] = frame[name].astype(REPORT_DTYPES.get(name, "string"))
    return frame


def _columns(records: list[tuple], width: int) -> list[list]:
    if not records:
        return [[] for _ in range(width)]
    return [list(column) for column in zip(*records, strict=True)]
