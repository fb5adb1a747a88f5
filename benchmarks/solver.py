"""Time the template solver: its share of parsing time on crawled reports and generated ones.

Usage: python benchmarks/solver.py

Parses the bundled crawled reports (``data/raw/putian``, one cell per line, runs collapsed) and
generated reports rendered as collapsed crawls and as tab rows, one process, median of 3 runs;
prints reports/s and the share of the time spent in :func:`govreports.solver.solve`.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import govreports as gr
import govreports.normalize as normalize
from govreports.render.text import render_text
from govreports.synthetic import generate_report

ROOT = Path(__file__).resolve().parents[1]
_spent = [0.0]
_solve = normalize.solve


def _timed_solve(*args, **kwargs):
    start = time.perf_counter()
    try:
        return _solve(*args, **kwargs)
    finally:
        _spent[0] += time.perf_counter() - start


def measure(name: str, texts: list[str]) -> None:
    rates, shares = [], []
    for _ in range(3):
        _spent[0] = 0.0
        start = time.perf_counter()
        for text in texts:
            gr.read_report(text=text)
        elapsed = time.perf_counter() - start
        rates.append(len(texts) / elapsed)
        shares.append(_spent[0] / elapsed)
    print(f"{name:<34} {len(texts):>5} reports  {statistics.median(rates):8.1f} reports/s  "
          f"solver {100 * statistics.median(shares):5.1f} % of the time")  # fmt: skip


def main() -> None:
    normalize.solve = _timed_solve
    crawled = [
        p.read_text(encoding="utf-8") for p in sorted((ROOT / "data" / "raw" / "putian").glob("*.txt"))
    ]
    measure("bundled crawls (data/raw/putian)", crawled)
    for layout in ("crawl_collapsed", "line_per_cell", "tab_rows"):
        texts = [
            render_text(generate_report(i, template="2019" if i % 7 == 0 else "2021", blank_rate=0.0), layout)
            for i in range(200)
        ]
        measure(f"generated, {layout}", texts)


if __name__ == "__main__":
    main()
