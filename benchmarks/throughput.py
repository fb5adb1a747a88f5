"""Parse N generated text reports end to end into corpus frames; print reports/s and peak memory.

Usage: python benchmarks/throughput.py [N ...]   (default: 1000 4000)

Reports are generated in every text layout (a quarter each) and written to a temporary folder,
then parsed by ``read_reports`` in-process and with all cores; rates are medians of 3 runs. Memory
is measured in a fresh process per N: the peak resident size above the size after import, next to
the size of the frames returned (the output, which grows with N). Their difference is the
parser's working memory, which must not grow with N.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from memory import high_water_mib

import govreports as gr
from govreports.render.text import LAYOUTS, render_text
from govreports.synthetic import generate_report


def write_reports(folder: Path, n: int) -> None:
    for i in range(n):
        layout = LAYOUTS[i % len(LAYOUTS)]
        blanks = 0.0 if layout == "spaced" else 0.01
        report = generate_report(i, template="2019" if i % 7 == 0 else "2021", blank_rate=blanks)
        (folder / f"r{i:06d}.txt").write_text(render_text(report, layout), encoding="utf-8")


def rate(folder: Path, n: int, workers: int) -> float:
    times = []
    for _ in range(3):
        start = time.perf_counter()
        corpus = gr.read_reports(folder, workers=workers)
        times.append(time.perf_counter() - start)
        assert len(corpus.reports) == n and corpus.failures.empty
    return n / statistics.median(times)


def memory(folder: Path) -> dict:
    """Child process: RSS after import, peak RSS while parsing in-process, size of the frames."""
    baseline = high_water_mib()
    corpus = gr.read_reports(folder, workers=1)
    peak = high_water_mib()
    frames = sum(int(f.memory_usage(deep=True).sum()) for f in corpus.frames().values()) / 2**20
    return {"baseline": baseline, "peak": peak, "frames": frames}


def main(sizes: list[int]) -> None:
    cores = os.cpu_count() or 1
    print(f"{'N':>7} {'1 process r/s':>14} {f'{cores} processes r/s':>16} {'ratio':>6}"
          f" {'peak-import MiB':>16} {'frames MiB':>11} {'working MiB':>12}")  # fmt: skip
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            write_reports(folder, n)
            single, pooled = rate(folder, n, 1), rate(folder, n, cores)
            child = subprocess.run(
                [sys.executable, __file__, "--memory", tmp], capture_output=True, text=True
            )
            mem = json.loads(child.stdout.strip().splitlines()[-1])
        grown = mem["peak"] - mem["baseline"]
        print(f"{n:>7} {single:>14.0f} {pooled:>16.0f} {pooled / single:>6.2f}"
              f" {grown:>16.1f} {mem['frames']:>11.1f} {grown - mem['frames']:>12.1f}")  # fmt: skip


if __name__ == "__main__":
    if sys.argv[1:2] == ["--memory"]:
        print(json.dumps(memory(Path(sys.argv[2]))))
    else:
        main([int(a) for a in sys.argv[1:]] or [1000, 4000])
