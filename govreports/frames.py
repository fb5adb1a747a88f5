"""Plain records → typed pandas frames, built once per report or once per corpus.

Parsing produces tuples (cheap to create and to send between processes); the frames with their
declared dtypes are built here, in one place, so every frame a user sees has the same columns
and dtypes whether it came from one report or from a corpus.

>>> cells_frame([]).dtypes["value"]
Float64Dtype()
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from operator import itemgetter
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa

from govreports.metadata import KEYS as METADATA_KEYS
from govreports.schema import CELL_COLUMNS, STATUSES, TABLE_ORDER, TABLES
from govreports.validate import CHECK_COLUMNS

TABLE_DTYPE = pd.CategoricalDtype(list(TABLE_ORDER), ordered=True)
STATUS_DTYPE = pd.CategoricalDtype(list(STATUSES))
CHECK_STATUS_DTYPE = pd.CategoricalDtype(["pass", "fail", "not_assessable"])
STRING_DTYPE = pd.StringDtype("pyarrow")

# Every (table, row, col) of the templates, numbered: a cell's table, keys and labels are taken
# from these arrays by its number, in one vectorised step per column.
_CELL_KEYS = [(t.key, r.key, c.key) for t in TABLES.values() for r in t.rows for c in t.cols]
_CELL_INDEX: dict[str, dict[str, dict[str, int]]] = {}  # table → row → col → number
for _i, (_table, _row, _col) in enumerate(_CELL_KEYS):
    _CELL_INDEX.setdefault(_table, {}).setdefault(_row, {})[_col] = _i
_ROW_LABELS = {(t.key, r.key): r.label for t in TABLES.values() for r in t.rows}
_COL_LABELS = {(t.key, c.key): c.label for t in TABLES.values() for c in t.cols}
_CELL_TABLES = np.array([TABLE_ORDER.index(t) for t, _, _ in _CELL_KEYS], dtype=np.int8)
_CELL_ROWS = pa.array([r for _, r, _ in _CELL_KEYS], pa.large_string())
_CELL_COLS = pa.array([c for _, _, c in _CELL_KEYS], pa.large_string())
_CELL_ROW_LABELS = pa.array([_ROW_LABELS[t, r] for t, r, _ in _CELL_KEYS], pa.large_string())
_CELL_COL_LABELS = pa.array([_COL_LABELS[t, c] for t, _, c in _CELL_KEYS], pa.large_string())

# A record is one row as a plain tuple; its fields differ by frame (strings, floats or None, flags).
_Rows = Sequence[tuple[Any, ...]]

FIGURE_COLUMNS = ("report_id", "figure", "value", "unit", "sentence", "note")
FAILURE_COLUMNS = ("path", "stage", "error_type", "message")
DUPLICATE_COLUMNS = ("kind", "path", "duplicate_of")


def cells_frame(records: _Rows) -> pd.DataFrame:
    """Build the cells frame from records in the order of ``CELL_COLUMNS`` without the labels.

    That is ``(report_id, table, row, col, value, status, raw, source_ref, in_failed_check)``.
    """
    n = len(records)
    # The cell's number (a KeyError for a cell no template has), then each column by position.
    index = _CELL_INDEX
    cell = np.fromiter([index[r[1]][r[2]][r[3]] for r in records], dtype=np.intp, count=n)
    taken = pa.array(cell, pa.int64())
    report_id, value, status, raw, ref, failed = (_column(records, i) for i in (0, 4, 5, 6, 7, 8))
    frame = pd.DataFrame(
        {
            "report_id": _strings(report_id),
            "table": pd.Categorical.from_codes(_CELL_TABLES[cell], dtype=TABLE_DTYPE),
            "row_key": _taken(_CELL_ROWS, taken),
            "col_key": _taken(_CELL_COLS, taken),
            "value": _floats(value),
            "status": _categorical(status, STATUS_DTYPE),
            "raw": _strings(raw),
            "row_label": _taken(_CELL_ROW_LABELS, taken),
            "col_label": _taken(_CELL_COL_LABELS, taken),
            "source_ref": _strings(ref),
            "in_failed_check": _booleans(failed),
        }
    )
    return frame[list(CELL_COLUMNS)]


def _column(records: _Rows, index: int) -> list[Any]:
    return list(map(itemgetter(index), records))


def _taken(values: pa.Array, indices: pa.Array) -> pd.api.extensions.ExtensionArray:
    taken: pd.api.extensions.ExtensionArray = pd.array(values.take(indices), dtype=STRING_DTYPE)
    return taken


def _booleans(values: list[Any]) -> pd.api.extensions.ExtensionArray:
    if not set(values) <= {True, False}:  # missing values: pandas reads them as NA
        return pd.array(values, dtype="boolean")
    flags = np.fromiter(values, dtype=bool, count=len(values))
    return pd.arrays.BooleanArray(flags, np.zeros(len(values), dtype=bool))


# pandas builds these dtypes from Python lists an order of magnitude slower than pyarrow does,
# and a corpus frame has millions of rows.
def _strings(values: list[Any]) -> pd.api.extensions.ExtensionArray:
    strings: pd.api.extensions.ExtensionArray = pd.array(pa.array(values, pa.string()), dtype=STRING_DTYPE)
    return strings


def _floats(values: list[Any]) -> pd.api.extensions.ExtensionArray:
    floats: pd.api.extensions.ExtensionArray = (
        pd.Series(pa.array(values, pa.float64())).astype("Float64").array
    )
    return floats


def _categorical(values: list[Any], dtype: pd.CategoricalDtype) -> pd.Categorical:
    index = {category: code for code, category in enumerate(dtype.categories)}
    codes = np.fromiter(map(index.__getitem__, values), dtype=np.int16, count=len(values))
    return pd.Categorical.from_codes(codes, dtype=dtype)


def checks_frame(records: _Rows) -> pd.DataFrame:
    """Build the checks frame from records in the order of ``CHECK_COLUMNS``."""
    cols = _columns(records, len(CHECK_COLUMNS))
    data = dict(zip(CHECK_COLUMNS, cols, strict=True))
    frame = pd.DataFrame({name: _strings(data[name]) for name in CHECK_COLUMNS[:6]})
    for name in ("lhs", "rhs", "delta"):
        frame[name] = _floats(data[name])
    frame["table"] = _categorical(data["table"], TABLE_DTYPE)
    frame["status"] = _categorical(data["status"], CHECK_STATUS_DTYPE)
    return frame


def figures_frame(records: _Rows) -> pd.DataFrame:
    """Build the frame from records ``(report_id, figure, value, unit, sentence, note)`` → figures."""
    cols = dict(zip(FIGURE_COLUMNS, _columns(records, len(FIGURE_COLUMNS)), strict=True))
    frame = pd.DataFrame({name: _strings(cols[name]) for name in FIGURE_COLUMNS if name != "value"})
    # pandas takes any array-like here; pandas-stubs leave ExtensionArray out of the accepted types.
    frame.insert(2, "value", _floats(cols["value"]))  # type: ignore[arg-type]
    return frame


def failures_frame(records: _Rows) -> pd.DataFrame:
    """Build the frame from records ``(path, stage, error_type, message)`` → failures."""
    cols = _columns(records, len(FAILURE_COLUMNS))
    return pd.DataFrame({n: _strings(c) for n, c in zip(FAILURE_COLUMNS, cols, strict=True)})


def duplicates_frame(records: _Rows) -> pd.DataFrame:
    """Build the duplicates frame from ``(kind, path, duplicate_of)`` records."""
    cols = _columns(records, len(DUPLICATE_COLUMNS))
    return pd.DataFrame({n: _strings(c) for n, c in zip(DUPLICATE_COLUMNS, cols, strict=True)})


REPORT_DTYPES: dict[str, Literal["Int16", "boolean"]] = {
    "year": "Int16",
    "stat_period_year": "Int16",
    "year_conflict": "boolean",
    "values_read": "Int16",
    "values_flagged": "Int16",
}


REPORT_COLUMNS = (
    "report_id",
    "path",
    *METADATA_KEYS,
    "template",
    "tables_found",
    "values_read",
    "values_flagged",
    "parse_notes",
    "format",
    "encoding",
    "sha256",
    "source_url",
    "published",
)


def reports_frame(metas: Sequence[Mapping[str, object]]) -> pd.DataFrame:
    """One row per report: its metadata; text fields as ``string``, years as ``Int16``."""
    frame = pd.DataFrame.from_records(metas, columns=list(REPORT_COLUMNS))
    for name in frame.columns:
        frame[name] = frame[name].astype(REPORT_DTYPES.get(name, STRING_DTYPE))
    return frame


def _columns(records: _Rows, width: int) -> list[list[Any]]:
    return [_column(records, i) for i in range(width)]
