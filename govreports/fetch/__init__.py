"""Fetch annual reports from government sites: ``govreports fetch SOURCES -o OUT`` or ``gr.fetch(...)``.

Start from column (list) pages or report pages (:mod:`~govreports.fetch.sources`); follow the
columns' pagination and keep the links that read as annual reports
(:mod:`~govreports.fetch.discovery`); save each report page as served and the files it links
(.pdf, .doc, .docx, .wps, .odt, .zip); archive every request and response in WARC files and
list every outcome in a manifest (:mod:`~govreports.fetch.archive`); fetch politely
(:mod:`~govreports.fetch.client`); resume an interrupted run and recheck a finished one
(:mod:`~govreports.fetch.state`, :mod:`~govreports.fetch.run`). ``parse`` learns each saved
file's URL and publication date, and which files are one report, from
:mod:`~govreports.fetch.manifest`.

The module itself is callable: ``govreports.fetch(sources, out_dir, contact=...)`` is
:func:`run`.
"""

from __future__ import annotations

import sys
import types
from typing import Any

from govreports.fetch.command import add_arguments, from_args, main
from govreports.fetch.discovery import DEFAULT_PATTERNS
from govreports.fetch.manifest import Hint, apply_hints, hint_for, manifest_hints, report_forms
from govreports.fetch.run import FetchOptions, FetchSummary, run
from govreports.fetch.sources import Source, read_sources

fetch = run

__all__ = [
    "DEFAULT_PATTERNS",
    "FetchOptions",
    "FetchSummary",
    "Hint",
    "Source",
    "add_arguments",
    "apply_hints",
    "fetch",
    "from_args",
    "hint_for",
    "main",
    "manifest_hints",
    "read_sources",
    "report_forms",
    "run",
]


class _CallableModule(types.ModuleType):
    """Make this module callable as :func:`run` (so that ``gr.fetch(...)`` fetches)."""

    def __call__(self, *args: Any, **kwargs: Any) -> FetchSummary:
        return run(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
