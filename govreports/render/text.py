"""Render a generated report as text, in each layout reports are copied out in.

>>> from govreports.synth import generate_report
>>> text = render_text(generate_report(7), "tab_rows")
>>> "本年新收政府信息公开申请数量" in text
True
"""

from __future__ import annotations

from govreports.render.grid import report_prose, report_rows
from govreports.synth import SyntheticReport

LAYOUTS = ("cell_per_line", "pipe", "tab_rows", "spaced")


def render_text(report: SyntheticReport, layout: str) -> str:
    """Render a report as text in one of :data:`LAYOUTS`, with prose around the tables.

    ``spaced`` (cells separated by spaces, as copied out of some PDFs) cannot show an empty cell;
    render only reports without blanks in it.
    """
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; choose one of {LAYOUTS}")
    before, after = report_prose(report)
    body = "\n".join(_RENDERERS[layout](cells) for cells in report_rows(report))
    return "\n".join(before) + "\n" + body + "\n" + "\n".join(after) + "\n"


def _cell_per_line(cells: list[str]) -> str:
    return "\n".join("\t" + cell for cell in cells) + "\n"


def _pipe(cells: list[str]) -> str:
    return "\n".join(f"{cell} |" for cell in cells) + "\n||"


def _tab_rows(cells: list[str]) -> str:
    return "\t".join(cells)


def _spaced(cells: list[str]) -> str:
    return " ".join(cells)


_RENDERERS = {
    "cell_per_line": _cell_per_line,
    "pipe": _pipe,
    "tab_rows": _tab_rows,
    "spaced": _spaced,
}
