"""Hostile HTML: each page is an ordinary generated report with one trick added, read exactly.

Hidden digits never join a number, a superscript after a number is a footnote mark, a number
merged over rows is never read as several values, tables written by a script are refused, and
junk that stops libxml2 (deep nesting, giant tokens) does not lose the report after it.
"""

import json
import re

import pytest
from conftest import cell_tuples

import govreports as gr
from govreports.cells import parse_cell
from govreports.errors import RefusedInputError, UnsupportedInputError
from govreports.readers.html import _parse, read_html
from govreports.render.html import render_html
from govreports.report import MAX_BYTES
from govreports.synthetic import generate_report

MB = 1 << 20
# Every cell of the generated report holds a number (no blank, no placeholder, no run of zeros),
# so that one cell changed by a trick is the only difference from the generated cells.
SYNTHETIC = generate_report(21, template="2021", blank_rate=0.0, placeholder_rate=0.0, zero_share=0.0)
PAGE = render_html(SYNTHETIC, word_spans=False).decode()
NEW_RECEIVED = "一、本年新收政府信息公开申请数量"
CARRIED_OVER = "二、上年结转政府信息公开申请数量"


def _read(tmp_path, page: str | bytes, name: str = "page.html"):
    path = tmp_path / name
    path.write_bytes(page.encode() if isinstance(page, str) else page)
    return gr.read_report(path)


def _cell(table: str, row: str, col: str):
    return SYNTHETIC.cells[(table, row, col)]


def _value_span(page: str, label: str, index: int) -> tuple[int, int]:
    """Where the ``<span>`` holding the index-th value after a row's label is in the page."""
    row_start = page.rfind("<tr", 0, page.index(label))
    row_end = page.index("</tr>", row_start)
    cells = [m.start() for m in re.finditer("<td", page[row_start:row_end])]
    cell = row_start + cells[1 + index]  # the label's cell first
    start = page.index("<span>", cell)
    return start, page.index("</span>", start) + len("</span>")


def _with_value(page: str, label: str, index: int, markup: str) -> str:
    start, end = _value_span(page, label, index)
    return page[:start] + markup + page[end:]


def _with_style(page: str, css: str) -> str:
    return page.replace("</head>", f"<style>{css}</style></head>", 1)


def _index(report, row_key: str, col_key: str) -> int:
    cells = report.cells
    return int(((cells.row_key == row_key) & (cells.col_key == col_key)).to_numpy().argmax())


def _expected_except(*changed: tuple[str, str, str, float | None, str]) -> list[tuple]:
    """The generated cells, with the given ones replaced."""
    replaced = {c[:3]: c for c in changed}
    return [replaced.get(cell[:3], cell) for cell in SYNTHETIC.expected()]


# --- 1. hidden digits --------------------------------------------------------------------------

NATURAL = _cell("applications", "new_received", "natural_person")[1]  # "29": printed first in 表三


@pytest.mark.parametrize(
    ("css", "hidden"),
    [
        (".x{display:none}", "<span class=x>9</span>"),
        ("span.x {visibility: hidden}", "<span class=x>9</span>"),
        ("#n9{FONT-SIZE:0PT}", "<span id=n9>9</span>"),
        (".a, p .b, .x { color:red; display : none !important }", "<span class='y x'>9</span>"),
        ("@media screen { .x{display:none} }", "<span class=x>9</span>"),
        ("/* .x{display:block} */ .x{font-size:.0em}", "<span class=x>9</span>"),
        ("", "<span hidden>9</span>"),
        ("", "<span style='visibility:hidden'>9</span>"),
        ("", "<span style='font-size:0px'>9</span>"),
        ("", "<span style='DISPLAY&#58;NONE'>9</span>"),
        (".x{visibility:hidden}", "<span class=x>9<span style='visibility:hidden'>8</span></span>"),
        (".x{font-size:0}", "<span class=x>9<span style='font-size:2em'>8</span></span>"),
    ],
)
def test_a_digit_hidden_by_a_rule_or_a_style_never_joins_the_number(tmp_path, css, hidden):
    cell = f"<span>{NATURAL[0]}{hidden}{NATURAL[1:]}</span>"  # the page shows 29, not 299 or 2989
    page = _with_style(_with_value(PAGE, NEW_RECEIVED, 0, cell), css)
    report = _read(tmp_path, page)
    assert cell_tuples(report.cells) == SYNTHETIC.expected()
    assert report.cells.raw.iloc[_index(report, "new_received", "natural_person")] == NATURAL


@pytest.mark.parametrize(
    ("css", "cell", "shown"),
    [
        ("@media print { .x{display:none} }", "1<span class=x>9</span>7", "197"),  # hidden on paper only
        (".nav .x{display:none}", "1<span class=x>9</span>7", "197"),  # not a simple selector
        (".x{display:none} .x{display:inline}", "1<span class=x>9</span>7", "197"),  # a later rule wins
        (".x{display:none}", "1<span class=x style='display:inline'>9</span>7", "197"),  # inline wins
        (".x{visibility:hidden}", "<span class=x>8<b style='visibility:visible'>1</b></span>7", "17"),
        (".x{font-size:0}", "<span class=x>8<b style='font-size:12pt'>1</b></span>7", "17"),
        ("", "1<span style='overflow:hidden;font-size:0.5pt'>9</span>7", "197"),  # tiny, not hidden
    ],
)
def test_text_that_the_page_shows_is_kept(css, cell, shown):
    page = f"<style>{css}</style><table><tr><td>行政许可</td><td>{cell}</td></tr></table>"
    assert [row.cells for row in read_html("shown.html", data=page.encode()).rows] == [("行政许可", shown)]


def test_a_hidden_row_group_and_cell_are_no_cells():
    page = (
        "<style>.gone{display:none}</style><table><tbody class=gone><tr><td>行政处罚</td><td>9</td></tr>"
        "</tbody><tbody><tr><td>行政许可</td><td class=gone>9</td><td>3</td></tr></tbody></table>"
    )
    assert [row.cells for row in read_html("rows.html", data=page.encode()).rows] == [("行政许可", "3")]


# --- 2. superscripts ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("css", "mark"),
    [
        ("", "<sup>1</sup>"),
        ("", "<sub>1</sub>"),
        ("", "<span style='vertical-align:super'>1</span>"),
        ("span.MsoFootnoteReference{vertical-align:super}", "<span class=MsoFootnoteReference>1</span>"),
    ],
)
def test_a_superscript_after_a_number_is_a_footnote_mark(tmp_path, css, mark):
    page = _with_style(_with_value(PAGE, NEW_RECEIVED, 0, f"<span>{NATURAL}{mark}</span>"), css)
    report = _read(tmp_path, page)
    footnote = ("applications", "new_received", "natural_person", float(NATURAL), "footnote")
    assert cell_tuples(report.cells) == _expected_except(footnote)
    assert report.cells.raw.iloc[_index(report, "new_received", "natural_person")] == f"{NATURAL}¹"


@pytest.mark.parametrize(
    ("cell", "text", "status"),
    [
        ("179<sup>1</sup>", "179¹", "footnote"),
        ("179<sup> 12</sup>", "179 ¹²", "footnote"),
        ("<sup>1</sup>79", "1 79", "text"),  # a mark before the number is not part of it either
        ("<sup>12</sup>", "12", "ok"),  # a whole cell set as superscript is its number
        ("1<sup>7</sup>9", "1⁷ 9", "text"),  # NFKC would make 1⁷9 the number 179
    ],
)
def test_raised_digits_are_never_more_digits_of_a_number(cell, text, status):
    page = f"<table><tr><td>行政许可</td><td>{cell}</td></tr></table>"
    assert read_html("sup.html", data=page.encode()).rows[0].cells == ("行政许可", text)
    assert parse_cell(text)[1] == status


# --- 3. a number merged over rows -----------------------------------------------------------------


def _merged_page() -> str:
    """表三 with the natural-person value of 一、本年新收 merged down over 二、上年结转."""
    start = PAGE.rfind("<td", 0, _value_span(PAGE, CARRIED_OVER, 0)[0])
    page = PAGE[:start] + PAGE[PAGE.index("</td>", start) + len("</td>") :]  # the cell is gone
    start = page.rfind("<td", 0, _value_span(page, NEW_RECEIVED, 0)[0])
    return page[:start] + "<td rowspan=2" + page[start + len("<td") :]


def test_a_number_merged_over_rows_is_a_merged_cell_in_each_row(tmp_path):
    report = _read(tmp_path, _merged_page())
    merged = [
        ("applications", "new_received", "natural_person", None, "merged_cell"),
        ("applications", "carried_over", "natural_person", None, "merged_cell"),
    ]
    assert cell_tuples(report.cells) == _expected_except(*merged)
    raw = [
        report.cells.raw.iloc[_index(report, row, "natural_person")]
        for row in ("new_received", "carried_over")
    ]
    assert raw == [f"{NATURAL} ⊞"] * 2  # the number as printed, with the mark of a merged cell


def test_labels_keep_repeating_down_their_rows_and_only_numbers_are_marked():
    page = (
        "<table><tr><td rowspan=2>（三）不予公开</td><td>1.属于国家秘密</td><td rowspan=2>4</td>"
        "<td rowspan=2>/</td><td rowspan=2></td><td colspan=2>5</td></tr>"
        "<tr><td>2.其他法律行政法规禁止公开</td><td>6</td></tr></table>"
    )
    assert [row.cells for row in read_html("spans.html", data=page.encode()).rows] == [
        ("（三）不予公开", "1.属于国家秘密", "4 ⊞", "/ ⊞", "", "5"),
        ("（三）不予公开", "2.其他法律行政法规禁止公开", "4 ⊞", "/ ⊞", "", "6"),
    ]


def test_a_huge_rowspan_on_a_number_marks_each_copy_and_stays_bounded():
    page = (
        "<table><tr><td>规章</td><td rowspan=100000 colspan=100000>7</td></tr>"
        + "<tr><td>行政规范性文件</td></tr>" * 3
        + "</table>"
    )
    rows = [row.cells for row in read_html("huge.html", data=page.encode()).rows]
    assert rows == [("规章", "7 ⊞")] + [("行政规范性文件", "7 ⊞")] * 3


# --- 4. tables written by a script ----------------------------------------------------------------


def _scripted(write) -> str:
    """The page with its three report tables moved into a script that writes them."""
    tables = re.findall(r"<table class=MsoNormalTable.*?</table>", PAGE, flags=re.S)
    assert len(tables) == 3
    page = PAGE
    for table in tables:
        page = page.replace(table, f"<div id=t></div><script>{write(table)}</script>", 1)
    return page


@pytest.mark.parametrize(
    "write",
    [
        lambda table: "document.write('" + table.replace("'", "\\'").replace("\n", "\\n") + "');",
        lambda table: f"document.getElementById('t').innerHTML = {json.dumps(table)};",  # \\u escapes
    ],
    ids=["document.write", "innerHTML"],
)
def test_tables_written_by_a_script_are_refused(tmp_path, write):
    with pytest.raises(UnsupportedInputError, match=r"scripted\.html: tables are generated by script"):
        _read(tmp_path, _scripted(write), "scripted.html")


def test_a_script_naming_row_labels_does_not_refuse_a_report_without_tables(tmp_path):
    page = (
        "<html><head><script>var menu = ['行政许可', '行政处罚', '行政强制', '行政复议'];</script></head>"
        "<body><h1>某县2017年政府信息公开工作年度报告</h1><p>一、概述</p>"
        "<p>全年主动公开政府信息120条。</p></body></html>"
    )
    report = _read(tmp_path, page)
    assert (report.meta["template"], report.meta["year"]) == ("none", 2017)


# --- 5. junk before the report --------------------------------------------------------------------


def _after_junk(junk: str) -> str:
    """The page with junk at the start of its body, before the site chrome and the report."""
    body = PAGE.index(">", PAGE.index("<body")) + 1
    return PAGE[:body] + junk + PAGE[body:]


@pytest.mark.parametrize(
    "junk",
    [
        "<div>" * 100_000 + "x" + "</div>" * 100_000,
        "<table><tr><td>" * 20_000 + "x" + "</td></tr></table>" * 20_000,
        '<p><img src="data:image/png;base64,' + "QUJD" * (11 * MB // 4) + '"></p>',
        "<p>" + "垃圾" * (4 * MB) + "</p>",  # 24 MB of text in one paragraph
        "<script>" + "if (a<b) {}\n" * MB + "</script>",
    ],
    ids=["100k-nested-divs", "20k-nested-tables", "11MB-data-uri", "24MB-paragraph", "12MB-script"],
)
def test_a_report_after_junk_that_stops_the_parser_is_read(tmp_path, junk):
    page = _after_junk(junk).encode()
    assert _parse(page)[1] is not None  # libxml2 stops in the junk: the rest would be lost
    report = _read(tmp_path, page)
    assert cell_tuples(report.cells) == SYNTHETIC.expected()
    assert report.meta["organ"] == SYNTHETIC.organ
    # Tables the taming left out would shift the page's table numbers: cells name lines only.
    read = report.cells.source_ref[report.cells.raw != ""]
    assert read.str.fullmatch(r"line \d+").all()


@pytest.mark.parametrize("kind", ["data-uri", "paragraph"])
def test_a_report_after_junk_just_under_the_file_size_limit_is_read(tmp_path, kind):
    room = MAX_BYTES - len(PAGE.encode()) - 100
    if kind == "data-uri":
        junk = '<img src="data:image/png;base64,' + "A" * room + '">'
    else:
        junk = "<p>" + "junk " * (room // 5) + "</p>"
    page = _after_junk(junk).encode()
    assert MAX_BYTES - 1000 < len(page) <= MAX_BYTES
    report = _read(tmp_path, page)
    assert cell_tuples(report.cells) == SYNTHETIC.expected()


def test_a_report_inside_junk_that_never_closes_is_read(tmp_path):
    report = _read(tmp_path, _after_junk("<div><span>" * 50_000))  # 100,000 elements, never closed
    assert cell_tuples(report.cells) == SYNTHETIC.expected()


def test_tables_nested_deeper_than_what_is_read_are_refused_by_name(tmp_path):
    junk = "<table><tr><td>" * 300  # never closed: the report's tables are nested 900 deep
    with pytest.raises(
        RefusedInputError,
        match=r"deep\.html: refused: the page's tables are nested more than 192 elements deep "
        r"\(\d+ table cells out of reach\)",
    ):
        _read(tmp_path, _after_junk(junk), "deep.html")


def test_a_page_with_nothing_but_deep_nesting_is_refused_by_name(tmp_path):
    page = "<html><body>" + "<div>" * 100_000 + "某县2023年政府信息公开工作年度报告" + "</div>" * 100_000
    with pytest.raises(
        RefusedInputError, match=r"nothing\.html: refused: the page shows no text above the 128 levels"
    ):
        _read(tmp_path, page, "nothing.html")
