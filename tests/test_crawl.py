"""Crawler dumps: the three real Pingtan files cell by cell, the reader, and a glued round trip."""

import random

import pytest
from conftest import RAW_DIR, cell_tuples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import govreports as gr
from govreports.cells import looks_numeric
from govreports.readers import sniff
from govreports.readers.crawl import crawl_header, read_crawl
from govreports.render.grid import report_prose, report_rows
from govreports.synthetic import generate_report

CRAWLS = ["pingtan-2019-crawl", "pingtan-2022-crawl", "pingtan-2024-crawl"]
SEPARATOR = "==================== 正文 ===================="


@pytest.fixture(scope="module", params=CRAWLS)
def crawl(request):
    return request.param, gr.read_report(RAW_DIR / f"{request.param}.txt")


# --- the real files ----------------------------------------------------------------------------


# Every cell, organ, year, template and proactive total: tests/test_golden.py, as for all goldens.


def test_read_as_a_crawler_dump_with_the_bare_title_first(crawl):
    _, report = crawl
    meta = report.meta
    assert meta["format"] == "crawl" and meta["title"].startswith("平潭综合实验区")


def test_every_identity_holds_and_none_is_left_unassessable(crawl):
    name, report = crawl
    hard = report.checks[report.checks.kind != "soft"]
    assert set(hard.status) == {"pass"} and len(hard) in (40, 42)
    if name == "pingtan-2022-crawl":
        # The prose's 75 applications received are 表三's 74 new plus 1 carried over.
        total = report.cells.query("col_key == 'total'").set_index("row_key").value
        assert (total["new_received"], total["carried_over"]) == (74, 1)
        assert report.figures.query("figure == 'applications_received'").value.tolist() == [75]


def test_split_cells_carry_their_evidence(crawl):
    _, report = crawl
    cells = report.cells
    split = cells[cells.status == "split"]
    evidence = r"line 10; split [0-9|.元]+ (by T[34]\.|\(the only reading of the digits\))"
    assert split.source_ref.str.match(evidence).all()
    ambiguous = cells[cells.status == "ambiguous"]
    assert ambiguous.value.isna().all()
    why = r"has \d+ readings as \d cells \(blank cells allowed\) and no identity to decide"
    assert ambiguous.source_ref.str.contains(why).all()
    assert (ambiguous.raw.str.count(r" \| ") >= 1).all()  # the candidate values of the cell


def test_the_issue_examples():
    report = gr.read_report(RAW_DIR / "pingtan-2024-crawl.txt")
    new = report.cells.query("row_key == 'new_received'")
    assert new.value.tolist() == [217, 1, 0, 0, 0, 0, 218]
    assert new.source_ref.iloc[0] == "line 10; split 217|1|0|0|0|0|218 by T3.SUM_COLS"
    appeals = report.cells.query("table == 'appeals'")
    assert appeals.value.tolist() == [2, 1, 3, 1, 7, 0, 0, 0, 0, 0, 13, 2, 4, 0, 19]
    rules = gr.read_report(RAW_DIR / "pingtan-2019-crawl.txt").cells.query("row_key == 'normative_documents'")
    assert rules.status.tolist() == ["ambiguous"] * 3
    assert "'898989' has 28 readings as 3 cells" in rules.source_ref.iloc[0]


# --- the reader ----------------------------------------------------------------------------------


def test_sniff_and_header():
    data = (RAW_DIR / "pingtan-2024-crawl.txt").read_bytes()
    assert sniff(data) == "crawl"
    header = crawl_header(data.decode("utf-8"))
    assert header["标题"] == "平潭综合实验区2024年度政府信息公开工作年度报告"
    assert header["发布机构"] == "平潭综合实验区管委会办公室" and header["文号"] == ""
    assert header["原文链接"].startswith("https://www.pingtan.gov.cn/")


def test_the_header_says_where_and_when_the_report_was_published():
    paths = [RAW_DIR / "pingtan-2022-crawl.txt", RAW_DIR / "000_d5266751c9a7ae67.txt"]
    reports = gr.read_reports(paths).reports
    assert reports.source_url.tolist()[0] == (
        "https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/202302/t20230220_80629.htm"
    )
    assert reports.published.tolist()[0] == "2023-02-20 15:07"
    assert reports[["source_url", "published"]].iloc[1].isna().all()  # a text copy says neither


def test_text_starts_with_the_bare_title_and_rows_keep_file_lines():
    doc = read_crawl("x.txt", data=(RAW_DIR / "pingtan-2022-crawl.txt").read_bytes())
    assert doc.text.split("\n", 1)[0] == "平潭综合实验区2022年度政府信息公开工作年度报告"
    assert doc.rows[0].line == 1 and {r.line for r in doc.rows[1:]} == {10}
    rows = [r.cells for r in doc.rows]
    assert ("行政规范性文件", "8855698") in rows
    assert ("1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "2000002") in rows
    assert ("3.其他", "0200002") in rows  # '00000003.其他': the list number leaves the digits
    assert tuple("011021000100000") in rows  # 表四, space-separated: 15 cells
    # Prose stays whole, even where it names a row and a count with a unit.
    assert any("规范性文件88件" in r[0] for r in rows if len(r) == 1)


def test_reader_keeps_signs_and_grouped_thousands_in_one_token():
    body = "第二十条 行政许可100-57 行政处罚27,780行政强制0"
    text = f"标题: 某县2019年度政府信息公开工作年度报告\n==== 正文 ====\n{body}"
    rows = [r.cells for r in read_crawl("x.txt", data=text.encode()).rows]
    assert ("行政许可", "100", "-57") in rows and ("行政处罚", "27,780") in rows


def test_header_without_separator_and_empty_body():
    text = "标题: 某县2022年度政府信息公开工作年度报告\n原文链接: http://x\n正文第一句。\n"
    doc = read_crawl("x.txt", data=text.encode())
    assert doc.text.splitlines() == ["某县2022年度政府信息公开工作年度报告", "正文第一句。"]
    with pytest.raises(gr.errors.EmptyInputError):
        read_crawl("x.txt", data="标题: 某县\n==== 正文 ====\n  \n".encode())


# --- round trip: a generated report dumped as a crawler would, glued -------------------------------


def _crawl_dump(report, rng: random.Random) -> str:
    """One line of table text: labels and values run together, some values space-separated."""
    before, after = report_prose(report)
    table = ""
    for row in report_rows(report):
        for i, cell in enumerate(row):
            numeric = looks_numeric(cell)
            gap = " " if numeric and i and looks_numeric(row[i - 1]) and rng.random() < 0.2 else ""
            table += gap + cell
    body = "".join(s if s.endswith("。") else s + " " for s in before[1:]) + table + " " + "".join(after)
    return f"标题: {before[0]}\n发布时间: 2024-01-01\n原文链接: http://x\n{SEPARATOR}\n{body}"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1), template=st.sampled_from(["2019", "2021"]), quiet=st.booleans())
def test_glued_dump_gives_the_true_value_or_a_flag_never_a_wrong_number(tmp_path, seed, template, quiet):
    synthetic = generate_report(seed, template=template, zero_share=1.0 if quiet else 0.0)
    path = tmp_path / f"r{seed}.txt"
    path.write_text(_crawl_dump(synthetic, random.Random(seed)), encoding="utf-8")
    report = gr.read_report(path)
    assert report.meta["format"] == "crawl" and report.meta["template"] == template
    truth = {(t, r, c): v for t, r, c, v, _ in synthetic.expected()}
    for table, row, col, value, status in cell_tuples(report.cells):
        assert value is None or value == truth[(table, row, col)], (row, col, status)
        assert status in ("ok", "split", "ambiguous", "missing_cell", "surplus_cells")
    hard = report.checks[report.checks.kind != "soft"]
    assert "fail" not in set(hard.status)
    if quiet:  # every 表三 row is zeros: '0000000' has one split, '0 0 0 0 0 0 0' needs none
        applications = report.cells.query("table == 'applications'")
        assert set(applications.status) <= {"split", "ok"} and set(applications.value) == {0}
