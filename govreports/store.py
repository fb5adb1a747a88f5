"""A corpus on disk: Parquet parts partitioned by year, written as batches finish, reparsed only when needed.

:func:`build` parses a folder into ``out_dir`` and can be rerun at will: a file is parsed again
only when its content (sha256) or the code that parses its format changed, so a parser upgrade
invalidates exactly the reports it may change. Memory stays flat in the number of reports: each
batch is written as soon as it is parsed. An interrupted run resumes where it stopped.

Layout of ``out_dir`` (each frame's folder reads as one table with pandas' ``read_parquet``,
DuckDB's ``read_parquet('reports/*/*.parquet')`` and R's ``arrow::open_dataset``)::

    reports/2023/part-<batch>.parquet        and likewise cells/, checks/, figures/; a folder per
                                             year (``unknown``: no year read). The folder names
                                             are not hive's ``year=2023``: ``year`` is a column of
                                             the reports' parts (``Int16``), and every part has the
                                             columns and types of the frame in memory
    failures/part-<batch>.parquet            files that could not be parsed, with the reason
    duplicates.parquet                       same-content files, other forms of a fetched report,
                                             and same organ-and-year reports
    _ledger/part-<batch>.parquet             which file, content and parser made which rows

>>> import tempfile
>>> out = tempfile.mkdtemp()
>>> build("data/raw", out).reused
0
>>> build("data/raw", out).reused == len(list_inputs("data/raw"))
True
"""

from __future__ import annotations

import ast
import hashlib
import importlib.metadata
import importlib.util
import os
import stat
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from tqdm import tqdm

from govreports import frames
from govreports.corpus import (
    FRAME_NAMES,
    Corpus,
    Crash,
    crash_frames,
    list_inputs,
    parse_batch,
    report_ids,
    run_batches,
    split_batches,
)
from govreports.errors import ReadError
from govreports.readers import READERS, sniff
from govreports.readers.pdf_settings import PdfSettings, current_settings
from govreports.report import MAX_BYTES, display_path, read_bytes

PARTITIONED = ("reports", "cells", "checks", "figures")
LEDGER_COLUMNS = (
    "path",
    "size",
    "mtime_ns",
    "sha256",
    "format",
    "fingerprint",
    "report_id",
    "batch",
    "outcome",
    "failing_checks",
)
DUPLICATE_FILES = "duplicate-files.parquet"
# The format of an entry not read before parsing (over the size limit, not a regular file,
# unreadable): parsing it fails with the reason.
UNREAD = "unread"
# Reports per batch on disk: each batch writes a part per frame and year, so larger batches
# mean fewer, larger files (and less time spent opening them).
_BUILD_BATCH = 2000
# Modules whose code decides every format's output; a reader's own module is added per format.
_CORE_MODULES = (
    "govreports.schema",
    "govreports.cells",
    "govreports.normalize",
    "govreports.glued",
    "govreports.validate",
    "govreports.metadata",
    "govreports.titles",
    "govreports.regions",
    "govreports.narrative",
    "govreports.report",
    "govreports.frames",
    "govreports.readers.document",
)


# Libraries whose upgrade may change what is read: every format's, and each format's own.
_CORE_PACKAGES = ("charset-normalizer", "cpca", "pyahocorasick", "rapidfuzz", "opencc")
_FORMAT_PACKAGES = {
    "html": ("lxml",),
    "docx": ("lxml", "python-docx"),
    "doc": ("lxml", "python-docx"),
    "pdf": ("pypdfium2", "pdfplumber", "pdfminer.six", "camelot-py", "playa-pdf"),
}


@dataclass(frozen=True)
class BuildSummary:
    """What a :func:`build` run did."""

    parsed: int
    reused: int
    failed: int
    duplicates: int
    reports_with_failing_checks: int
    seconds: float

    def __str__(self) -> str:
        return (
            f"parsed {self.parsed}, reused {self.reused} from the cache, {self.failed} failed, "
            f"{self.duplicates} duplicates, {self.reports_with_failing_checks} reports with failing "
            f"checks ({self.seconds:.1f} s)"
        )


@cache
def fingerprint(fmt: str, pdf: PdfSettings = PdfSettings()) -> str:  # noqa: B008 - immutable
    """Hash of the source code that parses one format (and of the PDF settings, for PDFs).

    This is the cache key's parser half: a change to either, or an upgrade of a library that
    reads the format (:data:`_FORMAT_PACKAGES`), reparses exactly what it may change.

    >>> fingerprint("text") == fingerprint("text") and fingerprint("text") != fingerprint("pdf")
    True
    >>> fingerprint("pdf") != fingerprint("pdf", PdfSettings(pages="all"))
    True
    """
    digest = hashlib.sha256()
    reader = READERS.get(fmt, "").split(":")[0]
    for module in dict.fromkeys((*_CORE_MODULES, *_with_imports(reader))):
        digest.update(_source(module).encode())
    for package in (*_CORE_PACKAGES, *_FORMAT_PACKAGES.get(fmt, ())):
        digest.update(f"{package}=={_version(package)}".encode())
    if fmt == "pdf":
        digest.update(repr(pdf).encode())
    return digest.hexdigest()[:16]


def _version(package: str) -> str | None:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def _source(module: str) -> str:
    spec = importlib.util.find_spec(module)
    return Path(spec.origin).read_text(encoding="utf-8") if spec and spec.origin else ""


def _with_imports(module: str) -> list[str]:
    """Return a module and every ``govreports`` module it imports, directly or not (read, not run).

    A reader's helpers parse too (the PDF table engines, the text decoder an HTML page uses), so a
    change to one of them must reparse that format.

    >>> "govreports.readers.pdf_engines" in _with_imports("govreports.readers.pdf")
    True
    """
    found: list[str] = []
    pending = [module] if module else []
    while pending:
        name = pending.pop()
        if name in found:
            continue
        found.append(name)
        pending.extend(_imported(name))
    return found


def _imported(module: str) -> list[str]:
    """Return the ``govreports`` modules that one module's import statements name."""
    names = []
    for node in ast.walk(ast.parse(_source(module))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module == "govreports":
            names += [f"govreports.{alias.name}" for alias in node.names]  # from govreports import regions
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return [name for name in names if name.startswith("govreports.")]


@dataclass(frozen=True, slots=True)
class _Input:
    """One input file: where it is, what it holds (sha256) and which parser reads it."""

    path: Path
    name: str  # the path as written in the frames and the ledger (see display_path)
    size: int
    mtime_ns: int
    sha256: str
    format: str
    report_id: str = ""
    fingerprint: str = ""  # of the parser that reads it: see fingerprint()


def build(
    source: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    *,
    workers: int | None = None,
    client: object | None = None,
    progress: bool = False,
    pdf: PdfSettings | Mapping[str, Any] | None = None,
) -> BuildSummary:
    """Parse ``source`` into a partitioned Parquet dataset in ``out_dir``, reusing earlier work.

    Args:
        source: a folder of reports (searched recursively).
        out_dir: the dataset folder; created, or updated when it exists.
        workers: processes; None uses every core. Ignored when ``client`` is given.
        client: a ``dask.distributed`` Client or scheduler address to parse on a cluster.
        progress: show a progress bar.
        pdf: how PDFs are read (:class:`~govreports.readers.pdf.PdfSettings` or a mapping of
            its fields); by default those of ``use_pdf_settings`` around the call. PDFs read
            with other settings before are read again.
    """
    started = time.perf_counter()
    settings = current_settings(pdf)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    _migrate_hive_folders(out)
    ledger = _load_ledger(out)
    listing = _list(list_inputs(source), ledger, settings)
    copies, first = _copies(listing.sha256)
    keep, to_parse = _plan(ledger, listing, copies)
    _drop_stale(out, ledger, keep)
    changed = len(to_parse) > 0 or len(keep) < len(ledger)
    del ledger
    duplicate_files = [
        (listing.item(c), listing.item(f)) for c, f in zip(copies.nonzero()[0], first, strict=True)
    ]
    todo = [listing.item(i) for i in to_parse]
    del listing
    task = partial(parse_and_write, out=str(out), pdf=settings)
    with tqdm(total=len(todo), disable=not progress, unit="report") as bar:
        for chunk, result in run_batches(split_batches(todo, workers, _BUILD_BATCH), workers, client, task):
            if isinstance(result, Crash):
                _write_batch(out, crash_frames(result.item.path, result.message), chunk)
            bar.update(len(chunk))
    return _finish(
        out,
        keep,
        duplicate_files,
        source=source,
        parsed=len(todo),
        reused=len(keep),
        changed=changed,
        started=started,
    )


def parse_and_write(inputs: list[_Input], out: str, pdf: PdfSettings | None = None) -> str:
    """Parse a batch and write its parts where it ran (a worker); return the batch id."""
    batch = parse_batch([(i.path, i.report_id) for i in inputs], pdf)
    return _write_batch(Path(out), batch, inputs)


@dataclass(frozen=True)
class _Listing:
    """Every input, in listing order, as columns: little memory per file, even for a national corpus."""

    paths: list[Path]
    names: list[str]  # as written in the frames and the ledger (see display_path)
    report_ids: np.ndarray
    size: np.ndarray
    mtime_ns: np.ndarray
    sha256: np.ndarray
    format: np.ndarray
    fingerprint: np.ndarray

    def item(self, i: int | np.integer[Any]) -> _Input:
        """Return one input as a record, for parsing or listing it."""
        i = int(i)
        return _Input(
            self.paths[i],
            self.names[i],
            int(self.size[i]),
            int(self.mtime_ns[i]),
            self.sha256[i],
            self.format[i],
            self.report_ids[i],
            self.fingerprint[i],
        )


def _list(paths: list[Path], ledger: pd.DataFrame, pdf: PdfSettings) -> _Listing:
    """Stat every input; hash and sniff a file only when its size or modification time changed (as git does).

    An entry that cannot be read, or is over the size limit, is not read here: parsing it fails
    with the reason. It has no content hash (``""``), so it is never a duplicate.
    """
    n = len(paths)
    names = [display_path(p) for p in paths]
    size, mtime_ns = np.full(n, -1, dtype=np.int64), np.full(n, -1, dtype=np.int64)
    regular = np.zeros(n, dtype=bool)
    for i, path in enumerate(paths):
        try:
            info = path.stat()
        except OSError:
            continue
        size[i], mtime_ns[i] = info.st_size, info.st_mtime_ns
        regular[i] = stat.S_ISREG(info.st_mode) and info.st_size <= MAX_BYTES
    sha256, fmt = np.full(n, "", dtype=object), np.full(n, UNREAD, dtype=object)
    if len(ledger):
        row = _positions(names, ledger.path)  # each file's ledger row, as last seen
        at = np.maximum(row, 0)
        seen_sha = ledger.sha256.fillna("").to_numpy(dtype=object)[at]
        known = (row >= 0) & regular & (seen_sha != "")
        known &= ledger["size"].to_numpy(dtype=np.int64)[at] == size
        known &= ledger.mtime_ns.to_numpy(dtype=np.int64)[at] == mtime_ns
        sha256[known] = seen_sha[known]
        codes, formats = pd.factorize(ledger.format.fillna(UNREAD))  # one string per format, not per file
        fmt[known] = np.asarray(formats, dtype=object)[codes][at][known]
    else:
        known = np.zeros(n, dtype=bool)
    for unread in np.flatnonzero(regular & ~known):
        try:
            data = read_bytes(paths[unread])
        except ReadError:
            continue
        sha256[unread], fmt[unread] = hashlib.sha256(data).hexdigest(), sniff(data)
    fingerprints = {f: fingerprint(f, pdf) for f in set(fmt)}
    parsers = np.array([fingerprints[f] for f in fmt], dtype=object)
    ids = np.array(report_ids(paths), dtype=object)
    return _Listing(paths, names, ids, size, mtime_ns, sha256, fmt, parsers)


def _positions(values: list[str] | pd.Series, among: list[str] | pd.Series) -> np.ndarray:
    """Return where each value is in ``among`` (-1 where it is not)."""
    found = pc.index_in(pa.array(values, pa.string()), value_set=pa.array(among, pa.string()))
    positions: np.ndarray = found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    return positions


def _copies(sha256: np.ndarray) -> tuple[np.ndarray, list[int]]:
    """Mark the files whose content an earlier file has; give the position of that first file for each.

    An entry not read has no content to compare (``""``) and is never a copy.
    """
    hashes = pd.Series(sha256, dtype=object)
    copies = (hashes.duplicated() & (hashes != "")).to_numpy()
    wanted = set(sha256[copies])
    first = {}
    for i in np.flatnonzero(~copies):
        if sha256[i] in wanted:
            first[sha256[i]] = int(i)
    return copies, [first[h] for h in sha256[copies]]


def _plan(ledger: pd.DataFrame, listing: _Listing, copies: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
    """Ledger rows still valid (same path, content, parser and report id), and the inputs to parse."""
    n = len(listing.names)
    if not len(ledger) or not n:
        return ledger.iloc[:0], np.flatnonzero(~copies)
    which = _positions(ledger.path, listing.names)  # the input each ledger row was made from
    at = np.maximum(which, 0)
    report_id = ledger.report_id
    still = (which >= 0) & ~copies[at]
    still &= ledger.sha256.fillna("").to_numpy(dtype=object) == listing.sha256[at]
    still &= ledger.fingerprint.fillna("").to_numpy(dtype=object) == listing.fingerprint[at]
    # A report id changes when another file of the same name joins the corpus (report_ids).
    same_id = report_id.fillna("").to_numpy(dtype=object) == listing.report_ids[at]
    still &= report_id.isna().to_numpy() | same_id
    done = np.zeros(n, dtype=bool)
    done[which[still]] = True
    return ledger.loc[still], np.flatnonzero(~copies & ~done)


def _drop_stale(out: Path, ledger: pd.DataFrame, keep: pd.DataFrame) -> None:
    """Remove the rows of files that changed, vanished or need a newer parser, batch by batch."""
    stale = ledger.drop(keep.index)
    for batch, rows in stale.groupby("batch"):
        gone = pa.array(sorted(set(rows.report_id.dropna()) | set(rows.path)), pa.string())
        for part in _batch_parts(out, str(batch)):  # group keys are typed as any scalar; ids are strings
            column = "path" if part.parent.name == "failures" else "report_id"
            # One file at a time (a dataset scan would read ahead, taking memory for nothing).
            drop = pc.is_in(pq.ParquetFile(part).read(columns=[column], use_threads=False)[column], gone)
            if pc.any(drop).as_py():  # a part without those rows (another year's) is left alone
                _rewrite(part, pq.ParquetFile(part).read(use_threads=False).filter(pc.invert(drop)))
        remaining = ledger[ledger.batch == batch].drop(rows.index)
        _rewrite(out / "_ledger" / f"part-{batch}.parquet", _ledger_table(remaining))


def _rewrite(part: Path, table: pa.Table) -> None:
    if table.num_rows == 0:
        part.unlink(missing_ok=True)
    else:
        pq.write_table(table, part)


def _batch_parts(out: Path, batch: str) -> list[Path]:
    return [p for name in (*PARTITIONED, "failures") for p in (out / name).rglob(f"part-{batch}.parquet")]


def _write_batch(out: Path, batch: Corpus, inputs: list[_Input]) -> str:
    """Write one batch's frames, then its ledger part: a batch without a ledger part is incomplete."""
    batch_id = uuid.uuid4().hex[:12]
    years = dict(zip(batch.reports.report_id, batch.reports.year.fillna(-1), strict=True))
    for name in PARTITIONED:
        frame = getattr(batch, name)
        year = frame["report_id"].map(years).to_numpy(dtype="int64")
        # Convert once and slice in Arrow: a pandas round trip per year costs more than the write.
        table = pa.Table.from_pandas(frame, preserve_index=False)
        for value in np.unique(year):
            folder = out / name / _partition(value)
            folder.mkdir(parents=True, exist_ok=True)
            pq.write_table(table.filter(pa.array(year == value)), folder / f"part-{batch_id}.parquet")
    if len(batch.failures):
        (out / "failures").mkdir(exist_ok=True)
        batch.failures.to_parquet(out / "failures" / f"part-{batch_id}.parquet", index=False)
    _write_ledger(out, batch_id, batch, inputs)
    return batch_id


def _partition(year: float) -> str:
    # Not hive's ``year=2023``: readers would add a ``year`` column of their own (a category in
    # pandas), conflicting with the reports' column and adding one to the other frames.
    return "unknown" if year < 0 else str(int(year))


def _migrate_hive_folders(out: Path) -> None:
    """Move the parts of a dataset written with hive folders (``year=2023``) to the current layout.

    The reports' parts gain their ``year`` column (from the folder) where the frame has it; the
    other frames' parts are moved as they are. The ledger stays valid: parts keep their names.
    """
    for name in PARTITIONED:
        for folder in sorted((out / name).glob("year=*")):
            if not folder.is_dir():
                continue
            target = out / name / folder.name.removeprefix("year=")
            target.mkdir(exist_ok=True)
            for part in sorted(folder.glob("*.parquet")):
                if name == "reports":
                    frame = _with_year(pq.ParquetFile(part).read(use_threads=False), folder.name, name)
                    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), target / part.name)
                    part.unlink()
                else:
                    os.replace(part, target / part.name)
            for left in folder.iterdir():
                left.unlink()
            folder.rmdir()


def _with_year(table: pa.Table, folder: str, name: str) -> pd.DataFrame:
    """Return a part of a hive folder as a frame with the folder's year where the frame has ``year``."""
    frame: pd.DataFrame = table.to_pandas()
    if "year" in frame:
        return frame
    year = pd.to_numeric(pd.Series(folder.removeprefix("year="), index=frame.index), errors="coerce")
    order = list(_empty_frames()[name].columns)
    position = order.index("year") if "year" in order else len(frame.columns)
    frame.insert(min(position, len(frame.columns)), "year", year.astype("Int16"))
    return frame


def _write_ledger(out: Path, batch_id: str, batch: Corpus, inputs: list[_Input]) -> None:
    report_of = dict(zip(batch.reports.path, batch.reports.report_id, strict=True))
    failing = batch.checks.loc[batch.checks.status == "fail", "report_id"].value_counts()
    rows = []
    for i in inputs:
        report_id = report_of.get(i.name)
        outcome = "report" if report_id is not None else "failure"
        count = str(int(failing.get(report_id, 0))) if report_id is not None else None
        rows.append((i.name, i.size, i.mtime_ns, i.sha256, i.format, i.fingerprint, report_id, batch_id,
                     outcome, count))  # fmt: skip
    (out / "_ledger").mkdir(exist_ok=True)
    ledger = pd.DataFrame(rows, columns=list(LEDGER_COLUMNS)).astype({"size": "int64", "mtime_ns": "int64"})
    pq.write_table(_ledger_table(ledger), out / "_ledger" / f"part-{batch_id}.parquet")


def _ledger_table(ledger: pd.DataFrame) -> pa.Table:
    text = [c for c in LEDGER_COLUMNS if c not in ("size", "mtime_ns")]
    return pa.Table.from_pandas(ledger.astype(dict.fromkeys(text, "string")), preserve_index=False)


def _load_ledger(out: Path) -> pd.DataFrame:
    """Read the ledger; delete the parts of batches that never finished (no ledger part)."""
    parts = sorted((out / "_ledger").glob("part-*.parquet"))
    ledger = (
        pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True)
        if parts
        else pd.DataFrame(columns=list(LEDGER_COLUMNS), dtype="string")
    )
    _remove_unfinished(out)
    return ledger


def _remove_unfinished(out: Path) -> None:
    """Delete the parts of batches without a ledger part: a batch that never finished."""
    finished = {p.stem for p in (out / "_ledger").glob("part-*.parquet")}
    for name in (*PARTITIONED, "failures"):
        for part in (out / name).rglob("part-*.parquet"):
            if part.stem not in finished:
                part.unlink()


def _finish(
    out: Path,
    keep: pd.DataFrame,
    duplicate_files: list[tuple[_Input, _Input]],
    *,
    source: str | os.PathLike[str],
    parsed: int,
    reused: int,
    changed: bool,
    started: float,
) -> BuildSummary:
    """List duplicates (copies also go to failures, so every input is listed once) and summarise.

    The ledger is the rows kept and those of this run's batches; the listings are rewritten only
    when they change.
    """
    columns = ["outcome", "failing_checks"]
    ledger = keep[columns]
    if parsed:
        _remove_unfinished(out)  # what a crashed worker left half-written
        ledger = pd.concat([ledger, _new_ledger(out, set(keep.batch))[columns]])
    copies = [
        (c.name, "dedupe", "DuplicateFile", f"{c.name}: same content as {f.name}") for c, f in duplicate_files
    ]
    (out / "failures").mkdir(exist_ok=True)
    listed, copies_frame = out / "failures" / DUPLICATE_FILES, frames.failures_frame(copies)
    if not listed.exists() or not pd.read_parquet(listed).equals(copies_frame):
        copies_frame.to_parquet(listed, index=False)  # rewritten only when it changes
        changed = True
    target = out / "duplicates.parquet"
    if changed or not target.exists():
        # Imported here: importing the store (and the command line) does not load the crawler's
        # modules (httpx, warcio) until a dataset's duplicates are listed.
        from govreports.fetch.manifest import other_forms

        columns = ["report_id", "path", "organ", "year", "format", "values_read"]
        listed_reports = _read_folder(out / "reports", columns)
        duplicates = _duplicates(listed_reports, duplicate_files, other_forms(listed_reports, source))
        if not target.exists() or not pd.read_parquet(target).equals(duplicates):
            duplicates.to_parquet(target, index=False)
        n_duplicates = len(duplicates)
    else:
        n_duplicates = pq.read_metadata(target).num_rows
    failing = pd.to_numeric(ledger.failing_checks, errors="coerce").fillna(0)
    return BuildSummary(
        parsed=parsed,
        reused=reused,
        failed=int((ledger.outcome == "failure").sum()),
        duplicates=n_duplicates,
        reports_with_failing_checks=int((failing > 0).sum()),
        seconds=time.perf_counter() - started,
    )


def _new_ledger(out: Path, kept: set[str]) -> pd.DataFrame:
    """Read the ledger parts this run wrote; keep one parse of a file that was parsed twice.

    A batch that finished while another worker crashed is reported lost with it and parsed again,
    one file at a time: its first parse is on disk too. The second is removed (a parse that read
    a report is kept over one that failed).
    """
    parts = [
        p
        for p in sorted((out / "_ledger").glob("part-*.parquet"))
        if p.stem.removeprefix("part-") not in kept
    ]
    if not parts:
        return pd.DataFrame(columns=list(LEDGER_COLUMNS), dtype="string")
    added = pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True)
    order = added.outcome.ne("report").to_numpy().argsort(kind="stable")
    repeated = added.path.iloc[order].duplicated().reindex(added.index)
    if repeated.any():
        _drop_stale(out, added, added[~repeated])
    return added[~repeated]


def _duplicates(
    reports: pd.DataFrame, duplicate_files: list[tuple[_Input, _Input]], forms: list[tuple[str, str, str]]
) -> pd.DataFrame:
    """List same-content files, other forms of a fetched report, and reports of one organ and year.

    Same-content files are parsed once. A fetched page and the attachments it links are one
    report: the forms not kept (see :func:`govreports.fetch.report_forms`) are ``other_form``
    duplicates of the kept one (``ambiguous_form`` where a form could repeat several of the
    page's reports) and take no further part. Reports of one organ and year are
    listed in path order after the first, which they duplicate; organs and years sorted.
    """
    rows = [("same_file", copy.name, first.name) for copy, first in duplicate_files]
    rows += forms
    known = reports[~reports.path.isin([path for _, path, _ in forms])]
    known = known.dropna(subset=["organ", "year"]).sort_values(["organ", "year", "path"], kind="stable")
    same = known.organ.eq(known.organ.shift()) & known.year.eq(known.year.shift())
    later = same.fillna(False).to_numpy(dtype=bool)
    first = known.path.where(~later).ffill()
    rows += [
        ("same_report", p, f) for p, f in zip(known.path[later].tolist(), first[later].tolist(), strict=True)
    ]
    return frames.duplicates_frame(rows)


def read_dataset(out_dir: str | os.PathLike[str]) -> Corpus:
    """Read a dataset written by :func:`build` into a :class:`Corpus`: the frames of ``read_reports``."""
    return Corpus(**{name: read_frame(out_dir, name) for name in FRAME_NAMES})


def read_frame(out_dir: str | os.PathLike[str], name: str, columns: list[str] | None = None) -> pd.DataFrame:
    """Read one frame of a dataset written by :func:`build`, e.g. only ``failures``."""
    return _read_folder(Path(out_dir) / name, columns)


def _read_folder(folder: Path, columns: list[str] | None = None) -> pd.DataFrame:
    parts = sorted(
        p for p in (folder.rglob("*.parquet") if folder.is_dir() else ()) if not p.name.startswith((".", "_"))
    )
    empty = _empty_frames().get(folder.name)
    if not parts:
        if empty is None:
            return pd.DataFrame(columns=columns)
        return empty.copy() if columns is None else empty[[c for c in columns if c in empty]].copy()
    # Part by part: a dataset scan reads ahead and takes several times the memory of what it reads.
    tables = []
    for part in parts:
        file = pq.ParquetFile(part)
        wanted = None if columns is None else [c for c in columns if c in file.schema_arrow.names]
        table = file.read(columns=wanted, use_threads=False)
        hive = part.parent.name.startswith("year=")  # written before years were a column
        if (
            hive
            and "year" in (empty.columns if empty is not None else ())
            and "year" not in table.column_names
        ):
            table = table.append_column(
                "year", pa.array([part.parent.name[5:]] * table.num_rows, pa.string())
            )
        tables.append(table)
    frame: pd.DataFrame = pa.concat_tables(tables, promote_options="default").to_pandas()
    # Parts come back in file order; sort so that every read gives the same frame.
    frame = frame.sort_values("report_id" if "report_id" in frame else "path", kind="stable")
    frame = frame.reset_index(drop=True)
    if "year" in frame:
        frame["year"] = pd.to_numeric(frame["year"].astype("string"), errors="coerce").astype("Int16")
    if empty is not None:  # the frame's columns in its order, and its types
        order = [c for c in empty.columns if c in frame] + [c for c in frame if c not in empty]
        if columns is not None:
            order = [c for c in columns if c in frame]
        frame = frame[order]
        for column in frame.columns.intersection(empty.columns):
            if frame[column].dtype != empty[column].dtype and not isinstance(
                empty[column].dtype, pd.CategoricalDtype
            ):
                frame[column] = frame[column].astype(empty[column].dtype)
    return frame


@cache
def _empty_frames() -> dict[str, pd.DataFrame]:
    return parse_batch([]).frames()
