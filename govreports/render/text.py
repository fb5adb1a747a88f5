"""Render a generated report as text, in each layout reports are copied out in.

>>> from govreports.synthetic import generate_report
>>> text = render_text(generate_report(7), "tab_rows")
>>> "本年新收政府信息公开申请数量" in text
True
"""

from __future__ import annotations

from govreports.render.grid import report_prose, report_rows
from govreports.synthetic import SyntheticReport

LAYOUTS = ("cell_per_line", "pipe", "tab_rows", "spaced")
# Layouts as crawlers save pages: every cell on a line of its own with no cell marker; and the
# same with a crawler header, runs of identical consecutive lines collapsed into one.
DEGRADED = ("line_per_cell", "crawl_collapsed")


def render_text(report: SyntheticReport, layout: str) -> str:
    """Render a report as text in one of :data:`LAYOUTS`, with prose around the tables.

    ``spaced`` (cells separated by spaces, as copied out of some PDFs) cannot show an empty cell;
    render only reports without blanks in it. The :data:`DEGRADED` layouts are accepted too.
    """
    if layout not in (*LAYOUTS, *DEGRADED):
        raise ValueError(f"unknown layout {layout!r}; choose one of {LAYOUTS + DEGRADED}")
    before, after = report_prose(report)
    if layout in DEGRADED:
        return _crawled(report, before, after, collapse=layout == "crawl_collapsed")
    body = "\n".join(_RENDERERS[layout](cells) for cells in report_rows(report))
    return "\n".join(before) + "\n" + body + "\n" + "\n".join(after) + "\n"


def _crawled(report: SyntheticReport, before: list[str], after: list[str], *, collapse: bool) -> str:
    """Every cell on a line of its own; with ``collapse``, as a crawler that keeps one of each run.

    Blank cells leave no line, as a crawler saving a page's text drops them.
    """
    lines = before + [cell for row in report_rows(report) for cell in row if cell.strip()] + after
    if not collapse:
        return "\n".join(lines) + "\n"
    header = [f"标题: {before[0]}", f"发布时间: {report.year + 1}-01-20 09:00", "正文:"]
    kept = [line for i, line in enumerate(lines) if i == 0 or line != lines[i - 1]]
    return "\n".join(header + kept) + "\n"


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
