"""Many reports → one set of corpus frames; a bad file becomes a ``failures`` row, never a crash.

>>> import govreports as gr
>>> c = gr.read_reports("data/raw/")
>>> len(c.reports) + len(c.failures) == len(list_inputs("data/raw/"))
True
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, BinaryIO, Generic, TypeVar, overload

import pandas as pd
from tqdm import tqdm

from govreports import frames
from govreports.errors import ReadError
from govreports.readers.pdf_settings import PdfSettings, current_settings, use_pdf_settings
from govreports.report import (
    TIME_LIMIT,
    CellRow,
    CheckRow,
    FigureRow,
    ParsedReport,
    display_path,
    parse_source,
)

# One input of a batch: its path and its report id.
BatchItem = tuple[Path, str]
_Item = TypeVar("_Item")
_Result = TypeVar("_Result")

# Files that travel with a corpus but are not reports.
SKIPPED_NAMES = frozenset({"MANIFEST.csv", "MANIFEST.md", "README.md"})
# Below this many files a process pool costs more to start than it saves.
_POOL_THRESHOLD = 64
# Reports per task: large enough that building frames in the worker pays, small enough to
# keep every core busy and the progress bar moving.
_BATCH = 500
FRAME_NAMES = ("reports", "cells", "checks", "figures", "failures")
# Memory a worker process may take above what it started with. A file that makes a native
# library (pdfium, say) allocate past it ends its worker, and becomes a failures row like any
# crash of one.
MEMORY_LIMIT = 1024**3
_MEMORY_POLL = 0.02  # seconds between two looks at a worker's memory
_CRASH = "the parsing process died: a crash in a native library, or memory over the limit of {} MiB"


@dataclass(frozen=True)
class Corpus:
    """The frames of a corpus. Every input file is in exactly one of ``reports`` and ``failures``."""

    reports: pd.DataFrame
    cells: pd.DataFrame
    checks: pd.DataFrame
    figures: pd.DataFrame
    failures: pd.DataFrame

    def frames(self) -> dict[str, pd.DataFrame]:
        """Return the five frames by name, in the order they are written to disk."""
        return {name: getattr(self, name) for name in FRAME_NAMES}


def list_inputs(source: str | os.PathLike[str] | Iterable[str | os.PathLike[str]]) -> list[Path]:
    """List the entries under a folder (recursively, sorted), or the given paths as they are.

    Every entry but a folder is listed, so that each ends in ``reports`` or ``failures``: a
    FIFO, a socket or a broken link is an input that fails with its reason, never one that
    vanishes. Links to folders are not followed (a loop would never end); hidden files and
    the corpus's own manifests are skipped.
    """
    if isinstance(source, str | os.PathLike):
        root = Path(source)
        if not root.is_dir():
            return [root]
        return sorted(_entries(root), key=_parts)  # as Paths compare, without their slow __lt__
    return [Path(p) for p in source]


def _parts(path: Path) -> tuple[str, ...]:
    return path.parts


def _entries(folder: Path) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        # os.walk lists a link to a folder among the folders without entering it: it is an input.
        links = [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]
        dirnames[:] = [d for d in dirnames if d not in links]
        here = Path(dirpath)  # parsed once per folder, not once per file
        for name in (*filenames, *links):
            if name not in SKIPPED_NAMES and not name.startswith("."):
                yield here / name


def read_reports(
    source: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    workers: int | None = None,
    client: object | None = None,
    progress: bool = False,
    pdf: PdfSettings | Mapping[str, object] | None = None,
) -> Corpus:
    """Parse every report in a folder (or a list of paths) into corpus frames held in memory.

    For corpora too large for memory, or to reparse only what changed, use
    :func:`govreports.store.build`, which streams the same frames to Parquet parts.

    Args:
        source: a folder, searched recursively, or an iterable of file paths.
        workers: processes to use; None uses every core for large inputs, 1 stays in-process.
        client: a ``dask.distributed`` Client or scheduler address: parse on that cluster.
        progress: show a progress bar.
        pdf: how PDFs are read (:class:`~govreports.readers.pdf.PdfSettings` or a mapping of
            its fields); by default those of ``use_pdf_settings`` around the call. Every
            worker reads with them.
    """
    task = partial(parse_batch, pdf=current_settings(pdf))
    paths = list_inputs(source)
    chunks = split_batches(list(zip(paths, report_ids(paths), strict=True)), workers)
    position = {tuple(chunk): i for i, chunk in enumerate(chunks)}
    done: dict[int, Corpus] = {}
    with tqdm(total=len(paths), disable=not progress, unit="report") as bar:
        for chunk, batch in run_batches(chunks, workers, client, task):
            if isinstance(batch, Crash):
                batch = crash_frames(batch.item[0], batch.message)
            done[position.get(tuple(chunk), len(position) + len(done))] = batch
            bar.update(len(chunk))
    # Batches finish in any order; the corpus keeps the order of its inputs.
    return concat([done[i] for i in sorted(done)])


def concat(batches: list[Corpus]) -> Corpus:
    """Concatenate batch frames into one corpus (an empty corpus when there are none)."""
    if not batches:
        return parse_batch([])
    return Corpus(
        *(pd.concat([getattr(b, name) for b in batches], ignore_index=True) for name in FRAME_NAMES)
    )


def split_batches(paths: list[_Item], workers: int | None, largest: int = _BATCH) -> list[list[_Item]]:
    """Cut the inputs into batches: a few per worker, at most ``largest`` inputs each."""
    workers = _workers(len(paths), workers)
    size = max(1, min(largest, -(-len(paths) // (workers * 4))))
    return [paths[i : i + size] for i in range(0, len(paths), size)]


def _workers(n_paths: int, workers: int | None) -> int:
    if workers:
        return workers
    return (os.cpu_count() or 1) if n_paths >= _POOL_THRESHOLD else 1


@dataclass(frozen=True)
class Crash(Generic[_Item]):
    """A task whose process died twice on one input (a crash in a native library)."""

    item: _Item
    message: str


@overload
def run_batches(
    batches: list[list[BatchItem]], workers: int | None, client: object | None = None, task: None = None
) -> Iterator[tuple[list[BatchItem], Corpus | Crash[BatchItem]]]: ...


@overload
def run_batches(
    batches: list[list[_Item]],
    workers: int | None,
    client: object | None = None,
    *,
    task: Callable[[list[_Item]], _Result],
) -> Iterator[tuple[list[_Item], _Result | Crash[_Item]]]: ...


@overload
def run_batches(
    batches: list[list[_Item]],
    workers: int | None,
    client: object | None,
    task: Callable[[list[_Item]], _Result],
) -> Iterator[tuple[list[_Item], _Result | Crash[_Item]]]: ...


def run_batches(
    batches: list[list[Any]],
    workers: int | None,
    client: object | None = None,
    task: Callable[[list[Any]], object] | None = None,
) -> Iterator[tuple[list[Any], object]]:
    """Run ``task`` (default :func:`parse_batch`) on each batch; yield ``(batch, result)`` as they finish.

    Batches run in-process, in a process pool, or on a Dask cluster. A worker that dies loses
    nothing: its batch is retried one input at a time, and an input that kills a worker again
    yields a :class:`Crash` instead of a result.
    """
    task = parse_batch if task is None else task
    workers = _workers(sum(map(len, batches)), workers)
    if client is not None:
        yield from _run_on_dask(batches, client, task)
    elif workers == 1:
        yield from ((chunk, task(chunk)) for chunk in batches)
    else:
        yield from _run_in_pool(batches, workers, task)


def _run_in_pool(
    batches: list[list[_Item]], workers: int, task: Callable[[list[_Item]], _Result]
) -> Iterator[tuple[list[_Item], _Result | Crash[_Item]]]:
    crashed: list[list[_Item]] = []
    with ProcessPoolExecutor(workers, initializer=guard_memory) as pool:
        futures = {pool.submit(task, chunk): chunk for chunk in batches}
        for future in as_completed(futures):
            try:
                yield futures[future], future.result()
            except BrokenProcessPool:
                crashed.append(futures[future])
    for chunk in crashed:
        yield from _retry_alone(chunk, task)


def _retry_alone(
    chunk: list[_Item], task: Callable[[list[_Item]], _Result]
) -> Iterator[tuple[list[_Item], _Result | Crash[_Item]]]:
    for item in chunk:
        with ProcessPoolExecutor(1, initializer=guard_memory) as pool:
            try:
                yield [item], pool.submit(task, [item]).result()
            except BrokenProcessPool:
                yield [item], Crash(item, _CRASH.format(MEMORY_LIMIT // 1024**2))


def guard_memory(limit: int | None = None) -> None:
    """End this (worker) process as soon as it has taken ``limit`` bytes more than it started with.

    A thread watches the process from outside the parsing code, which may be stuck in a
    native library that no Python exception can interrupt; the pool sees a dead worker. The
    limit counts what the worker took itself: a forked worker starts out showing its parent's
    resident pages, which are shared, not its own.
    """
    limit = limit or MEMORY_LIMIT
    page = os.sysconf("SC_PAGE_SIZE")

    def resident(statm: BinaryIO) -> int:
        statm.seek(0)
        return int(statm.read().split()[1]) * page

    def watch() -> None:
        with open("/proc/self/statm", "rb", buffering=0) as statm:
            ceiling = resident(statm) + limit
            while resident(statm) <= ceiling:
                time.sleep(_MEMORY_POLL)
        os._exit(70)  # EX_SOFTWARE

    if os.path.exists("/proc/self/statm"):
        threading.Thread(target=watch, name="memory-guard", daemon=True).start()


def crash_frames(path: str | os.PathLike[str], message: str) -> Corpus:
    """Build the frames of an input whose parsing process died: one ``failures`` row."""
    name = display_path(path)
    failure = frames.failures_frame([(name, "worker", "WorkerCrash", f"{name}: {message}")])
    return Corpus(**{**parse_batch([]).frames(), "failures": failure})


def _run_on_dask(
    batches: list[list[_Item]], client: object, task: Callable[[list[_Item]], _Result]
) -> Iterator[tuple[list[_Item], _Result]]:
    import distributed

    # distributed annotates neither Client nor as_completed: its objects are untyped here.
    dask: Any = distributed
    cluster: Any = dask.Client(client) if isinstance(client, str) else client
    futures = cluster.map(task, batches, pure=False)
    chunk_of = {future.key: chunk for future, chunk in zip(futures, batches, strict=True)}
    for future in dask.as_completed(futures):
        yield chunk_of[future.key], future.result()
        future.release()


def report_ids(paths: list[Path]) -> list[str]:
    """Give each input a report id: its file name without extension, unique within the corpus.

    Where two inputs share a name (``2022/report.html`` and ``2023/report.html``), both are named
    by their path below the folder the inputs share, so no two reports are ever merged.

    >>> report_ids([Path("raw/2022/a.html"), Path("raw/2023/a.html"), Path("raw/2023/b.txt")])
    ['2022/a', '2023/a', 'b']
    >>> report_ids([Path("raw/a.txt"), Path.cwd() / "raw/x/a.txt"])
    ['a', 'x/a']
    """
    stems = [display_path(p.stem) for p in paths]
    repeated = {stem for stem, n in Counter(stems).items() if n > 1}
    if not repeated:
        return stems
    absolute = [p.absolute() for p in paths]  # a list may mix relative and absolute paths
    root = Path(os.path.commonpath([p.parent for p in absolute]))
    return [
        display_path(p.relative_to(root).with_suffix("").as_posix()) if stem in repeated else stem
        for p, stem in zip(absolute, stems, strict=True)
    ]


def parse_batch(items: list[tuple[Path, str]], pdf: PdfSettings | None = None) -> Corpus:
    """Parse a batch of ``(path, report_id)`` into frames, built where the parsing ran (a worker).

    ``pdf`` settings apply to the whole batch (a worker process does not see the caller's).
    """
    metas: list[dict[str, object]] = []  # reports_frame takes plain dicts, as the simulated corpus has
    cells: list[CellRow] = []
    checks: list[CheckRow] = []
    figures: list[FigureRow] = []
    failures: list[tuple[str, str, str, str]] = []  # (path, stage, error_type, message)
    with use_pdf_settings(current_settings(pdf)):
        for path, report_id in items:
            outcome = parse_or_fail(path, report_id)
            if isinstance(outcome, ParsedReport):
                metas.append(dict(outcome.meta))
                cells.extend(outcome.cells)
                checks.extend(outcome.checks)
                figures.extend(outcome.figures)
            else:
                failures.append((display_path(path), *outcome))
    return Corpus(
        reports=frames.reports_frame(metas),
        cells=frames.cells_frame(cells),
        checks=frames.checks_frame(checks),
        figures=frames.figures_frame(figures),
        failures=frames.failures_frame(failures),
    )


def parse_or_fail(
    path: Path, report_id: str | None = None, time_limit: float | None = None
) -> ParsedReport | tuple[str, str, str]:
    """Parse one file, or return ``(stage, error_type, message)`` saying why it failed.

    ``time_limit`` defaults to :data:`TIME_LIMIT` seconds.
    """
    time_limit = TIME_LIMIT if time_limit is None else time_limit
    try:
        return parse_source(path, report_id=report_id, time_limit=time_limit)
    except ReadError as error:
        return error.stage, type(error).__name__, str(error)
    except Exception as error:  # noqa: BLE001 - one broken file must not stop a corpus
        return "parse", type(error).__name__, f"{display_path(path)}: {error}"
