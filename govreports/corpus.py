"""Many reports → one set of corpus frames; a bad file becomes a ``failures`` row, never a crash.

>>> import govreports as gr
>>> c = gr.read_reports("data/raw/")
>>> len(c.reports) + len(c.failures) == len(list_inputs("data/raw/"))
True
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from tqdm.auto import tqdm

from govreports import frames
from govreports.errors import ReadError
from govreports.report import ParsedReport, parse_source

# Files that travel with a corpus but are not reports.
SKIPPED_NAMES = frozenset({"MANIFEST.csv", "MANIFEST.md", "README.md"})
# Below this many files a process pool costs more to start than it saves.
_POOL_THRESHOLD = 64
# Reports per task: large enough that building frames in the worker pays, small enough to
# keep every core busy and the progress bar moving.
_BATCH = 500
FRAME_NAMES = ("reports", "cells", "checks", "figures", "failures")


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
    """List the report files under a folder (recursively, sorted), or the given paths as they are."""
    if isinstance(source, str | os.PathLike):
        root = Path(source)
        if not root.is_dir():
            return [root]
        return sorted(
            p
            for p in root.rglob("*")
            if p.is_file() and p.name not in SKIPPED_NAMES and not p.name.startswith(".")
        )
    return [Path(p) for p in source]


def read_reports(
    source: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    workers: int | None = None,
    progress: bool = False,
) -> Corpus:
    """Parse every report in a folder (or a list of paths) into corpus frames.

    Args:
        source: a folder, searched recursively, or an iterable of file paths.
        workers: processes to use; None uses every core for large inputs, 1 stays in-process.
        progress: show a progress bar.
    """
    paths = list_inputs(source)
    batches: list[Corpus] = []
    with tqdm(total=len(paths), disable=not progress, unit="report") as bar:
        for batch in _parse_batches(paths, workers):
            batches.append(batch)
            bar.update(len(batch.reports) + len(batch.failures))
    if not batches:
        return parse_batch([])
    return Corpus(
        *(pd.concat([getattr(b, name) for b in batches], ignore_index=True) for name in FRAME_NAMES)
    )


def _parse_batches(paths: list[Path], workers: int | None) -> Iterator[Corpus]:
    workers = workers or (os.cpu_count() or 1 if len(paths) >= _POOL_THRESHOLD else 1)
    size = max(1, min(_BATCH, -(-len(paths) // (workers * 4))))
    batches = [paths[i : i + size] for i in range(0, len(paths), size)]
    if workers == 1:
        yield from map(parse_batch, batches)
        return
    with ProcessPoolExecutor(workers) as pool:
        yield from pool.map(parse_batch, batches)


def parse_batch(paths: list[Path]) -> Corpus:
    """Parse a batch of files into frames; frames are built where the parsing ran (in a worker)."""
    metas, cells, checks, figures, failures = [], [], [], [], []
    for path in paths:
        outcome = parse_or_fail(path)
        if isinstance(outcome, ParsedReport):
            metas.append(outcome.meta)
            cells.extend(outcome.cells)
            checks.extend(outcome.checks)
            figures.extend(outcome.figures)
        else:
            failures.append((str(path), *outcome))
    return Corpus(
        reports=frames.reports_frame(metas),
        cells=frames.cells_frame(cells),
        checks=frames.checks_frame(checks),
        figures=frames.figures_frame(figures),
        failures=frames.failures_frame(failures),
    )


def parse_or_fail(path: Path) -> ParsedReport | tuple[str, str, str]:
    """Parse one file, or return ``(stage, error_type, message)`` saying why it failed."""
    try:
        return parse_source(path)
    except ReadError as error:
        return error.stage, type(error).__name__, str(error)
    except Exception as error:  # noqa: BLE001 - one broken file must not stop a corpus
        return "parse", type(error).__name__, f"{path}: {error}"
