"""The template solver and what surrounds it: labels, crawler headers, scope, reports without tables."""

import pandas as pd
import pytest

import govreports as gr
from govreports.cli import main
from govreports.errors import NoValuesError
from govreports.metadata import extract_metadata
from govreports.readers import sniff
from govreports.schema import ACTIVE, APPEALS, APPLICATIONS, identities
from govreports.solver import LIMIT, RowEvidence, Token, solve, tokens

COLS = tuple(c.key for c in APPLICATIONS.cols)
ROW_SUM = [i for i in identities(("granted",)) if i.scope == "granted"]


def _row(text, *, collapsed=True, key="granted"):
    return RowEvidence(tuple((key, c) for c in COLS), tokens(text, 9), collapsed=collapsed)


def _solved(evidence, rules=ROW_SUM):
    return [(c.value, c.status) for c in solve(evidence, rules)]


def test_a_collapsed_row_is_expanded_the_one_way_its_sum_allows():
    assert [v for v, _ in _solved([_row("3 1 0 4")])] == [3, 1, 0, 0, 0, 0, 4]
    assert {s for _, s in _solved([_row("3 1 0 4")])} == {"expanded"}


def test_positions_the_identities_leave_open_are_ambiguous_never_guessed():
    cells = solve([_row("3 0 1 0 4")], ROW_SUM)
    assert [c.value for c in cells][:2] == [3.0, 0.0] and cells[-1].value == 4.0
    assert [c.status for c in cells[2:5]] == ["ambiguous"] * 3
    assert cells[2].raw == "1 | 0" and "3 readings" in cells[2].source_ref


def test_without_the_collapse_sign_a_short_row_stays_missing():
    assert {s for _, s in _solved([_row("3 1 0 4", collapsed=False)])} == {"missing_cell"}


def test_a_number_broken_over_two_lines_is_joined_only_when_nothing_else_fits():
    # 162 printed as '1' then '62': as printed the row is 8 tokens for 7 cells.
    assert _solved([_row("1 62 0 0 0 0 0 162", collapsed=False)])[0] == (162.0, "joined")
    # The same digits on one line of cells (no line break between): never joined.
    glued = RowEvidence(_row("x").cells, tuple(Token(t, 9) for t in "1 62 0 0 0 0 0 162".split()))
    assert {s for _, s in _solved([glued])} == {"missing_cell"}


def test_a_printed_row_whose_sum_fails_keeps_its_values_for_the_checks():
    assert _solved([_row("1 2 0 0 0 0 5", collapsed=False)])[6] == (5.0, "ok")


def test_cross_row_identities_decide_what_one_row_leaves_open():
    rules = [i for i in identities(tuple(r.key for r in APPLICATIONS.rows_for("2021")))]
    new = RowEvidence(tuple(("new_received", c) for c in COLS), tokens("3 0 1 0 4", 1), collapsed=True)
    known = {("carried_over", c): 0.0 for c in COLS} | {("carried_forward", c): 0.0 for c in COLS}
    known |= {("total_processed", c): v for c, v in zip(COLS, [3, 0, 0, 1, 0, 0, 4], strict=True)}
    assert [c.value for c in solve([new], rules, known)] == [3, 0, 0, 1, 0, 0, 4]


def test_a_non_zero_run_in_a_row_without_identity_is_not_decided():
    cells = tuple(("licensing", c) for c in ACTIVE.cols_of("licensing", "2019"))
    statuses = [c.status for c in solve([RowEvidence(cells, tokens("168", 3), collapsed=True)], ())]
    assert statuses == ["ambiguous"] * 3
    zeros = solve([RowEvidence(cells, tokens("0", 3), collapsed=True)], ())
    assert [(c.value, c.status) for c in zeros] == [(0.0, "expanded")] * 3


def test_the_search_is_capped_and_ends_in_ambiguous():
    cells = tuple((r.key, c.key) for r in APPEALS.rows for c in APPEALS.cols)
    sums = [i for i in identities(()) if i.table == "appeals"]
    digits = RowEvidence(cells, (Token("12345678912345678912", 1),), collapsed=True)
    solved = solve([digits], sums)
    assert {c.status for c in solved} == {"ambiguous"}
    assert f"more than {LIMIT} readings" in solved[0].source_ref


REPORT = """某县2022年政府信息公开工作年度报告
一、总体情况
二、主动公开政府信息情况
第二十条第（一）项
信息内容\t本年制发件数\t本年废止件数\t现行有效件数
三、收到和处理政府信息公开申请情况
（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）
一、本年度新收政府信息公开申请数量\t2\t0\t0\t0\t0\t0\t2
2.其他法律行政止公开\t0\t0\t0\t0\t0\t0\t0
"""


def test_misprinted_labels_are_matched_in_template_order_and_noted():
    report = gr.read_report(text=REPORT)
    cells = report.cells.set_index(["row_key", "col_key"])
    assert cells.loc[("new_received", "total"), "value"] == 2
    assert cells.loc[("withheld_law_prohibited", "total"), "status"] == "ok"
    assert "'2.其他法律行政止公开' at line 9 read as withheld_law_prohibited" in report.meta["parse_notes"]


def test_labels_broken_over_lines_are_joined():
    text = REPORT.replace(
        "2.其他法律行政止公开\t0\t0\t0\t0\t0\t0\t0\n", "（七\n）\n总计\n2\n0\n0\n0\n0\n0\n2\n"
    )
    cells = gr.read_report(text=text).cells.set_index(["row_key", "col_key"])
    assert cells.loc[("total_processed", "natural_person"), ("value", "status")].tolist() == [2, "ok"]


def test_a_2019_report_prints_other_processing_as_one_blank_row():
    text = REPORT.replace("本年制发件数", "本年新制作数量").replace("本年废止件数", "本年新公开数量")
    text = text.replace("现行有效件数", "对外公开总数量") + "（六）其他处理\t\t\t\t\t\t\t\n"
    cells = gr.read_report(text=text).cells
    assert "other_total" in set(cells.row_key) and "other_other" not in set(cells.row_key)
    assert set(cells[cells.row_key == "other_total"].status) == {"blank"}


def test_tables_without_any_value_are_a_failure_with_the_reason(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_text(
        REPORT.split("一、本年度")[0] + "四、政府信息公开行政复议、行政诉讼情况\n", encoding="utf-8"
    )
    with pytest.raises(NoValuesError, match=r"empty\.txt: tables found .* not one value could be read"):
        gr.read_report(path)


def test_a_report_before_the_templates_has_no_cells_and_its_prose_figures():
    text = "某市2010年政府信息公开工作年度报告\n全年共受理政府信息公开申请12件。行政复议和行政诉讼均为0件。\n"
    report = gr.read_report(text=text)
    assert report.meta["template"] == "none" and report.cells.empty and report.meta["values_read"] == 0
    assert report.figures.set_index("figure").loc["applications_received", "value"] == 12


def test_crawler_headers_are_never_the_title_and_give_the_address():
    text = "标题:莆田市水利局2022年度政府信息公开工作年度报告\n发布时间: 2023-01-10 09:00\n"
    text += "原始链接: https://example.gov.cn/a.htm\n正文:\n" + REPORT.split("\n", 1)[1]
    assert sniff(text.encode()) == "crawl"
    meta = gr.read_report(text=text).meta
    assert (meta["organ"], meta["source_url"], meta["published"]) == (
        "莆田市水利局",
        "https://example.gov.cn/a.htm",
        "2023-01-10 09:00",
    )


def test_an_html_fragment_is_html(tmp_path):
    rows = "".join(
        "<tr>" + "".join(f"<td>{c}</td>" for c in line.split("\t")) + "</tr>" for line in REPORT.splitlines()
    )
    path = tmp_path / "fragment.txt"
    path.write_text(
        f'<p style="text-align:center">某县2022年政府信息公开工作年度报告</p><table>{rows}</table>'
    )
    report = gr.read_report(path)
    assert report.meta["format"] == "html" and report.meta["values_read"] > 0


@pytest.mark.parametrize(
    ("text", "scope", "adcode"),
    [
        (
            "三明市2023年政府信息公开工作年度报告\n全市各级行政机关主动公开信息。",
            "region_aggregate",
            "350400",
        ),
        ("平潭综合实验区2023年政府信息公开工作年度报告\n", "region_aggregate", "350128"),
        (
            "某市交通运输局2023年政府信息公开工作年度报告\n本报告汇总某市各有关单位的情况。",
            "region_aggregate",
            None,
        ),
        ("上海市人民政府办公厅2023年政府信息公开工作年度报告\n", "organ", "310000"),
    ],
)
def test_scope_and_place(text, scope, adcode):
    meta = extract_metadata(text)
    assert meta["scope"] == scope
    if adcode:
        assert meta["adcode"] == adcode


def test_parse_and_check_say_how_much_was_read(tmp_path, capsys):
    folder = tmp_path / "raw"
    folder.mkdir()
    (folder / "sparse.txt").write_text(REPORT, encoding="utf-8")
    assert main(["parse", str(folder), "-o", str(tmp_path / "out"), "--workers", "1", "--no-csv"]) == 0
    out = capsys.readouterr().out
    assert "1 of 1 reports read under half their cells" in out and "under half: sparse" in out
    assert main(["check", str(folder / "sparse.txt")]) == 0
    out = capsys.readouterr().out
    assert "14 of 200 cells read (under half)" in out and "notes: applications: label" in out
    reports = pd.read_parquet(tmp_path / "out" / "reports")
    assert reports.values_read.dtype == "Int16"
