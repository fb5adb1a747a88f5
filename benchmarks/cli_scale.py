"""`govreports parse` at corpus scale, as users run it: cold, warm rerun, and a rerun after a few changes.

Usage: python benchmarks/cli_scale.py [N] [--source DIR] [--repeat R] [--profile]

N distinct text reports (default 100,000; generated reports in every text layout, each with its
own seed) are written to a temporary folder, or to ``--source DIR`` where they are kept for the
next run (reused when the folder already holds N reports). Then ``govreports parse SRC -o OUT``
runs as a subprocess with the default workers:

- cold: an empty output folder;
- warm: nothing changed (R times, median; default R = 3);
- few changes: 5 files edited and 5 added before each run (R times, median).

Each row gives the wall time of the command, reports per second (N over the wall time), and the
peak resident memory (VmHWM, read from /proc/PID/status every 0.1 s while the process lives) of
the command's own process and of its largest worker process. A forked worker's VmHWM counts the
pages it shares with the main process, so the largest worker's unique memory (USS, sampled at the
same time) is given beside it. The time splits into the parse (``build``, the time the command
prints after the summary), the CSV copies (printed by the command) and the rest (start-up, the
failure and report listing it prints). ``--profile`` ends with the top functions of a cProfile of
one warm rerun.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

from govreports.render.text import LAYOUTS, render_text
from govreports.synthetic import generate_report

BIN = Path(sys.executable).parent
CHANGES = 5  # files edited and files added before each few-changes run


def write_reports(folder: Path, n: int) -> None:
    """Write n distinct reports (a seed each; the number in the name is also in the text)."""
    folder.mkdir(parents=True, exist_ok=True)
    if sum(1 for _ in folder.glob("r*.txt")) == n:
        return
    for i in range(n):
        layout = LAYOUTS[i % len(LAYOUTS)]
        report = generate_report(
            i, template="2019" if i % 7 == 0 else "2021", blank_rate=0.0 if layout == "spaced" else 0.01
        )
        (folder / f"r{i:06d}.txt").write_text(render_text(report, layout), encoding="utf-8")


def _hwm_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def run(command: list[str]) -> dict:
    """Run a command, polling its process tree's memory; return wall time, peaks and its output."""
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        process = subprocess.Popen(command, stdout=out, stderr=err, text=True)
        main = psutil.Process(process.pid)
        peak_main = peak_worker = peak_uss = 0
        while process.poll() is None:
            peak_main = max(peak_main, _hwm_kib(process.pid))
            try:
                children = main.children(recursive=True)
            except psutil.Error:
                children = []
            for child in children:
                peak_worker = max(peak_worker, _hwm_kib(child.pid))
                try:
                    peak_uss = max(peak_uss, child.memory_full_info().uss // 1024)
                except psutil.Error:
                    pass
            time.sleep(0.1)
        seconds = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if process.returncode:
        raise SystemExit(f"{command} failed ({process.returncode}):\n{stderr[-3000:]}")
    build = re.search(r"checks \(([\d.]+) s\)", stdout)
    csv = re.search(r"CSV copies[^(]*\(([\d.]+) s\)", stdout)
    summary = re.search(r"parsed (\d+), reused (\d+) from the cache, (\d+) failed", stdout)
    return {
        "seconds": seconds,
        "build": float(build.group(1)) if build else None,
        "csv": float(csv.group(1)) if csv else None,
        "parsed": int(summary.group(1)) if summary else None,
        "reused": int(summary.group(2)) if summary else None,
        "failed": int(summary.group(3)) if summary else None,
        "main_mib": peak_main / 1024,
        "worker_mib": peak_worker / 1024,
        "worker_uss_mib": peak_uss / 1024,
    }


def change_files(source: Path, n: int, round_: int, salt: int) -> None:
    """Edit CHANGES existing reports (a different seed's content) and add CHANGES new ones.

    ``salt`` differs from one run of the script to the next, so that an edit is a change even
    in a folder an earlier run edited.
    """
    for k in range(CHANGES):
        i = (round_ * 7919 + k * 104729) % n
        seed = n + 1_000_000 * (round_ + 1) + 10 * CHANGES * salt + k
        layout = LAYOUTS[k % len(LAYOUTS)]
        (source / f"r{i:06d}.txt").write_text(render_text(generate_report(seed), layout), encoding="utf-8")
        (source / f"new-{round_}-{k}.txt").write_text(
            render_text(generate_report(seed + 500), layout), encoding="utf-8"
        )


def _row(label: str, results: list[dict], n: int) -> None:
    def median(key):
        values = [r[key] for r in results if r[key] is not None]
        return statistics.median(values) if values else float("nan")

    seconds = median("seconds")
    build, csv = median("build"), median("csv")
    other = seconds - build - (0 if csv != csv else csv)
    print(
        f"{label:<22} {seconds:>8.1f} {n / seconds:>10.0f} {median('parsed'):>7.0f} {median('reused'):>7.0f}"
        f" {median('failed'):>6.0f} {build:>7.1f} {csv:>6.1f} {other:>6.1f}"
        f" {median('main_mib'):>9.0f} {median('worker_mib'):>8.0f} {median('worker_uss_mib'):>6.0f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, nargs="?", default=100_000)
    parser.add_argument("--source", type=Path, help="keep the generated reports here")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        source = args.source or Path(tmp) / "raw"
        start = time.perf_counter()
        write_reports(source, args.n)
        for stale in source.glob("new-*.txt"):  # added by an earlier run of this script
            stale.unlink()
        print(f"{args.n} reports in {source} ({time.perf_counter() - start:.0f} s to write or find)")
        out = Path(tmp) / "processed"
        command = [str(BIN / "govreports"), "parse", str(source), "-o", str(out)]
        print(f"{os.cpu_count()} cores; {' '.join(command[1:])}")
        print(
            f"{'run':<22} {'seconds':>8} {'reports/s':>10} {'parsed':>7} {'reused':>7} {'failed':>6}"
            f" {'parse':>7} {'csv':>6} {'other':>6} {'main MiB':>9} {'wkr MiB':>8} {'USS':>6}"
        )
        _row("cold", [run(command)], args.n)
        _row(f"warm (median of {args.repeat})", [run(command) for _ in range(args.repeat)], args.n)
        changed, salt = [], int.from_bytes(os.urandom(3), "big")
        for round_ in range(args.repeat):
            change_files(source, args.n, round_, salt)
            changed.append(run(command))
        _row(f"{CHANGES}+{CHANGES} changed (med.)", changed, args.n)
        if args.profile:
            profile = Path(tmp) / "warm.prof"
            subprocess.run(
                [sys.executable, "-m", "cProfile", "-o", str(profile), "-m", "govreports.cli", *command[1:]],
                check=True,
                capture_output=True,
            )
            import pstats

            print("\ncProfile of a warm rerun, top 25 by cumulative time:")
            pstats.Stats(str(profile)).sort_stats("cumulative").print_stats(25)
        for stale in source.glob("new-*.txt"):
            stale.unlink()


if __name__ == "__main__":
    main()
