"""Parse N generated text reports end to end into corpus frames; print reports/s and peak memory.

Usage: python benchmarks/throughput.py [N ...]   (default: 1000 4000)

Reports are generated in every text layout (a quarter each) and written to a temporary folder,
then parsed by ``read_reports`` in-process and with all cores. Figures are medians of 3 runs.
"""

from __future__ import annotations

import os
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import govreports as gr
from govreports.render.text import LAYOUTS, render_text
from govreports.synth import generate_report


def write_reports(folder: Path, n: int) -> None:
    for i in range(n):
        layout = LAYOUTS[i % len(LAYOUTS)]
        report = generate_report(
            i,
            template="2019" if i % 7 == 0 else "2021",
            blank_rate=0.0 if layout == "spaced" else 0.01,
        )
        (folder / f"r{i:06d}.txt").write_text(render_text(report, layout), encoding="utf-8")


def rate(folder: Path, n: int, workers: int) -> float:
    times = []
    for _ in range(3):
        start = time.perf_counter()
        corpus = gr.read_reports(folder, workers=workers)
        times.append(time.perf_counter() - start)
        assert len(corpus.reports) == n and corpus.failures.empty
    return n / statistics.median(times)


def peak_python_memory(folder: Path) -> tuple[float, float]:
    """Peak memory allocated while parsing in-process, and the size of the frames it returns.

    The frames are the output and grow with N; the difference is the parser's working memory,
    which must stay flat.
    """
    tracemalloc.start()
    corpus = gr.read_reports(folder, workers=1)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    output = sum(int(f.memory_usage(deep=True).sum()) for f in corpus.frames().values())
    return peak / 2**20, output / 2**20


def main(sizes: list[int]) -> None:
    cores = os.cpu_count() or 1
    print(
        f"{'N':>7} {'1 process r/s':>14} {f'{cores} processes r/s':>16} {'ratio':>6}"
        f" {'peak MiB':>9} {'frames MiB':>11} {'working MiB':>12}"
    )
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            write_reports(folder, n)
            single, pooled = rate(folder, n, 1), rate(folder, n, cores)
            peak, output = peak_python_memory(folder)
        print(
            f"{n:>7} {single:>14.0f} {pooled:>16.0f} {pooled / single:>6.2f}"
            f" {peak:>9.1f} {output:>11.1f} {peak - output:>12.1f}"
        )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"max RSS of this process: {rss:.0f} MiB")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1000, 4000])
