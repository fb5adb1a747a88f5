"""Frames on disk: Parquet and CSV (UTF-8 with BOM, so Excel shows Chinese), and Stata.

>>> import tempfile, govreports as gr
>>> out = tempfile.mkdtemp()
>>> _ = write_corpus(gr.read_reports(["data/raw/003_2ef598b92a3120fd.txt"]), out)
>>> read_processed(out).cells.shape[0]
200
"""

from __future__ import annotations

import json
import os
import re
import uuid
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, TypedDict

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from govreports.corpus import FRAME_NAMES, Corpus
from govreports.schema import TABLES
from govreports.store import PARTITIONED, read_dataset


def write_corpus(corpus: Corpus, out_dir: str | os.PathLike[str]) -> list[Path]:
    """Write each frame of an in-memory corpus as ``<name>.parquet`` and ``<name>.csv``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in corpus.frames().items():
        parquet, csv = out / f"{name}.parquet", out / f"{name}.csv"
        frame.to_parquet(parquet, index=False)
        frame.to_csv(csv, index=False, encoding="utf-8-sig")
        written += [parquet, csv]
    return written


def read_processed(out_dir: str | os.PathLike[str]) -> Corpus:
    """Read processed data: a dataset written by ``govreports parse`` or by :func:`write_corpus`."""
    out = Path(out_dir)
    if (out / "_ledger").is_dir():
        return read_dataset(out)
    return Corpus(**{name: pd.read_parquet(out / f"{name}.parquet") for name in FRAME_NAMES})


def export_csv(
    out_dir: str | os.PathLike[str], *, only_if_changed: bool = False, workers: int = 1
) -> list[Path]:
    """Write ``<frame>.csv`` beside a partitioned dataset, part by part (memory stays flat).

    Each CSV lists the rows of the dataset's Parquet parts one part after another; a hidden
    index beside them (``.csv-index/``) records which part, as of which size and modification
    time, is at which bytes. With ``only_if_changed``, a rerun does only what changed: a CSV
    whose parts are unchanged is left alone, new parts are appended, and when parts changed or
    left, the CSV is rewritten by copying the bytes of the rows that remain (in the kernel, no
    formatting) and formatting only new rows. Without it every CSV is written afresh. ``workers``
    processes format the rows when there are many. Return the CSV files written.
    """
    out = Path(out_dir)
    index = _read_csv_index(out) if only_if_changed else {}
    written: list[Path] = []
    entries: dict[str, _CsvEntry] = {}
    for name in FRAME_NAMES:
        target = out / f"{name}.csv"
        parts = _csv_parts(out, name)
        if parts is None:
            target.unlink(missing_ok=True)  # the frame's last rows left the dataset
            continue
        entries[name], changed = _update_csv(out, name, parts, _valid_entry(index.get(name), target), workers)
        if changed:
            written.append(target)
    if written or entries != index or not (out / _CSV_INDEX / _INDEX_FILE).exists():
        _write_csv_index(out, entries)
    (out / _CSV_STAMP).unlink(missing_ok=True)
    return written


# Beside the CSV copies: the index of their parts (_INDEX_FILE) and, per part, the byte ends of
# its runs of rows of one report (of one path in failures), which lets a part that lost rows be
# copied without them instead of formatted again.
_CSV_INDEX = ".csv-index"
_INDEX_FILE = "index.json"
_CSV_STAMP = ".csv-source"  # what older versions wrote instead of the index
_CSV_ROWS = 50_000  # rows formatted at a time: memory stays flat however large a part is
_POOL_ROWS = 200_000  # below this many rows to format, worker processes cost more than they save
_BOM = "\ufeff".encode()


@dataclass(frozen=True)
class _Part:
    """One Parquet part of a frame: its path below the dataset folder, size and modification time."""

    rel: str
    size: int
    mtime_ns: int

    @property
    def year(self) -> str | None:
        """The partition's year (as its folder names it), or None for an unpartitioned frame."""
        folder = self.rel.split("/")[-2]
        return folder.removeprefix("year=") if folder.startswith("year=") else None


class _CsvEntry(TypedDict):
    """A CSV in the index: its columns, size and modification time, and where each part's rows are."""

    columns: list[str]
    size: int
    mtime_ns: int
    parts: list[list[Any]]  # per part a JSON array: [rel, size, mtime_ns, start, end]


class _Runs(TypedDict):
    """A part's runs of rows of one key (report id, or path in failures): key, rows, byte end of each."""

    keys: list[str | None]
    rows: list[int]
    ends: list[int]


# A part as the CSV will list it: the old bytes to copy (None: format it) and its runs where known.
_Step = tuple[_Part, list[tuple[int, int]] | None, _Runs | None]


def _csv_parts(out: Path, name: str) -> list[_Part] | None:
    """List a frame's Parquet parts in path order (None when the frame has no folder)."""
    folder = out / name
    if not folder.is_dir():
        return None
    parts = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = [d for d in dirnames if not d.startswith((".", "_"))]
        for file in filenames:
            if file.endswith(".parquet") and not file.startswith((".", "_")):
                info = os.stat(os.path.join(dirpath, file))
                rel = Path(dirpath, file).relative_to(out).as_posix()
                parts.append(_Part(rel, info.st_size, info.st_mtime_ns))
    return sorted(parts, key=lambda p: p.rel)


def _read_csv_index(out: Path) -> dict[str, _CsvEntry]:
    try:
        index = json.loads((out / _CSV_INDEX / _INDEX_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    entries: dict[str, _CsvEntry] = index.get("frames", {}) if index.get("version") == 1 else {}
    return entries


def _write_csv_index(out: Path, entries: dict[str, _CsvEntry]) -> None:
    folder = out / _CSV_INDEX
    folder.mkdir(exist_ok=True)
    temporary = folder / f"{_INDEX_FILE}.tmp"
    temporary.write_text(json.dumps({"version": 1, "frames": entries}), encoding="utf-8")
    os.replace(temporary, folder / _INDEX_FILE)
    # The runs of parts that left the dataset.
    live = {seg[0] for entry in entries.values() for seg in entry["parts"]}
    for runs in folder.rglob("*.parquet.json"):
        if runs.relative_to(folder).as_posix().removesuffix(".json") not in live:
            runs.unlink()


def _valid_entry(entry: _CsvEntry | None, target: Path) -> _CsvEntry | None:
    """Return the index entry of a CSV when the file is still the one it describes."""
    try:
        info = target.stat()
    except OSError:
        return None
    if entry and (entry.get("size"), entry.get("mtime_ns")) == (info.st_size, info.st_mtime_ns):
        return entry
    return None


def _update_csv(
    out: Path, name: str, parts: list[_Part], entry: _CsvEntry | None, workers: int
) -> tuple[_CsvEntry, bool]:
    """Bring one CSV up to date with its parts; return its index entry and whether it was written."""
    key = "path" if name == "failures" else "report_id"
    plan, dropped = _csv_plan(out, parts, entry, key)
    formats = [step[0] for step in plan if step[1] is None]
    columns = entry["columns"] if entry else _csv_columns(out, name, parts)
    if entry and formats and not set(_csv_columns(out, name, formats)) <= set(columns):
        # A part with a column the CSV does not have: write it afresh with every column.
        entry, columns = None, _csv_columns(out, name, parts)
        plan, dropped = _csv_plan(out, parts, None, key)
    if entry and not formats and not dropped:
        return entry, False
    target = out / f"{name}.csv"
    kept = sum(ranges is not None for _, ranges, _ in plan)
    if entry and all(ranges is not None for _, ranges, _ in plan[:kept]):
        # The rows kept come before the new ones: rewrite the file in place from its first change,
        # moving the rows kept back over those that left, then adding the new ones (only new ones:
        # an append). Cut short, it no longer matches the index and is written afresh next time.
        body = entry["parts"][0][3] if entry["parts"] else entry["size"]
        with open(target, "r+b") as handle:
            handle.seek(body)
            segments = _write_parts(out, handle, plan, columns, key, workers, handle)
            handle.truncate()
    else:
        temporary = out / f".{name}.csv.tmp"
        with open(temporary, "wb") as handle:
            handle.write(_BOM + pd.DataFrame(columns=columns).to_csv(index=False).encode())
            source = open(target, "rb") if kept else None  # noqa: SIM115 - closed below
            try:
                segments = _write_parts(out, handle, plan, columns, key, workers, source)
            finally:
                if source:
                    source.close()
        os.replace(temporary, target)
    info = target.stat()
    return {"columns": columns, "size": info.st_size, "mtime_ns": info.st_mtime_ns, "parts": segments}, True


def _csv_plan(out: Path, parts: list[_Part], entry: _CsvEntry | None, key: str) -> tuple[list[_Step], bool]:
    """Order the parts as the CSV will list them, each with the old bytes to copy (None: format).

    Parts keep their place; new ones go last. A part that lost rows (a file changed or left)
    is copied without them when its runs show which bytes they were. Also return whether a part
    left the CSV or changed.
    """
    if entry is None:
        return [(part, None, None) for part in parts], False
    current = {part.rel: part for part in parts}
    plan: list[_Step] = []
    dropped = False
    for rel, size, mtime_ns, start, end in entry["parts"]:
        part = current.pop(rel, None)
        if part is None:
            dropped = True
        elif (part.size, part.mtime_ns) == (size, mtime_ns):
            plan.append((part, [(start, end)], None))
        else:
            dropped = True
            plan.append((part, *(_remaining(out, part, (size, mtime_ns, start), key) or (None, None))))
    return plan + [(part, None, None) for part in sorted(current.values(), key=lambda p: p.rel)], dropped


def _remaining(
    out: Path, part: _Part, held: tuple[int, int, int], key: str
) -> tuple[list[tuple[int, int]], _Runs] | None:
    """Find the old bytes of the rows that remain in a part, and its new runs (None: format it again).

    ``held`` is the size and modification time of the part the CSV holds, and where its bytes
    start: the runs on file must be that part's.
    """
    size, mtime_ns, start = held
    try:
        old = json.loads((out / _CSV_INDEX / f"{part.rel}.json").read_text(encoding="utf-8"))
        if old["part"] != [size, mtime_ns]:
            return None
        keys, rows = _runs(pq.read_table(out / part.rel, columns=[key]).column(key))
    except (OSError, ValueError, KeyError, pa.ArrowException):
        return None
    ranges: list[tuple[int, int]] = []
    runs: _Runs = {"keys": [], "rows": [], "ends": []}
    j = 0
    for k, n in zip(keys, rows, strict=True):
        while j < len(old["keys"]) and old["keys"][j] != k:
            j += 1
        if j == len(old["keys"]) or old["rows"][j] != n:
            return None  # not the old rows less some: format the part again
        begin = old["ends"][j - 1] if j else 0
        ranges.append((start + begin, start + old["ends"][j]))
        length = old["ends"][j] - begin
        runs["keys"].append(k)
        runs["rows"].append(n)
        runs["ends"].append((runs["ends"][-1] if runs["ends"] else 0) + length)
        j += 1
    return ranges, runs


def _runs(column: pa.ChunkedArray | pa.Array) -> tuple[list[str | None], list[int]]:
    """Split a key column into runs of equal values: each run's value and length."""
    n = len(column)
    if n == 0:
        return [], []
    change = pc.fill_null(pc.not_equal(column[1:], column[:-1]), True)
    starts = np.concatenate([[0], np.flatnonzero(change.to_numpy(zero_copy_only=False)) + 1])
    return column.take(pa.array(starts)).to_pylist(), np.diff(np.append(starts, n)).tolist()


def _csv_columns(out: Path, name: str, parts: list[_Part]) -> list[str]:
    """List the CSV's columns: the parts' columns in order of appearance.

    Parts in hive folders (``year=2023``, as written before years were a column) add the
    folder's year as the last column.
    """
    columns: dict[str, None] = {}
    for part in parts:
        columns.update(
            dict.fromkeys(n for n in pq.read_schema(out / part.rel).names if not n.startswith("__"))
        )
    if not parts:
        columns.update(dict.fromkeys(_empty_frame(name).columns))
    if name in PARTITIONED and any(part.year is not None for part in parts):
        columns.pop("year", None)
        return [*columns, "year"]
    return list(columns)


def _empty_frame(name: str) -> pd.DataFrame:
    from govreports.corpus import parse_batch

    frame: pd.DataFrame = getattr(parse_batch([]), name)
    return frame


def _write_parts(
    out: Path,
    handle: BinaryIO,
    plan: list[_Step],
    columns: list[str],
    key: str,
    workers: int,
    source: BinaryIO | None,
) -> list[list[Any]]:
    """Write the planned parts in order (copied or formatted); return their index segments."""
    formats = [part for part, ranges, _ in plan if ranges is None]
    rows = sum(pq.read_metadata(out / part.rel).num_rows for part in formats) if workers > 1 else 0
    pool = ProcessPoolExecutor(min(workers, len(formats))) if rows > _POOL_ROWS else None
    try:
        pending = {
            part.rel: pool.submit(_format_to_file, out, part, columns, key) for part in formats
        } if pool else {}  # fmt: skip
        segments: list[list[Any]] = []
        for part, ranges, runs in plan:
            start = handle.tell()
            if ranges is not None:
                assert source is not None  # bytes are copied only where the old CSV is open
                for begin, end in _merged(ranges):
                    _copy_range(source, handle, begin, end)
            elif part.rel in pending:
                formatted, runs = pending.pop(part.rel).result()
                with open(formatted, "rb") as piece:
                    _copy_range(piece, handle, 0, os.fstat(piece.fileno()).st_size)
                os.unlink(formatted)
            else:
                runs = _format_part(out / part.rel, part.year, columns, key, handle)
            if ranges is None or runs is not None:  # not a part copied as it was
                _write_runs(out, part, runs)
            segments.append([part.rel, part.size, part.mtime_ns, start, handle.tell()])
        return segments
    finally:
        if pool:
            pool.shutdown(cancel_futures=True)


def _merged(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for begin, end in ranges:
        if merged and merged[-1][1] == begin:
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((begin, end))
    return merged


def _copy_range(source: BinaryIO, target: BinaryIO, begin: int, end: int) -> None:
    """Copy bytes [begin, end) of an open file to where another stands, in the kernel when it can.

    ``source`` may be ``target`` itself, when ``target`` stands at or before ``begin``: the bytes
    move back, as a file rewritten in place loses rows.
    """
    target.flush()
    at = target.tell()
    if source is target and at == begin:  # already where they belong
        target.seek(end)
        return
    while begin < end:
        copied = 0
        if source is not target:
            try:
                copied = os.copy_file_range(source.fileno(), target.fileno(), end - begin, begin, at)
            except OSError:
                copied = 0
        if copied == 0:  # within one file, or not supported here: read and write
            chunk = os.pread(source.fileno(), min(end - begin, 1 << 24), begin)
            if not chunk:
                raise OSError(f"{source.name}: shorter than the CSV index says")
            copied = os.pwrite(target.fileno(), chunk, at)
        begin += copied
        at += copied
    target.seek(at)


def _write_runs(out: Path, part: _Part, runs: _Runs | None) -> None:
    """Keep a part's runs beside the CSV, stamped with the part they describe (None: remove them)."""
    path = out / _CSV_INDEX / f"{part.rel}.json"
    if runs is None:
        path.unlink(missing_ok=True)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"part": [part.size, part.mtime_ns], **runs}), encoding="utf-8")


def _format_to_file(out: Path, part: _Part, columns: list[str], key: str) -> tuple[str, _Runs | None]:
    """Format one part into a file of its own (in a worker process); return the file and the runs."""
    folder = out / _CSV_INDEX
    folder.mkdir(exist_ok=True)
    path = folder / f"tmp-{uuid.uuid4().hex}.csv"
    with open(path, "wb") as handle:
        return str(path), _format_part(out / part.rel, part.year, columns, key, handle)


def _format_part(
    path: Path, year: str | None, columns: list[str], key: str, handle: BinaryIO
) -> _Runs | None:
    """Write a part's rows as CSV lines, some at a time; return the byte ends of its runs of one key.

    The runs are None when a row's line breaks cannot be told apart (then the part is formatted
    again, not copied, when it loses rows).
    """
    runs: _Runs | None = {"keys": [], "rows": [], "ends": []}
    written = 0
    for batch in pq.ParquetFile(path).iter_batches(batch_size=_CSV_ROWS):
        formatted = _csv_rows(batch, year, columns)
        if formatted is None:  # a value only pandas writes as pandas does
            frame = batch.to_pandas()
            if year is not None:
                frame["year"] = year
            if list(frame.columns) != columns:
                frame = frame.reindex(columns=columns)
            data = frame.to_csv(index=False, header=False).encode()
            ends = _row_ends(batch, data)
        else:
            data, ends = formatted
        handle.write(data)
        runs = None if runs is None or ends is None else _add_runs(runs, batch.column(key), ends + written)
        written += len(data)
    return runs


def _csv_rows(
    batch: pa.RecordBatch, year: str | None, columns: list[str]
) -> tuple[bytes, npt.NDArray[np.int64]] | None:
    """Format rows in Arrow exactly as pandas' ``to_csv`` does, several times faster; and where each ends.

    Text is quoted as Python's csv module quotes it (when it holds a comma, a quote or a line
    feed; quotes doubled); a float is written as Python writes it (``27780.0``, ``1e+16``);
    booleans as ``True`` and ``False``; a missing value as nothing. None when a value is of a
    kind left to pandas (a carriage return, a NaN that is not missing, another type).
    """
    n = batch.num_rows
    if n == 0:
        return b"", np.zeros(0, dtype=np.int64)
    fields = []
    for name in columns:
        if name == "year" and year is not None:
            text = _text(year)
            if _QUOTED.search(year) or "\r" in year:
                return None
        elif name not in batch.schema.names:
            text = _text("")
        else:
            text = _csv_field(batch.column(name))
            if text is None:
                return None
        fields.append(text)
    if not any(isinstance(f, pa.Array) for f in fields):
        return None
    rows = pc.binary_join_element_wise(*fields, _text(","), null_handling="replace", null_replacement="")
    rows = pc.binary_join_element_wise(rows, _text(""), _text("\n"))
    offsets = np.frombuffer(rows.buffers()[1], dtype=np.int64)[rows.offset : rows.offset + n + 1]
    data = rows.buffers()[2].to_pybytes()[offsets[0] : offsets[-1]]
    return data, offsets[1:] - offsets[0]


_QUOTED = re.compile('[,"\n]')  # what makes the csv module quote a field (delimiter, quote, line end)


def _text(value: str | None) -> pa.Scalar:
    return pa.scalar(value, pa.large_string())


def _csv_field(column: pa.Array) -> pa.Array | None:
    """Format one column's values as CSV fields (None: leave the column to pandas)."""
    kind = column.type
    if pa.types.is_dictionary(kind):
        column = column.dictionary_decode()
        kind = column.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        column = column.cast(pa.large_string())
        if not pc.any(pc.match_substring_regex(column, '[,"\n\r]')).as_py():
            return column  # most text: nothing to quote
        # The csv module's rule for a lone carriage return is not the same in every Python.
        if pc.any(pc.match_substring(column, "\r")).as_py():
            return None
        quote = pc.match_substring_regex(column, _QUOTED.pattern)
        if pc.any(quote).as_py():
            doubled = pc.replace_substring(column, '"', '""')
            column = pc.if_else(
                quote, pc.binary_join_element_wise(_text('"'), doubled, _text('"'), _text("")), column
            )
        return column
    if pa.types.is_integer(kind) or pa.types.is_null(kind):
        return column.cast(pa.large_string())
    if pa.types.is_boolean(kind):
        return pc.if_else(column, _text("True"), _text("False"))
    if pa.types.is_float64(kind):
        return _csv_floats(column)
    return None


def _csv_floats(column: pa.Array) -> pa.Array | None:
    """Write floats as Python does: ``1470.0``; ``1e+16``, ``1e-05`` and the like through ``repr``."""
    values = column.to_numpy(zero_copy_only=False)  # a missing value as NaN
    present = ~column.is_null().to_numpy(zero_copy_only=False)
    if np.isnan(values[present]).any():
        return None
    with np.errstate(invalid="ignore"):
        whole = present & (np.abs(values) < 1e16) & (np.floor(values) == values)
    whole &= ~((values == 0) & np.signbit(values))  # -0.0
    digits = pa.array(np.where(whole, values, 0).astype(np.int64)).cast(pa.large_string())
    text = pc.binary_join_element_wise(digits, _text(".0"), _text(""))
    others: list[str | None] = [None] * len(values)
    for i in np.flatnonzero(present & ~whole):
        others[i] = repr(float(values[i]))
    return pc.if_else(pa.array(whole), text, pa.array(others, pa.large_string()))


def _row_ends(batch: pa.RecordBatch, data: bytes) -> npt.NDArray[np.intp] | None:
    """Find where each row of pandas' CSV text ends: a line, and one more per line feed in its text."""
    lines = np.ones(batch.num_rows, dtype=np.int64)
    for column in batch.columns:
        if pa.types.is_dictionary(column.type):
            column = column.dictionary_decode()
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            lines += pc.fill_null(pc.count_substring(column, "\n"), 0).to_numpy(zero_copy_only=False)
        elif not (pa.types.is_floating(column.type) or pa.types.is_integer(column.type)
                  or pa.types.is_boolean(column.type) or pa.types.is_null(column.type)):  # fmt: skip
            return None
    breaks = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10)
    if len(breaks) != lines.sum():
        return None
    ends: npt.NDArray[np.intp] = breaks[np.cumsum(lines) - 1] + 1
    return ends


def _add_runs(runs: _Runs, keys_column: pa.Array, row_ends: npt.NDArray[np.integer[Any]]) -> _Runs:
    """Add a formatted batch's runs of one key, with the byte offset where each ends."""
    if len(keys_column) == 0:
        return runs
    keys, rows = _runs(keys_column)
    ends = row_ends[np.cumsum(rows) - 1].tolist()
    if runs["keys"] and runs["keys"][-1] == keys[0]:  # a run continued from the last batch
        runs["rows"][-1] += rows[0]
        runs["ends"][-1] = ends[0]
        keys, rows, ends = keys[1:], rows[1:], ends[1:]
    runs["keys"] += keys
    runs["rows"] += rows
    runs["ends"] += ends
    return runs


def export_stata(out_dir: str | os.PathLike[str], target: str | os.PathLike[str]) -> Path:
    """Write one row per report with every template cell as a variable, each variable labelled.

    Variable names are short (Stata allows 32 characters): ``t2_``/``t3_``/``t4_`` for 表二/三/四,
    the row's position in the template and the column key, e.g. ``t3_r01_total`` for 一、本年新收…
    总计. The label holds the official row and column labels. Values are ``cells.value`` as
    doubles: Stata's missing ``.`` where no number was read or the report has no such cell.

    Each value is followed by its status, ``<var>_st`` (e.g. ``t3_r01_total_st``): a byte with a
    value label, ``0`` for ``ok`` (read as written), another code for each reason a cell is
    flagged (``blank``, ``split``, ``ambiguous``…; ``label list t3_r01_total_st`` shows them),
    ``.`` where the report has no such cell. So ``tab t3_r01_total_st`` counts a cell's statuses
    and ``replace t3_r01_total = . if t3_r01_total_st != 0`` keeps only values read as written.
    ``n_flagged`` counts the report's cells whose status is not ``ok``; the cells frame says why.

    The report's variables: ``report_id``, ``organ``, ``template``, ``level``, ``organ_type``,
    ``adcode`` and ``scope`` are strings (Stata has no other missing string than ``""``, which
    ``missing()`` recognises); ``year`` and ``n_flagged`` are integers, ``.`` when unknown.
    """
    corpus = read_processed(out_dir)
    cells = corpus.cells
    names, labels = _stata_names()
    var = [names[k] for k in zip(cells.table, cells.row_key, cells.col_key, strict=True)]
    statuses = ["ok", *(s for s in cells.status.cat.categories if s != "ok")]
    keyed = cells.assign(var=var, code=cells.status.cat.set_categories(statuses).cat.codes)
    wide = keyed.pivot_table(
        index="report_id",
        columns="var",
        values=["value", "code"],
        aggfunc="first",
        observed=True,
        dropna=False,
    )
    flagged = cells[cells.status != "ok"].groupby("report_id", observed=True).size().rename("n_flagged")
    meta = corpus.reports.set_index("report_id")[
        [c for c in _STATA_REPORT if c not in ("report_id", "n_flagged")]
    ]
    table = meta.join(flagged).reset_index()
    table["n_flagged"] = table["n_flagged"].fillna(0).astype("int16")
    table["year"] = table["year"].astype("Int16")
    for column in ("report_id", "organ", "template", "level", "organ_type", "adcode", "scope"):
        table[column] = table[column].astype(object).where(table[column].notna(), "")
    variables = sorted(set(wide.columns.get_level_values("var")))
    found = wide.reindex(table.report_id)
    columns: dict[str, npt.NDArray[np.float64] | pd.Categorical] = {}
    variable_labels = dict(_STATA_REPORT)
    for name in variables:
        columns[name] = found["value", name].astype("float64").to_numpy()
        codes = found["code", name].fillna(-1).astype("int64").to_numpy()
        # pandas takes any list-like as categories; pandas-stubs accepts only an Index.
        columns[f"{name}_st"] = pd.Categorical.from_codes(codes, categories=statuses)  # type: ignore[call-overload]
        variable_labels[name] = labels[name]
        variable_labels[f"{name}_st"] = f"状态 {labels[name]}"[:80]
    table = pd.concat([table, pd.DataFrame(columns, index=table.index)], axis=1)
    path = Path(target)
    table.to_stata(path, write_index=False, version=118, variable_labels=variable_labels)
    return path


# The report's variables in the Stata file, with their labels.
_STATA_REPORT = {
    "report_id": "报告编号",
    "organ": "机关",
    "year": "报告年度",
    "template": "表格模板",
    "level": "行政级别",
    "organ_type": "机关类型",
    "adcode": "行政区划代码",
    "scope": "报告范围",
    "n_flagged": "标记的单元格数",
}


def _stata_names() -> tuple[dict[tuple[str, str, str], str], dict[str, str]]:
    prefixes = {"active": "t2", "applications": "t3", "appeals": "t4"}
    names: dict[tuple[str, str, str], str] = {}
    labels: dict[str, str] = {}
    for key, spec in TABLES.items():
        for position, row in enumerate(spec.rows, 1):
            for col in spec.cols:
                name = f"{prefixes[key]}_r{position:02d}_{col.key}"
                names[(key, row.key, col.key)] = name
                labels[name] = f"{spec.label.split()[0]} {row.label} {col.label}"[:80]
    return names, labels
