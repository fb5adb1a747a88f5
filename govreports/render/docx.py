"""Render a generated report as a Word document, or fill it into the official blank template.

:func:`render_docx` lays the rows of :mod:`govreports.render.grid` out in three tables with the
official merged-cell structure: section headings across the whole of 表二, the identity note
and 申请人情况 over 表三's header, the group labels (三、本年度办理结果, （三）不予公开, …)
merged down the rows they head, and 行政复议 / 行政诉讼 over 表四's header. Blank cells are
empty; placeholders are printed as generated.

:func:`fill_template` writes a 2021 report into the official blank template instead, finding
each value cell by its row and column labels.

>>> from govreports.synthetic import generate_report
>>> render_docx(generate_report(3))[:2]
b'PK'
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from copy import deepcopy
from dataclasses import dataclass

import docx
from docx.document import Document as WordDocument
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from govreports.cells import looks_numeric
from govreports.render.grid import report_prose, report_rows
from govreports.schema import (
    ACTIVE,
    APPEALS,
    APPLICATION_GROUPS,
    APPLICATIONS,
    OTHER_SUB_ROWS,
    TableSpec,
    match_row,
    normalize_label,
)
from govreports.synthetic import SyntheticReport

__all__ = ["fill_template", "render_docx"]


@dataclass(frozen=True)
class _Region:
    """One printed cell of a table: its text and the grid rectangle it covers."""

    text: str
    row: int
    col: int
    rows: int = 1
    cols: int = 1


# Column widths in cm; each table fills the 17 cm between A4 margins of 2 cm.
_WIDTHS = (
    (5.0, 4.0, 4.0, 4.0),  # 表二
    (1.4, 2.2, 5.0) + (1.2,) * 7,  # 表三
    (17 / 15,) * 15,  # 表四
)
_FONT = "SimSun"  # 宋体, as the official template; LibreOffice substitutes a CJK font if absent


def render_docx(report: SyntheticReport) -> bytes:
    """Render a generated report as DOCX bytes: prose paragraphs and the three tables.

    Args:
        report: a report from :func:`govreports.synthetic.generate_report`, either template.

    Returns:
        The bytes of a ``.docx`` file.

    >>> from govreports.synthetic import generate_report
    >>> import zipfile, io
    >>> "word/document.xml" in zipfile.ZipFile(io.BytesIO(render_docx(generate_report(1)))).namelist()
    True
    """
    document = docx.Document()
    _set_page_and_font(document)
    before, after = report_prose(report)
    title = document.add_paragraph(before[0])
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.runs[0].bold = True
    for line in before[1:]:
        document.add_paragraph(line)
    layouts = (_active_layout, _applications_layout, _appeals_layout)
    for (heading, rows), layout, widths in zip(_sections(report_rows(report)), layouts, _WIDTHS, strict=True):
        document.add_paragraph(heading)
        _add_table(document, layout(rows), widths)
    for line in after:
        document.add_paragraph(line)
    return _to_bytes(document)


def _set_page_and_font(document: WordDocument) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2)
    normal = document.styles["Normal"]
    normal.font.name = _FONT
    normal.font.size = Pt(10.5)
    # Chinese text takes the East Asian font slot, which font.name does not set.
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), _FONT)


def _sections(rows: list[list[str]]) -> list[tuple[str, list[list[str]]]]:
    """Split the grid rows at the section headings (二、 三、 四、) that precede each table."""
    sections: list[tuple[str, list[list[str]]]] = []
    for cells in rows:
        if len(cells) == 1 and cells[0][:2] in ("二、", "三、", "四、"):
            sections.append((cells[0], []))
        else:
            sections[-1][1].append(cells)
    return sections


def _active_layout(rows: list[list[str]]) -> list[_Region]:
    """表二: headings span the 4 columns; a row's last cell takes the columns left over."""
    regions = []
    for r, cells in enumerate(rows):
        for c, text in enumerate(cells):
            last = c == len(cells) - 1
            regions.append(_Region(text, r, c, 1, 4 - c if last else 1))
    return regions


def _applications_layout(rows: list[list[str]]) -> list[_Region]:
    """表三: the 3-row header, then data rows whose group labels merge down their rows."""
    note, applicants = rows[0]
    natural, organisations, total = rows[1]
    regions = [_Region(note, 0, 0, 3, 3), _Region(applicants, 0, 3, 1, 7)]
    regions += [_Region(natural, 1, 3, 2, 1), _Region(organisations, 1, 4, 1, 5), _Region(total, 1, 9, 2, 1)]
    regions += [_Region(text, 2, 4 + i) for i, text in enumerate(rows[2])]
    keys = {row.label: row.key for row in APPLICATIONS.rows}
    data = [cells[-8:] for cells in rows[3:]]  # label and 7 values, after any group labels
    groups = [_label_groups(keys[cells[0]]) for cells in data]
    for r, (cells, (block, group)) in enumerate(zip(data, groups, strict=True), start=3):
        for level, name in ((0, block), (1, group)):
            if name and (r == 3 or groups[r - 4][level] != name):
                height = _run_length([g[level] for g in groups[r - 3 :]])
                regions.append(_Region(name, r, level, height, 1))
        first = 2 if group else 1 if block else 0
        regions.append(_Region(cells[0], r, first, 1, 3 - first))
        regions += [_Region(text, r, 3 + i) for i, text in enumerate(cells[1:])]
    return regions


def _label_groups(key: str) -> tuple[str | None, str | None]:
    """Return the merged labels left of a 表三 row: 三、本年度办理结果 and its （三）–（六） group."""
    if key in ("new_received", "carried_over", "carried_forward"):
        return None, None
    prefixes = ("withheld_", "unable_", "not_processed_")
    group = next(
        (g for p, g in zip(prefixes, APPLICATION_GROUPS[1:4], strict=True) if key.startswith(p)), None
    )
    if key in OTHER_SUB_ROWS:
        group = APPLICATION_GROUPS[4]
    return APPLICATION_GROUPS[0], group


def _run_length(names: list[str | None]) -> int:
    """How many leading items equal the first one."""
    n = 1
    while n < len(names) and names[n] == names[0]:
        n += 1
    return n


def _appeals_layout(rows: list[list[str]]) -> list[_Region]:
    """表四: 行政复议 / 行政诉讼 over the header; the five review labels merge down two rows."""
    review, litigation = rows[0]
    regions = [_Region(review, 0, 0, 1, 5), _Region(litigation, 0, 5, 1, 10)]
    regions += [_Region(text, 1, c, 2, 1) for c, text in enumerate(rows[1][:5])]
    regions += [_Region(text, 1, 5 + 5 * i, 1, 5) for i, text in enumerate(rows[1][5:])]
    regions += [_Region(text, 2, 5 + c) for c, text in enumerate(rows[2])]
    regions += [_Region(text, 3, c) for c, text in enumerate(rows[3])]
    return regions


def _add_table(document: WordDocument, regions: list[_Region], widths: tuple[float, ...]) -> None:
    """Add a table whose cells span as the regions say (w:gridSpan across, w:vMerge down)."""
    owner = {(r.row + i, r.col + j): r for r in regions for i in range(r.rows) for j in range(r.cols)}
    table = document.add_table(rows=0, cols=len(widths))
    table.style = "Table Grid"  # ruled borders, as printed reports (and PDF table finders) have
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Cm(width)
    # Built cell by cell rather than with python-docx's merge(), which is quadratic in the
    # table's size and made rendering 3x slower.
    for row in range(max(r.row + r.rows for r in regions)):
        tr = table._tbl.add_tr()
        col = 0
        while col < len(widths):
            region = owner[(row, col)]
            tc = tr.add_tc()
            tc.width = Cm(sum(widths[col : col + region.cols]))
            if region.cols > 1:
                tc.grid_span = region.cols
            if region.rows > 1:
                tc.vMerge = "restart" if row == region.row else "continue"
            if row == region.row:
                _write(_Cell(tc, table), region.text)
            col += region.cols


def _write(cell: _Cell, text: str) -> None:
    cell.text = text
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    if not text or looks_numeric(text):
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER


def _to_bytes(document: WordDocument) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def fill_template(report: SyntheticReport, template_path: str | os.PathLike[str]) -> bytes:
    """Write a 2021 report into the official blank template; return the filled DOCX bytes.

    Value cells are found by the row label to their left and the column label above them,
    never by position, and the title and the first （文字描述） paragraph get the report's prose.

    Raises:
        ValueError: the report does not fit the template (a 2019 report, or （六） printed as
            one row), or a label of the template cannot be found.

    >>> from govreports.synthetic import generate_report
    >>> data = fill_template(generate_report(5), "tests/fixtures/template-2021-blank.docx")
    >>> data[:2]
    b'PK'
    """
    if report.template != "2021":
        raise ValueError(f"the blank template is the 2021 template; cannot fill a {report.template} report")
    document = docx.Document(os.fspath(template_path))
    _fill_prose(document, report)
    targets: dict[tuple[str, str, str], _Cell] = {}
    for table in document.tables:
        targets.update(_template_targets(table))
    missing = [key for key in report.cells if key not in targets]
    if missing:
        raise ValueError(
            f"{template_path}: no cell in the template for {missing[:5]} ({len(missing)} in all)"
        )
    for key, (_value, raw, _status) in report.cells.items():
        _replace_text(targets[key], raw)
    return _to_bytes(document)


def _fill_prose(document: WordDocument, report: SyntheticReport) -> None:
    """Put the title in place of the template's, and the opening prose in its first （文字描述）."""
    before, _after = report_prose(report)
    paragraphs = document.paragraphs
    title = next((p for p in paragraphs if "年度报告" in p.text), None)
    placeholder = next((p for p in paragraphs if p.text.strip() == "（文字描述）"), None)
    if title is None or placeholder is None:
        raise ValueError("the template has no title or no （文字描述） paragraph to fill")
    _replace_paragraph_text(title, before[0])
    headings = {p.text.strip() for p in paragraphs}
    body = [line for line in before[1:] if line not in headings]
    _replace_paragraph_text(placeholder, body[0])
    anchor = placeholder
    for line in body[1:]:
        copy = deepcopy(anchor._p)
        anchor._p.addnext(copy)
        anchor = type(placeholder)(copy, placeholder._parent)
        _replace_paragraph_text(anchor, line)


def _template_targets(table: Table) -> dict[tuple[str, str, str], _Cell]:
    """Map each value cell of a template table to its ``(table, row_key, col_key)``."""
    text = "".join(cell.text for cell in table.rows[0].cells)
    if "第二十条" in text:
        return _labelled_targets(table, ACTIVE)
    if "勾稽关系" in text or "申请人" in text:
        return _labelled_targets(table, APPLICATIONS)
    if "行政复议" in text:
        return _appeals_targets(table)
    return {}


def _labelled_targets(table: Table, spec: TableSpec) -> dict[tuple[str, str, str], _Cell]:
    """Rows by their label, columns by the nearest header row above that names them."""
    headers: dict[int, str] = {}
    targets: dict[tuple[str, str, str], _Cell] = {}
    for row in table.rows:
        cells = row.cells
        labels = [normalize_label(cell.text) for cell in cells]
        row_key = next((k for k in (match_row(spec, t) for t in reversed(labels)) if k), None)
        if row_key is None:
            found = {i: _col_key(spec, label) for i, label in enumerate(labels)}
            headers.update({i: col for i, col in found.items() if col})
            continue
        wanted = spec.cols_of(row_key, "2021")
        for i, cell in _distinct(cells):
            if headers.get(i) in wanted and not labels[i].strip():
                targets[(spec.key, row_key, headers[i])] = cell
    return targets


def _appeals_targets(table: Table) -> dict[tuple[str, str, str], _Cell]:
    """表四: a column's kind from all its header cells, its result from the lowest one."""
    rows = [row.cells for row in table.rows]
    at = next((i for i, r in enumerate(rows) if i and not any(normalize_label(c.text) for c in r)), None)
    if at is None:
        return {}
    header, data = rows[:at], rows[at]
    targets: dict[tuple[str, str, str], _Cell] = {}
    for i, cell in _distinct(data):
        path = "".join(normalize_label(r[i].text) for r in header)
        row_key = match_row(APPEALS, path)
        col_key = _col_key(APPEALS, normalize_label(header[-1][i].text))
        if row_key and col_key:
            targets[("appeals", row_key, col_key)] = cell
    return targets


def _col_key(spec: TableSpec, label: str) -> str | None:
    """Return the column whose official label is ``label`` (after normalisation), or None."""
    return next((c.key for c in spec.cols if label and normalize_label(c.label) == label), None)


def _distinct(cells: list[_Cell]) -> Iterator[tuple[int, _Cell]]:
    """Each cell once, at the first grid column it covers (a merged cell repeats in ``cells``)."""
    seen = set()
    for i, cell in enumerate(cells):
        if id(cell._tc) not in seen:
            seen.add(id(cell._tc))
            yield i, cell


def _replace_text(cell: _Cell, text: str) -> None:
    """Set a template cell's text, keeping its paragraph and run formatting."""
    paragraphs = cell.paragraphs
    for extra in paragraphs[1:]:
        extra._p.getparent().remove(extra._p)
    _replace_paragraph_text(paragraphs[0], text)


def _replace_paragraph_text(paragraph: Paragraph, text: str) -> None:
    runs = paragraph._p.findall(qn("w:r"))
    run_properties = runs[0].find(qn("w:rPr")) if runs else None
    for child in list(paragraph._p):
        if child.tag != qn("w:pPr"):
            paragraph._p.remove(child)
    run = paragraph.add_run(text)
    if run_properties is not None:
        run._r.insert(0, deepcopy(run_properties))
