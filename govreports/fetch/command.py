"""The ``govreports fetch`` subcommand: its arguments, and running it from parsed arguments.

>>> import argparse
>>> parser = argparse.ArgumentParser()
>>> add_arguments(parser)
>>> args = parser.parse_args(["urls.txt", "-o", "out", "--contact", "me@example.org", "--years", "2019-2023"])
>>> kwargs = from_args(args)
>>> kwargs["sources"], kwargs["out_dir"], kwargs["years"], kwargs["delay"]
('urls.txt', 'out', (2019, 2023), 2.0)
"""

from __future__ import annotations

import argparse
import os
import re
from typing import Any

from govreports.fetch.discovery import DEFAULT_PATTERNS
from govreports.fetch.run import CONTACT_VARIABLE, FetchOptions, run

_DEFAULTS = FetchOptions()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``fetch`` arguments to an argparse (sub)parser."""
    parser.add_argument(
        "sources", help="a text file of URLs (one a line) or a CSV with url[,kind,organ,year,region]"
    )
    parser.add_argument(
        "-o",
        "--out",
        required=True,
        help="fetch folder (saved files, WARC, manifest); the same folder resumes",
    )
    parser.add_argument(
        "--contact",
        default=os.environ.get(CONTACT_VARIABLE),
        help=f"an e-mail or URL named in the User-Agent (required; default ${CONTACT_VARIABLE})",
    )
    parser.add_argument(
        "--delay",
        type=float,
        default=_DEFAULTS.delay,
        help="seconds between two requests to one site (%(default)s)",
    )
    parser.add_argument(
        "--hosts", type=int, default=_DEFAULTS.hosts, help="sites fetched at once (%(default)s)"
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=_DEFAULTS.timeout,
        help="seconds to connect or wait for data (%(default)s)",
    )
    parser.add_argument(
        "--retries",
        type=int,
        default=_DEFAULTS.retries,
        help="more attempts after a 429, 5xx or error (%(default)s)",
    )
    parser.add_argument(
        "--max-mb", type=float, default=_DEFAULTS.max_bytes / 1024**2, help="largest file, MiB (%(default)s)"
    )
    parser.add_argument(
        "--max-pages", type=int, default=_DEFAULTS.max_pages, help="pages per site in one run (%(default)s)"
    )
    parser.add_argument(
        "--match",
        action="append",
        metavar="REGEX",
        help="words a report link must match (repeatable; default: " + ", ".join(DEFAULT_PATTERNS) + ")",
    )
    parser.add_argument(
        "--years", metavar="FIRST-LAST", help="keep report links whose title year is in this range"
    )
    parser.add_argument(
        "--no-recheck",
        action="store_true",
        help="request only URLs not fetched before (no conditional rechecks)",
    )
    parser.add_argument(
        "--insecure",
        action="store_true",
        help="do not verify TLS certificates (many government sites serve expired or incomplete chains)",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")


def from_args(args: argparse.Namespace) -> dict[str, Any]:
    """Return the keyword arguments of :func:`govreports.fetch.run` from parsed arguments."""
    return {
        "sources": args.sources,
        "out_dir": args.out,
        "contact": args.contact,
        "delay": args.delay,
        "hosts": args.hosts,
        "timeout": args.timeout,
        "retries": args.retries,
        "max_bytes": int(args.max_mb * 1024**2),
        "max_pages": args.max_pages,
        "patterns": tuple(args.match) if args.match else DEFAULT_PATTERNS,
        "years": parse_years(args.years) if args.years else None,
        "recheck": not args.no_recheck,
        "verify": not args.insecure,
        "progress": not args.no_progress,
    }


def parse_years(text: str) -> tuple[int, int]:
    """Read a year range: ``2019-2023``, or one year.

    >>> parse_years("2019-2023"), parse_years("2022")
    ((2019, 2023), (2022, 2022))
    """
    match = re.fullmatch(r"\s*(\d{4})\s*(?:[-–~]\s*(\d{4}))?\s*", text)
    if not match:
        raise ValueError(f"--years: expected FIRST-LAST such as 2019-2023, not {text!r}")
    first = int(match[1])
    return first, int(match[2] or first)


def main(args: argparse.Namespace) -> int:
    """Run ``govreports fetch`` from parsed arguments; print the summary; return the exit status.

    0 when the run ended (failed URLs are listed, not fatal), 2 on bad arguments, 130 when
    interrupted (run the same command again to resume).
    """
    try:
        summary = run(**from_args(args))
    except (ValueError, OSError) as error:
        print(f"error: {error}")
        return 2
    except KeyboardInterrupt:
        print(f"\ninterrupted: run the same command again to resume (state in {args.out})")
        return 130
    print(summary)
    return 0
