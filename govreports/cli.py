"""Command line: ``govreports parse DIR -o OUT``, ``check FILE``, ``export``, ``fetch SOURCES -o OUT``.

>>> main(["check", "data/raw/003_2ef598b92a3120fd.txt"])  # doctest: +ELLIPSIS
鹤岗市东山区人民政府 2022 (template 2021, ...
0
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time

import pandas as pd

from govreports import fetch
from govreports.errors import ReadError
from govreports.io import export_csv, export_stata
from govreports.readers.pdf_settings import ENGINE_NAMES, PAGE_CHOICES, PdfSettings
from govreports.report import read_report
from govreports.schema import template_cells
from govreports.store import build, read_frame
from govreports.wide import to_wide

log = logging.getLogger("govreports")


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status (2: usage, 1: an input that cannot be used).

    A user's mistake (a missing folder, a file that is not a report) is one line on stderr,
    never a traceback; output cut short by a closed pipe (``| head``) ends quietly.
    """
    try:
        return _main(argv)
    except BrokenPipeError:
        # The reader of our output went away: nothing more to say, and nowhere to say it.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (ReadError, OSError) as error:
        print(f"govreports: error: {error}", file=sys.stderr)
        return 1


def _main(argv: list[str] | None) -> int:
    parser = argparse.ArgumentParser(prog="govreports", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    parse = commands.add_parser(
        "parse", help="parse a folder of reports into a Parquet dataset and CSV files"
    )
    parse.add_argument("source", help="folder of reports (searched recursively)")
    parse.add_argument("-o", "--out", required=True, help="output folder (updated in place on a rerun)")
    parse.add_argument(
        "--workers",
        type=int,
        default=None,
        help="processes (default: all cores); with 1, files are parsed in this process, without "
        "the per-worker memory limit",
    )
    parse.add_argument("--dask", metavar="ADDRESS", default=None, help="parse on this Dask scheduler")
    parse.add_argument("--no-csv", action="store_true", help="skip the CSV copies of the frames")
    parse.add_argument(
        "--pdf-engines",
        default=",".join(PdfSettings().engines),
        help=f"PDF table engines ({', '.join(ENGINE_NAMES)}), comma-separated; with two, cells they "
        "read differently are flagged (default: %(default)s)",
    )
    parse.add_argument(
        "--pdf-pages", choices=PAGE_CHOICES, default="located", help="PDF pages to read tables on"
    )
    check = commands.add_parser("check", help="print one report's tables and its failed checks")
    check.add_argument("file")
    fetch.add_arguments(
        commands.add_parser(
            "fetch", help="download reports from government sites (WARC archive and manifest)"
        )
    )
    export = commands.add_parser("export", help="export a parsed dataset for other software")
    export.add_argument("out", help="a folder written by `govreports parse`")
    export.add_argument("--stata", required=True, metavar="FILE", help="write a Stata .dta file")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if args.command == "parse":
        if not os.path.isdir(args.source):
            parser.error(f"parse: {args.source} is not a folder")
        try:
            pdf = PdfSettings(engines=tuple(args.pdf_engines.split(",")), pages=args.pdf_pages)
        except ValueError as error:
            parser.error(f"--pdf-engines: {error}")
        return _parse(args.source, args.out, args.workers, args.dask, pdf, csv=not args.no_csv)
    if args.command == "fetch":
        return fetch.main(args)
    if args.command == "export":
        if not os.path.isdir(args.out):
            parser.error(f"export: {args.out} is not a folder written by `govreports parse`")
        print(f"wrote {export_stata(args.out, args.stata)}")
        return 0
    return _check(args.file)


def _parse(
    source: str, out: str, workers: int | None, dask: str | None, pdf: PdfSettings, *, csv: bool
) -> int:
    # Worker processes even for a few files: a file that crashes or bloats one loses only itself.
    workers = workers or max(2, os.cpu_count() or 1)
    summary = build(source, out, workers=workers, client=dask, progress=True, pdf=pdf)
    print(f"{summary}; wrote {out}")
    if csv:
        started = time.perf_counter()
        written = export_csv(out, only_if_changed=True, workers=1 if dask else workers)
        seconds = time.perf_counter() - started
        print(f"CSV copies: {len(written)} written, the others unchanged ({seconds:.1f} s)")
    # Only the failures and three columns of reports: the cells of a national corpus need not
    # be loaded to sum up.
    for row in read_frame(out, "failures").itertuples():
        print(f"  failed: {row.path}: {row.stage}: {row.message}")
    reports = read_frame(out, "reports", ["report_id", "template", "values_read"])
    per_template = {t: template_cells(str(t)) for t in reports.template.dropna().unique()}
    cells = reports.template.map(per_template).fillna(0).astype("int64")
    under = (cells > 0) & (reports.values_read * 2 < cells).fillna(False)
    sparse = reports.report_id[under.to_numpy(dtype=bool)].tolist()
    print(f"{len(sparse)} of {len(reports)} reports read under half their cells")
    for report_id in sparse:
        print(f"  under half: {report_id}")
    return 0


def _reads_under_half(template: str, values_read: int | None) -> bool:
    """Whether a report with the standard tables came back with fewer than half its cells read."""
    cells = template_cells(str(template))
    return bool(cells) and not pd.isna(values_read) and values_read * 2 < cells


def _check(file: str) -> int:
    report = read_report(file)
    meta = report.meta
    print(
        f"{meta['organ']} {meta['year']} (template {meta['template']}, "
        f"level {meta['level']}, adcode {meta['adcode']})"
    )
    cells = template_cells(meta["template"])
    if not cells:
        print("no standard tables (a report that predates them); figures stated in the prose:")
        print(report.figures[["figure", "value", "sentence"]].to_string(index=False))
        return 0
    under = " (under half)" if _reads_under_half(meta["template"], meta["values_read"]) else ""
    print(f"{meta['values_read']} of {cells} cells read{under}; {meta['values_flagged']} flagged")
    if meta["parse_notes"]:
        print("notes: " + meta["parse_notes"])
    with pd.option_context("display.max_rows", 100, "display.width", 200, "display.max_columns", 20):
        for table in ("active", "applications", "appeals"):
            print(f"\n[{table}]")
            print(to_wide(report.cells, table).droplevel(0).to_string())
        flagged = report.cells[report.cells.status != "ok"]
        print(f"\n{len(flagged)} flagged cells")
        if len(flagged):
            print(
                flagged[["table", "row_key", "col_key", "status", "raw", "source_ref"]].to_string(index=False)
            )
        failed = report.checks[report.checks.status == "fail"]
        print(f"\n{len(failed)} failed checks")
        if len(failed):
            print(failed[["check_id", "scope", "formula", "lhs", "rhs", "delta"]].to_string(index=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
