"""HTML pages: generate → render as a Word-exported page → read → the same cells; bad pages fail exactly."""

import re
import socket

import lxml.html
import pytest
from conftest import FIXTURES, REPORT_PARAMS, assert_round_trip, cell_tuples
from hypothesis import given, settings
from hypothesis import strategies as st

import govreports as gr
from govreports.errors import EmptyInputError, NoTablesError, NotAReportError
from govreports.readers import RawRow, sniff
from govreports.readers.html import read_html
from govreports.render.html import render_html
from govreports.schema import APPEALS, APPLICATIONS
from govreports.synthetic import generate_report

WORD_2019 = FIXTURES / "html" / "word-2019-data-colspan.html"

reports = REPORT_PARAMS


def _write(directory, name: str, data: bytes):
    path = directory / name
    path.write_bytes(data)
    return path


@settings(max_examples=40, deadline=None)
@given(params=reports, encoding=st.sampled_from(["utf-8", "gbk"]), word_spans=st.booleans())
def test_render_then_read_gives_the_same_cells(tmp_path_factory, params, encoding, word_spans):
    synthetic = generate_report(**params)
    page = render_html(synthetic, encoding=encoding, word_spans=word_spans)
    assert sniff(page) == "html"
    report = gr.read_report(_write(tmp_path_factory.mktemp("html"), "report.html", page))
    assert_round_trip(report, synthetic)
    assert report.meta["organ"] == synthetic.organ
    assert (report.meta["format"], report.meta["encoding"]) == ("html", encoding)


@pytest.mark.parametrize(
    ("cell", "text"),
    [
        ("1<span>2</span><font>3</font><o:p></o:p>", "123"),  # runs of one number
        ("<p class=MsoNormal><span lang=EN-US>&nbsp;<o:p></o:p></span></p>", ""),  # a blank, never 0
        ("&#12288;", ""),
        ("本年新<br>\r\n制作数量", "本年新制作数量"),  # a header wrapped by Word
        ("1<br>2", "1 2"),  # two lines are not one number
        ("<p>1</p><p>2</p>", "1 2"),
        ("<span style='display: none'>9</span>7", "7"),
        ("<span style='DISPLAY&#58;NONE'>9</span>7", "7"),  # a style spelt with a reference
        ("3<script>document.write(4)</script>", "3"),
    ],
)
def test_cell_text(cell, text):
    page = f"<table><tr><td>行政许可</td><td>{cell}</td></tr></table>".encode()
    assert read_html("cell.html", data=page).rows == [RawRow(("行政许可", text), 1)]


def test_spans_repeat_labels_down_and_add_no_phantom_cells():
    page = (
        "<table><tr><td rowspan=3>三、本年度办理结果</td><td rowspan=2>（三）不予公开</td>"
        "<td>1.属于国家秘密</td><td colspan=2>1</td><td>&nbsp;</td></tr>"
        "<tr><td>2.其他法律行政法规禁止公开</td><td>2</td><td colspan=3>3</td></tr>"
        "<tr style='display:none'><td>hidden</td><td>9</td></tr>"
        "<tr><td colspan=2>（七）总计</td><td>4</td><td style='display:none'>9</td><td>5</td></tr></table>"
    ).encode()
    rows = [row.cells for row in read_html("spans.html", data=page).rows]
    assert rows == [
        ("三、本年度办理结果", "（三）不予公开", "1.属于国家秘密", "1", ""),
        ("三、本年度办理结果", "（三）不予公开", "2.其他法律行政法规禁止公开", "2", "3"),
        ("三、本年度办理结果", "（七）总计", "4", "5"),
    ]


def test_links_drop_menus_but_not_a_row_whose_label_is_a_link():
    page = (
        "<p>政府信息公开</p><table><tr><td><a href=/a>首页</a></td><td><a href=/b>政务公开</a></td></tr>"
        "<tr><td><a href=/xk>行政许可</a></td><td>12</td></tr></table>"
        "<div>附件：<a href=/f.doc>年度报告.doc</a></div>"
    ).encode()
    assert [row.cells for row in read_html("links.html", data=page).rows] == [
        ("政府信息公开",),
        ("行政许可", "12"),
    ]


# The hand-written page: a 2019 report exported from Word, with Shanghai 2019's quirk in 表二
# (the header puts colspan=2 on 本年增/减, the data rows on the 上一年项目数量 value), &nbsp;
# blanks (a blank 总计 too), numbers split over runs, vertical and group labels in rowspans,
# an index table and links before the title, and a seal image after the tables.
# "_" is a blank cell, "—" a dash, "/" a slash.
WORD_2019_ACTIVE = {
    ("rules", "made published total_published"): "5 5 87",
    ("normative_documents", "made published total_published"): "12 12 230",
    ("licensing", "previous_year_items change decisions"): "46 -3 1205",
    ("other_services", "previous_year_items change decisions"): "8 0 _",
    ("penalty", "previous_year_items change decisions"): "31 2 678",
    ("coercion", "previous_year_items change decisions"): "9 — 41",
    ("fees", "previous_year_items change"): "4 -1",
    ("procurement", "items amount"): "6 251000元",
}
WORD_2019_APPLICATIONS = {
    "new_received": "120 15 _ _ 2 1 138",
    "carried_over": "6 _ _ _ _ _ 6",
    "granted": "40 6 _ _ 1 1 _",
    "partially_granted": "3 _ _ _ _ _ 3",
    "withheld_state_secret": "1 _ _ _ _ _ 1",
    "withheld_law_prohibited": "_ _ _ _ _ _ _",
    "withheld_three_safeties": "_ _ _ _ _ _ _",
    "withheld_third_party": "2 1 _ _ _ _ 3",
    "withheld_internal_affairs": "_ _ _ _ _ _ _",
    "withheld_process_info": "4 _ _ _ _ _ 4",
    "withheld_enforcement_file": "_ _ _ _ _ _ _",
    "withheld_admin_query": "5 2 _ _ _ _ 7",
    "unable_not_held": "30 3 _ _ 1 _ 34",
    "unable_needs_creation": "6 1 _ _ _ _ 7",
    "unable_unclear": "4 _ _ _ _ _ 4",
    "not_processed_complaint": "20 1 _ _ _ _ 21",
    "not_processed_duplicate": "5 2 _ _ _ _ 7",
    "not_processed_publication": "_ _ _ _ _ _ _",
    "not_processed_excessive": "_ _ _ _ _ _ _",
    "not_processed_confirmation": "0 0 0 0 0 0 0",
    "other_total": "1 / / / / / 1",
    "total_processed": "121 16 _ _ 2 1 140",
    "carried_forward": "5 _ _ _ _ _ 5",
}
WORD_2019_APPEALS = "2 _ _ 1 3 1 _ _ _ 1 _ _ _ _ _"
_MARKS = {
    "_": (None, "blank"),
    "—": (None, "dash"),
    "/": (None, "slash"),
    "251000元": (251000.0, "unit_in_cell"),
}


def _expected_word_2019() -> list[tuple]:
    def cell(table, row, col, printed):
        return (table, row, col, *(_MARKS[printed] if printed in _MARKS else (float(printed), "ok")))

    expected = [
        cell("active", row, col, printed)
        for (row, cols), values in WORD_2019_ACTIVE.items()
        for col, printed in zip(cols.split(), values.split(), strict=True)
    ]
    expected += [
        cell("applications", row, col.key, printed)
        for row, values in WORD_2019_APPLICATIONS.items()
        for col, printed in zip(APPLICATIONS.cols, values.split(), strict=True)
    ]
    keys = [(row.key, col.key) for row in APPEALS.rows for col in APPEALS.cols]
    expected += [
        cell("appeals", *key, printed) for key, printed in zip(keys, WORD_2019_APPEALS.split(), strict=True)
    ]
    return expected


def test_word_page_with_data_colspans_unlike_the_header():
    report = gr.read_report(WORD_2019)
    assert cell_tuples(report.cells) == _expected_word_2019()
    meta = report.meta
    assert (meta["template"], meta["year"], meta["organ"]) == ("2019", 2019, "示例市人民政府办公室")
    assert report.figures.query("figure == 'proactive_total'").value.tolist() == [1524.0]
    assert meta["parse_notes"] is None


@pytest.mark.parametrize("page", ["rendered", "word"])
def test_source_ref_finds_each_cell_in_a_page_saved_on_one_line(page, tmp_path):
    data = render_html(generate_report(5)) if page == "rendered" else WORD_2019.read_bytes()
    one_line = re.sub(rb"\s*\n\s*", b" ", data)  # "line N" of the file would be useless here
    path = tmp_path / "page.html"
    path.write_bytes(one_line)
    cells = gr.read_report(path).cells
    read = cells[cells.raw != ""]
    assert read.source_ref.str.fullmatch(r"table \d+, row \d+, line \d+").all()
    tables = list(lxml.html.fromstring(one_line).iter("table"))
    for raw, ref in zip(read.raw, read.source_ref, strict=True):
        table, row = map(int, re.findall(r"\d+", ref)[:2])
        tr = list(tables[table - 1].iter("tr"))[row - 1]
        shown = [" ".join(td.text_content().split()) for td in tr.iter("td", "th")]
        assert raw.split(" ")[0] in shown, (raw, ref, shown)


def test_a_gbk_page_without_a_meta_charset(tmp_path):
    synthetic = generate_report(11, template="2019", blank_rate=0.05)
    page = render_html(synthetic, encoding="gbk")
    page = re.sub(rb"<meta http-equiv=\"Content-Type\"[^>]*>", b"", page)
    assert b"charset" not in page
    report = gr.read_report(_write(tmp_path, "gbk.html", page))
    assert report.meta["encoding"] == "gb18030"
    assert cell_tuples(report.cells) == synthetic.expected()


def test_a_gbk_page_labelled_utf8_is_not_read_as_mojibake(tmp_path):
    synthetic = generate_report(12, blank_rate=0.05)
    page = render_html(synthetic, encoding="gbk").replace(b"charset=gbk", b"charset=utf-8")
    report = gr.read_report(_write(tmp_path, "mislabelled.html", page))
    assert report.meta["encoding"] == "gb18030"
    assert cell_tuples(report.cells) == synthetic.expected()


@pytest.mark.parametrize(
    ("prefix", "encoding"),
    [
        (b"\xef\xbb\xbf", "utf-8-sig"),
        (b"<!-- saved from url=(0044)http://www.example.gov.cn/zwgk/2024.html -->\r\n", "utf-8"),
        (b'<?xml version="1.0" encoding="utf-8"?>\n', "utf-8"),
    ],
)
def test_what_saved_pages_start_with(prefix, encoding):
    page = render_html(generate_report(14))
    doc = read_html("saved.html", data=prefix + page)
    assert (doc.rows, doc.encoding) == (read_html("page.html", data=page).rows, encoding)


def test_a_report_inside_a_layout_table(tmp_path):
    synthetic = generate_report(13, template="2021", blank_rate=0.3, placeholder_rate=0.05)
    page = render_html(synthetic).decode()
    page = page.replace(
        "<div class=WordSection1", "<table><tr><td><a href='/'>首页</a></td><td><div class=WordSection1"
    )
    page = page.replace('<div class="attach">', '</td></tr></table><div class="attach">')
    report = gr.read_report(_write(tmp_path, "layout.html", page.encode()))
    assert cell_tuples(report.cells) == synthetic.expected()


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**16), cut=st.floats(0.3, 0.999), encoding=st.sampled_from(["utf-8", "gbk"]))
def test_a_truncated_page_is_exact_or_flagged(tmp_path_factory, seed, cut, encoding):
    synthetic = generate_report(seed, blank_rate=0.05, zero_share=0.0)
    page = render_html(synthetic, encoding=encoding)
    path = _write(tmp_path_factory.mktemp("cut"), "cut.html", page[: int(len(page) * cut)])
    try:
        report = gr.read_report(path)
    except (NotAReportError, NoTablesError):
        return  # cut before the report's wording or its first table: nothing to read
    for got, expected in zip(cell_tuples(report.cells), synthetic.expected(), strict=True):
        if got[3] is not None:
            assert got == expected  # a value read from a cut page is the value printed


def test_a_page_cut_inside_a_number_never_yields_part_of_it(tmp_path):
    synthetic = generate_report(5, zero_share=0.0)
    page = render_html(synthetic, word_spans=False).decode()
    total = synthetic.cells[("applications", "total_processed", "total")][1]
    assert len(total) > 1
    marker = f"<span>{total}</span></p></td></tr>"
    cut = page[: page.index(marker) + len("<span>") + 1]  # "…<td><p><span>1"
    report = gr.read_report(_write(tmp_path, "cut.html", cut.encode()))
    row = report.cells.query("row_key == 'total_processed'")
    assert set(row.status) == {"row_missing"}
    assert set(report.cells.query("table == 'appeals'").status) == {"table_missing"}


def test_tables_as_images(tmp_path):
    images = "".join(f"<p><img src='report.files/image00{i}.png' width=550></p>" for i in range(1, 4))
    page = (
        "<html><body><div class=logo><img src=logo.png></div>"
        "<h1>某县2021年政府信息公开工作年度报告</h1><p>一、总体情况</p><p>全年主动公开政府信息12条。</p>"
        f"<p>二、主动公开政府信息情况</p>{images}<p>五、存在的主要问题及改进情况</p><p>无。</p>"
        "<p><img src=seal.png></p></body></html>"
    )
    path = _write(tmp_path, "images.html", page.encode())
    message = r"images\.html: tables are images \(3 images in the report\); OCR is not supported"
    with pytest.raises(NoTablesError, match=message):
        gr.read_report(path)


def test_an_empty_page(tmp_path):
    path = _write(
        tmp_path, "empty.html", b"<!DOCTYPE html><html><head><title>x</title></head><body> </body></html>"
    )
    with pytest.raises(EmptyInputError, match=r"empty\.html: empty input: the page shows no text"):
        gr.read_report(path)


def test_a_page_of_chrome_only(tmp_path):
    page = (
        "<html><head><script>var s = '政府信息公开 第二十条';</script></head><body>"
        "<ul class=nav><li><a href=/>首页</a></li><li><a href=/zwgk/>政府信息公开</a></li></ul>"
        "<div class=crumb>当前位置：<a href=/>首页</a> &gt; <a href=/zwgk/>政府信息公开年报</a></div>"
        "<table><tr><td><a href=/a>政务公开</a></td><td><a href=/b>信息公开指南</a></td></tr></table>"
        "<div>版权所有 网站地图</div></body></html>"
    )
    path = _write(tmp_path, "chrome.html", page.encode())
    with pytest.raises(
        NotAReportError, match=r"chrome\.html: not a government information disclosure report"
    ):
        gr.read_report(path)


def test_hostile_markup_is_parsed_without_network_or_entities(tmp_path, monkeypatch):
    with socket.create_server(("127.0.0.1", 0)) as server:
        server.setblocking(False)
        url = f"http://127.0.0.1:{server.getsockname()[1]}"
        doctype = (
            f'<!DOCTYPE html SYSTEM "{url}/x.dtd" [<!ENTITY ext SYSTEM "{url}/secret">'
            '<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
        )
        remote = (
            f'<base href="{url}/"><link rel=stylesheet href="{url}/a.css"><script src="{url}/a.js"></script>'
            f'<img src="{url}/a.png"><iframe src="{url}/frame"></iframe><object data="{url}/o"></object>'
        )
        page = WORD_2019.read_text(encoding="utf-8").replace(
            "<td>1</td><td>/</td>", "<td>&ext;</td><td>/</td>"
        )
        page = doctype + page.replace("<body lang=ZH-CN", remote + "<p>&b;</p><body lang=ZH-CN")

        def refuse(*args, **kwargs):
            raise AssertionError("the reader must not use the network")

        for name in ("create_connection", "getaddrinfo", "gethostbyname"):
            monkeypatch.setattr(socket, name, refuse)
        monkeypatch.setattr(socket.socket, "connect", refuse)
        report = gr.read_report(_write(tmp_path, "hostile.html", page.encode()))
        monkeypatch.undo()
        with pytest.raises(BlockingIOError):
            server.accept()  # nothing connected, not even from C
    cells = cell_tuples(report.cells)
    expected = _expected_word_2019()
    entity = cells.index(("applications", "other_total", "natural_person", None, "text"))
    assert report.cells.raw.iloc[entity] == "&ext;"  # left as printed, flagged, never fetched
    assert cells[:entity] + cells[entity + 1 :] == expected[:entity] + expected[entity + 1 :]


def test_huge_spans_and_deep_nesting_are_cut_off_not_followed():
    table = (
        "<table><tr><td rowspan=999999999 colspan=999999999>规章</td><td>1</td></tr>"
        + "<tr><td>2</td></tr>" * 50
    )
    nested = "<div>" * 5000 + "x" + "</div>" * 5000  # lxml stops at depth 256 without huge_tree
    page = f"<html><body>{table}</table>{nested}</body></html>".encode()
    doc = read_html("deep.html", data=page)
    assert len(doc.rows) == 51
    assert doc.rows[-1].cells == ("规章", "2")


def test_a_rowspan_in_every_row_does_not_grow_the_grid_without_bound():
    page = ("<table>" + "<tr><td rowspan=65534>x</td><td>1</td></tr>" * 2000 + "</table>").encode()
    rows = read_html("staircase.html", data=page).rows
    assert len(rows) == 2000
    assert max(len(row.cells) for row in rows) == 102  # 100 carried cells, then the row's own two
