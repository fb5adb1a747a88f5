"""Corpus scale: parse N generated reports (text and HTML layouts) into a dataset on disk.

Usage: python benchmarks/corpus.py [N]      (default N = 100000)

Prints, for ``govreports.store.build`` (Parquet parts, no CSV copies): reports per second cold with
1 process, with every core, and on a 2-worker local Dask cluster; the rerun time with a warm cache;
and the peak resident memory of the parsing run (the main process, and its largest worker).
Each measurement runs in a fresh Python process so that peaks do not mix. Last, the rate of one
process by format (text layouts, HTML pages), which explains the rate of a mix: an HTML page costs
several text reports.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from memory import high_water_mib

from govreports.corpus import parse_batch
from govreports.render.text import LAYOUTS, render_text
from govreports.synthetic import generate_report


def _html_renderer():
    try:
        from govreports.render.html import render_html
    except ImportError:
        return None
    return render_html


def write_reports(folder: Path, n: int) -> dict[str, int]:
    """Write n reports, cycling through the text layouts and HTML (both encodings)."""
    render_html = _html_renderer()
    formats = [*LAYOUTS, "html-utf8", "html-gbk"] if render_html else list(LAYOUTS)
    counts: dict[str, int] = {}
    for i in range(n):
        kind = formats[i % len(formats)]
        report = generate_report(
            i, template="2019" if i % 7 == 0 else "2021", blank_rate=0.0 if kind == "spaced" else 0.01
        )
        if kind.startswith("html"):
            data = render_html(report, encoding="gbk" if kind == "html-gbk" else "utf-8")
            (folder / f"r{i:06d}.html").write_bytes(data)
        else:
            (folder / f"r{i:06d}.txt").write_text(render_text(report, kind), encoding="utf-8")
        counts[kind] = counts.get(kind, 0) + 1
    return counts


def run_one(mode: str, source: str, out: str) -> None:
    """Child process: one build, printed as JSON (seconds, counts, peak RSS in MiB)."""
    from govreports import store

    start = time.perf_counter()
    if mode == "dask":
        from distributed import Client, LocalCluster

        with LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster:
            with Client(cluster) as client:
                summary = store.build(source, out, client=client)
    else:
        summary = store.build(source, out, workers=1 if mode == "1 process" else None)
    seconds = time.perf_counter() - start
    peak_self = high_water_mib()
    peak_child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    result = {
        "seconds": seconds,
        "parsed": summary.parsed,
        "reused": summary.reused,
        "failed": summary.failed,
    }
    print(json.dumps({**result, "peak_main": peak_self, "peak_worker": peak_child}))


def measure(mode: str, source: Path, out: Path) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, "--run", mode, str(source), str(out)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def main(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "raw"
        source.mkdir()
        start = time.perf_counter()
        counts = write_reports(source, n)
        print(f"generated {n} reports in {time.perf_counter() - start:.0f} s: {counts}")
        print(
            f"{'run':<24} {'seconds':>8} {'reports/s':>10} {'parsed':>7} {'reused':>7} {'failed':>6}"
            f" {'peak MiB main/worker':>21}"
        )
        cold = {}
        for mode in ("1 process", f"{os.cpu_count()} processes", "dask"):
            out = Path(tmp) / mode.replace(" ", "-")
            cold[mode] = result = measure(
                mode if mode != f"{os.cpu_count()} processes" else "all", source, out
            )
            _row(f"cold, {mode}", result, n)
        warm = measure("all", source, Path(tmp) / f"{os.cpu_count()}-processes")
        _row("warm rerun, all cores", warm, n)
        ratio = cold[f"{os.cpu_count()} processes"]["seconds"] / warm["seconds"]
        print(f"warm rerun is {ratio:.0f}x faster than the cold run on all cores")
        rates = {kind: _format_rate(source, suffix) for kind, suffix in (("text", ".txt"), ("HTML", ".html"))}
        print("1 process by format (parse only, median of 3):",
              ", ".join(f"{kind} {rate:.0f} reports/s" for kind, rate in rates.items()))  # fmt: skip


def _format_rate(source: Path, suffix: str, sample: int = 600) -> float:
    """Reports per second of one process on up to ``sample`` files of one format."""
    items = [(path, path.stem) for path in sorted(source.glob(f"*{suffix}"))[:sample]]
    if not items:
        return float("nan")
    parse_batch(items[:20])  # warm the caches, as a long run is
    times = []
    for _ in range(3):
        start = time.perf_counter()
        parse_batch(items)
        times.append(time.perf_counter() - start)
    return len(items) / statistics.median(times)


def _row(label: str, result: dict, n: int) -> None:
    rate = n / result["seconds"]
    peaks = f"{result['peak_main']:.0f}/{result['peak_worker']:.0f}"
    print(f"{label:<24} {result['seconds']:>8.1f} {rate:>10.0f} {result['parsed']:>7} {result['reused']:>7} "
          f"{result['failed']:>6} {peaks:>21}")  # fmt: skip


if __name__ == "__main__":
    if sys.argv[1:2] == ["--run"]:
        run_one(*sys.argv[2:5])
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
