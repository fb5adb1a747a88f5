r"""Render a generated report as Markdown, as PDF text-layer dumps and OCR tools write it.

Two styles, both with the prose around the tables as headings and paragraphs (numbers in bold,
to exercise the removal of markup):

* ``pipe``: one pipe table per template table. 表三's group labels sit in a label column of
  their own, empty under the first row of a group, as a merged cell is exported; a page footer
  row is printed inside 表三.
* ``ocr_rows``: the layout OCR tools produce. 表二 as one small table per 第二十条 item; 表三
  as per-row mini tables, each top-level row under a heading holding its label, with an
  applicant header above a row of values without a label, and each group's sub-rows in one
  table under a generic header (``| 类别 | 数据1 | … |``); 表四 as three small tables under the
  headings 行政复议, 行政诉讼（未经复议直接起诉） and 行政诉讼（复议后起诉）; page footers between
  the mini tables.

The cell contents come from :func:`govreports.render.grid.report_rows`.

>>> from govreports.synthetic import generate_report
>>> text = render_markdown(generate_report(7), style="ocr_rows")
>>> "### 行政诉讼（复议后起诉）" in text, text.startswith("# ")
(True, True)
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from govreports.render.grid import report_prose, report_rows
from govreports.schema import APPEALS, APPLICATIONS
from govreports.synthetic import SyntheticReport

STYLES = ("pipe", "ocr_rows")

_TABLE_TITLES = (
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
)
_N_APPLICATION_COLS = len(APPLICATIONS.cols)
_APPLICANT_HEADER = [c.label for c in APPLICATIONS.cols]
_GENERIC_HEADER = ["类别", *(f"数据{i}" for i in range(1, _N_APPLICATION_COLS)), "总计"]
_APPEAL_HEADINGS = ("行政复议", "行政诉讼（未经复议直接起诉）", "行政诉讼（复议后起诉）")
_SECTION = re.compile(r"^[一二三四五六七八九十]+、")
_SUBSECTION = re.compile(r"^（[一二三四五六七八九十]+）")
_SUB_ROW = re.compile(r"^\d")  # a sub-row of a group: 1.属于国家秘密, 3.其他


def render_markdown(report: SyntheticReport, *, style: str = "pipe") -> str:
    """Render a report as Markdown in one of :data:`STYLES`, with prose around the tables.

    Args:
        report: the generated report.
        style: ``"pipe"`` (one pipe table per table) or ``"ocr_rows"`` (per-row mini tables).

    >>> from govreports.synthetic import generate_report
    >>> text = render_markdown(generate_report(7))
    >>> sum(line.startswith("|---") for line in text.splitlines())  # one table per template table
    3
    """
    if style not in STYLES:
        raise ValueError(f"unknown Markdown style {style!r}; choose one of {STYLES}")
    before, after = report_prose(report)
    blocks = [f"# {before[0]}", *_prose(before[1:])]
    tables = _OCR_TABLES if style == "ocr_rows" else _PIPE_TABLES
    for index, (title, rows) in enumerate(_split_tables(report_rows(report))):
        blocks.append(f"## {title}")
        blocks.extend(tables[index](rows))
    blocks.extend(_prose(after))
    return "\n\n".join(blocks) + "\n"


def _prose(lines: list[str]) -> Iterator[str]:
    """Section titles as headings, other lines as paragraphs with their numbers in bold."""
    for line in lines:
        if _SECTION.match(line):
            yield f"## {line}"
        elif _SUBSECTION.match(line):
            yield f"### {line}"
        else:
            yield re.sub(r"\d+", r"**\g<0>**", line)


def _split_tables(rows: list[list[str]]) -> list[tuple[str, list[list[str]]]]:
    """Cut the grid's rows at the three table titles: ``[(title, rows under it)]``."""
    tables: list[tuple[str, list[list[str]]]] = []
    for row in rows:
        if row[0] in _TABLE_TITLES:
            tables.append((row[0], []))
        else:
            tables[-1][1].append(row)
    return tables


def _line(cells: list[str]) -> str:
    escaped = (cell.replace("|", "\\|") for cell in cells)
    return "| " + " | ".join(escaped) + " |"


def _table(header: list[str], body: list[list[str]], width: int | None = None) -> str:
    """Lay out a pipe table; the header is padded to ``width``, body rows are printed as given."""
    width = width or len(header)
    lines = [_line(header + [""] * (width - len(header))), "|" + "---|" * width]
    lines.extend(_line(row) for row in body)
    return "\n".join(lines)


def _is_data(row: list[str]) -> bool:
    """Tell a 表三 data row (one or two label cells, then the seven values) from its header rows."""
    return len(row) > _N_APPLICATION_COLS


def _pipe_active(rows: list[list[str]]) -> list[str]:
    # Rows keep their own length: padding a short row at its end would make a blank first
    # value ambiguous (GFM allows rows shorter than the header).
    return [_table(rows[0], rows[1:], max(map(len, rows)))]


def _pipe_applications(rows: list[list[str]]) -> list[str]:
    width = max(map(len, rows))
    header = [r for r in rows if not _is_data(r)]
    # Group labels keep a column of their own, empty under a group's later rows, as a merged
    # cell is exported; the padding goes before the label, where it cannot shift a value.
    body = [[""] * (width - len(r)) + r for r in rows if _is_data(r)]
    # A page break inside the table: the footer lands in a row of its own.
    body.insert(len(body) // 2, ["— 5 —"] + [""] * (width - 1))
    head_rows = [h + [""] * (width - len(h)) for h in header[1:]]
    return [_table(header[0], head_rows + body, width)]


def _pipe_appeals(rows: list[list[str]]) -> list[str]:
    width = max(map(len, rows))
    return [_table(rows[0], [r + [""] * (width - len(r)) for r in rows[1:]], width)]


def _ocr_active(rows: list[list[str]]) -> list[str]:
    blocks: list[str] = []
    for row in rows:
        if len(row) == 1:
            blocks.append(f"### {row[0]}")
        elif row[0] == "信息内容":
            blocks.append(_table(row, []))
        else:
            blocks[-1] += "\n" + _line(row)
    return blocks


def _ocr_applications(rows: list[list[str]]) -> list[str]:
    blocks = [f"({rows[0][0].strip('（）')})", _table(_APPLICANT_HEADER, [])]
    group: list[list[str]] = []
    for row in filter(_is_data, rows):
        values, label = row[-_N_APPLICATION_COLS:], row[-_N_APPLICATION_COLS - 1]
        under_group = len(row) > _N_APPLICATION_COLS + 1
        if group and (under_group or not _SUB_ROW.match(label)):
            blocks.append(_table(_GENERIC_HEADER, group))
            group = []
        if under_group:
            blocks.append(f"### {row[0]}")  # 三、本年度办理结果, （三）不予公开, …
        if _SUB_ROW.match(label):
            group.append([label, *values])
        else:
            # The values print without their label, which is the heading; a page footer follows.
            footer = f"- {len(blocks)} -"
            blocks.extend((f"### {label}", _table(_APPLICANT_HEADER, [values]), footer))
    if group:
        blocks.append(_table(_GENERIC_HEADER, group))
    return blocks


def _ocr_appeals(rows: list[list[str]]) -> list[str]:
    values = rows[-1]
    header = [c.label for c in APPEALS.cols]
    blocks: list[str] = []
    for index, heading in enumerate(_APPEAL_HEADINGS):
        blocks.extend((f"### {heading}", _table(header, [values[5 * index : 5 * index + 5]])))
    return blocks


_PIPE_TABLES = (_pipe_active, _pipe_applications, _pipe_appeals)
_OCR_TABLES = (_ocr_active, _ocr_applications, _ocr_appeals)
