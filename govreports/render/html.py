"""Render a generated report as a saved government web page, the way portals publish Word files.

The content (prose and every table cell) comes from :func:`govreports.render.grid.report_rows`
and :func:`~govreports.render.grid.report_prose`; this module adds what HTML carries on top:
the templates' merged cells (the 表三 note spanning three rows and columns, the vertical
三、本年度办理结果 and the group labels spanning their sub-rows, colspans in the 表二 and 表四
headers), Word's markup (``<o:p>``, runs of ``<span>``/``<font>``, ``&nbsp;`` for a blank cell,
source lines wrapped inside Chinese text) and page chrome around the report (scripts, styles,
a logo, a menu, a breadcrumb, an attachment link, a footer).

>>> from govreports.synthetic import generate_report
>>> page = render_html(generate_report(7), encoding="gbk")
>>> b"charset=gbk" in page, "政府信息公开".encode("gbk") in page
(True, True)
"""

from __future__ import annotations

import html
import re
from typing import NamedTuple

from govreports.render.grid import report_prose, report_rows
from govreports.schema import APPEALS, APPLICATIONS
from govreports.synthetic import SyntheticReport

# A one-cell row that opens a section (二、主动公开政府信息情况) is a paragraph before a table.
_SECTION = re.compile(r"^[一二三四五六七八九十]+、")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_WIDE = "\u2e80"
_WRAP_AT = 12  # labels longer than this get a source line break inside, as Word writes them
_LABEL_COLUMNS = 3  # 表三 prints its row labels across three columns
_VALUES = len(APPLICATIONS.cols)  # 表三's value columns: six applicant kinds and 总计
_OUTCOMES = len(APPEALS.cols)  # 表四: 结果维持 … 总计 under each of its three headings
_ACTIVE_COLUMNS = 4  # 表二: 信息内容 and up to three value columns
_P = "<p class=MsoNormal align=center style='text-align:center'>"
_STYLE = """<style>
<!--
 /* Style Definitions */
 p.MsoNormal, li.MsoNormal, div.MsoNormal {margin:0cm;text-align:justify;font-size:10.5pt;
 font-family:"Times New Roman","serif";}
 table.MsoNormalTable {mso-style-name:普通表格;}
 .nav li {display:inline;}
-->
</style>"""
_SCRIPT = """<script type="text/javascript">
var keywords = "第二十条 本年新收 行政复议 总计 0 1 2";
document.write('<div class="share">' + keywords + '</div>');
</script>"""


class _Cell(NamedTuple):
    """A table cell as the template merges it."""

    text: str
    rowspan: int = 1
    colspan: int = 1
    vertical: bool = False


def render_html(report: SyntheticReport, *, encoding: str = "utf-8", word_spans: bool = True) -> bytes:
    """Render a report as a Word-exported web page, encoded as its ``<meta>`` charset says.

    Args:
        report: a generated report.
        encoding: the page's charset, e.g. ``"utf-8"`` or ``"gbk"``.
        word_spans: write Word's markup: numbers and labels split over runs of
            ``<span>``/``<font>``, source line breaks inside labels, the vertical label one
            character per line, and Word's trailing row of empty column-width cells.

    >>> from govreports.synthetic import generate_report
    >>> b"<span lang=EN-US>" in render_html(generate_report(1), word_spans=False)
    False
    """
    before, after = report_prose(report)
    tables = _section_tables(report)
    body = [_paragraph(line) for line in before]
    for heading, grid in tables:
        body.append(_paragraph(heading, bold=True))
        body.append(_table(grid, word_spans))
    body.extend(_paragraph(line) for line in after)
    page = _page(before[0], report, "\n".join(body), encoding)
    return page.encode(encoding, errors="xmlcharrefreplace")


def _section_tables(report: SyntheticReport) -> list[tuple[str, list[list[_Cell]]]]:
    """Split the shared rows at the section headings and merge each table's cells."""
    sections: list[tuple[str, list[list[str]]]] = []
    for cells in report_rows(report):
        if len(cells) == 1 and _SECTION.match(cells[0]):
            sections.append((cells[0], []))
        else:
            sections[-1][1].append(cells)
    keys = list(dict.fromkeys(k[1] for k in report.cells if k[0] == "applications"))
    (active, active_rows), (applications, applications_rows), (appeals, appeals_rows) = sections
    return [
        (active, _active_grid(active_rows)),
        (applications, _applications_grid(applications_rows, keys)),
        (appeals, _appeals_grid(appeals_rows)),
    ]


def _active_grid(rows: list[list[str]]) -> list[list[_Cell]]:
    """表二: one grid of four columns; a row with fewer cells widens its last cell.

    >>> [cell.colspan for cell in _active_grid([["第二十条第（八）项"], ["行政事业性收费", "1.50"]])[1]]
    [1, 3]
    """
    grid = []
    for cells in rows:
        merged = [_Cell(text) for text in cells]
        merged[-1] = merged[-1]._replace(colspan=_ACTIVE_COLUMNS - len(cells) + 1)
        grid.append(merged)
    return grid


def _applications_grid(rows: list[list[str]], keys: list[str]) -> list[list[_Cell]]:
    """表三: the three header rows as the template merges them, then one row per printed key."""
    note, applicants = rows[0]
    natural, legal, total = rows[1]
    grid = [
        [_Cell(note, 3, _LABEL_COLUMNS), _Cell(applicants, colspan=_VALUES)],
        [_Cell(natural, rowspan=2), _Cell(legal, colspan=5), _Cell(total, rowspan=2)],
        [_Cell(text) for text in rows[2]],
    ]
    data = rows[3:]
    label = -_VALUES - 1  # a data row is [vertical label] [group label] label values…
    vertical_left = group_left = 0
    for index, cells in enumerate(data):
        merged = []
        for prefix in cells[:label]:
            if cells[label][0].isdigit() and prefix == cells[label - 1]:
                group_left = _run_of_items(data, index)
                merged.append(_Cell(prefix, group_left))
            else:
                vertical_left = keys.index("total_processed") - index + 1
                merged.append(_Cell(prefix, vertical_left, vertical=True))
        spanned = (vertical_left > 0) + (group_left > 0)
        merged.append(_Cell(cells[label], colspan=_LABEL_COLUMNS - spanned))
        merged.extend(_Cell(value) for value in cells[label + 1 :])
        grid.append(merged)
        vertical_left, group_left = max(vertical_left - 1, 0), max(group_left - 1, 0)
    return grid


def _run_of_items(data: list[list[str]], start: int) -> int:
    """Count the rows of the group opening at ``start``: it and the numbered rows (2. 3. …) after it."""
    end = start + 1
    while end < len(data) and len(data[end]) == _VALUES + 1 and data[end][0][0].isdigit():
        end += 1
    return end - start


def _appeals_grid(rows: list[list[str]]) -> list[list[_Cell]]:
    """表四: 行政复议 over five columns, 行政诉讼 over ten, the review sub-heads two rows high."""
    review, litigation = rows[0]
    heads = rows[1]
    return [
        [_Cell(review, colspan=_OUTCOMES), _Cell(litigation, colspan=2 * _OUTCOMES)],
        [_Cell(text, rowspan=2) for text in heads[:_OUTCOMES]]
        + [_Cell(text, colspan=_OUTCOMES) for text in heads[_OUTCOMES:]],
        [_Cell(text) for text in rows[2]],
        [_Cell(text) for text in rows[3]],
    ]


def _table(grid: list[list[_Cell]], word: bool) -> str:
    lines = ["<table class=MsoNormalTable border=1 cellspacing=0 cellpadding=0"]
    lines.append(" style='border-collapse:collapse;border:none;mso-padding-alt:0cm 5.4pt 0cm 5.4pt'>")
    for row in grid:
        lines.append("<tr>" + "".join(_td(cell, word) for cell in row) + "</tr>")
    if word:
        # Word closes a table with a row of empty cells that only carry the column widths.
        width = sum(cell.colspan for cell in grid[-1])
        filler = "<td width=57 style='border:none'></td>" * width
        lines.append(f"<![if !supportMisalignedColumns]><tr height=0>{filler}</tr><![endif]>")
    lines.append("</table>")
    return "\n".join(lines)


def _td(cell: _Cell, word: bool) -> str:
    spans = "".join(
        f" {name}={value}"
        for name, value in (("rowspan", cell.rowspan), ("colspan", cell.colspan))
        if value > 1
    )
    style = " style='border:solid windowtext 1.0pt;padding:0cm 5.4pt 0cm 5.4pt'"
    return f"<td valign=center{spans}{style}>{_P}{_runs(cell, word)}</p></td>"


def _runs(cell: _Cell, word: bool) -> str:
    """Write the inside of a cell's paragraph: Word's runs, or plain text.

    >>> _runs(_Cell("1234"), True)
    '<span lang=EN-US>1<span>23</span><font face=宋体>4</font><o:p></o:p></span>'
    >>> _runs(_Cell(""), False)
    '<span lang=EN-US>&nbsp;<o:p></o:p></span>'
    """
    text = cell.text
    if not text:
        return "<span lang=EN-US>&nbsp;<o:p></o:p></span>"
    if not word:
        return f"<span>{html.escape(text)}</span>"
    if _NUMBER.fullmatch(text) and len(text) > 1:
        middle = len(text) // 2 + 1
        runs = f"{text[0]}<span>{text[1:middle]}</span>"
        runs += f"<font face=宋体>{text[middle:]}</font>" if text[middle:] else ""
        return f"<span lang=EN-US>{runs}<o:p></o:p></span>"
    if cell.vertical:
        return "<br>\r\n".join(html.escape(char) for char in text)
    return f"<span style='font-family:宋体'>{_wrapped(html.escape(text))}</span>"


def _wrapped(text: str) -> str:
    """Break a long label's source line between Chinese characters, as Word's HTML export does."""
    if len(text) <= _WRAP_AT:
        return text
    at = len(text) // 2
    while at < len(text) and text[at - 1] < _WIDE and text[at] < _WIDE:
        at += 1
    return f"{text[:at]}\r\n{text[at:]}"


def _paragraph(text: str, *, bold: bool = False) -> str:
    inner = f"<b>{html.escape(text)}</b>" if bold else html.escape(text)
    return f"<p class=MsoNormal style='text-indent:21.0pt'><span style='font-family:宋体'>{inner}</span></p>"


def _page(title: str, report: SyntheticReport, content: str, encoding: str) -> str:
    """Wrap the report in a portal page: head, logo, menu, breadcrumb, attachment, footer."""
    site = html.escape(f"{report.organ}门户网站")
    title = html.escape(title)
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:w="urn:schemas-microsoft-com:office:word">
<head>
<meta http-equiv="Content-Type" content="text/html; charset={encoding}">
<meta name=Generator content="Microsoft Word 15 (filtered)">
<title>{title}_{site}</title>
{_STYLE}
{_SCRIPT}
</head>
<body lang=ZH-CN style='text-justify-trim:punctuation'>
<div class="header"><img src="/images/logo.png" alt="{site}"><span>{site}</span></div>
<div class="nav"><ul><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li>
<li><a href="/zwgk/ndbg/">政府信息公开年报</a></li><li><a href="/xzfy/">行政复议</a></li></ul></div>
<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt;
<a href="/zwgk/ndbg/">政府信息公开年报</a></div>
<div class="article">
<h1 class="title">{title}</h1>
<div class="info">发布日期：{report.year + 1}-01-25</div>
<div class=WordSection1 style='layout-grid:15.6pt'>
{content}
</div>
<div class="attach">附件下载：<a href="/attach/{report.year}.docx">{title}.docx</a></div>
</div>
<div class="footer"><a href="/about/">关于我们</a> | <a href="/map/">网站地图</a> |
<a href="/contact/">联系我们</a></div>
</body>
</html>
"""
