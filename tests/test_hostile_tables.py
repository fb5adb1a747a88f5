"""Untrusted tables: columns printed in another order, and what a header cannot settle."""

import pytest
from conftest import RAW_DIR

import govreports as gr
from govreports.cells import looks_numeric
from govreports.errors import MultipleReportsError
from govreports.header import UNCERTAIN, header_order
from govreports.render.grid import report_prose, report_rows
from govreports.schema import APPLICATIONS
from govreports.synthetic import generate_report

TEMPLATE = [c.key for c in APPLICATIONS.cols]
KINDS = TEMPLATE[1:6]


def permuted_report(seed: int, order: list[str], group_row: list[str]) -> tuple[str, dict]:
    """A tab-separated report whose 表三 prints its columns in ``order`` and says so in its header."""
    report = generate_report(seed, zero_share=0.1)
    rows = report_rows(report)
    header = next(i for i, row in enumerate(rows) if row[:1] == ["自然人"])
    rows[header] = group_row
    appeals = next(i for i, row in enumerate(rows) if i > header and "行政复议" in "".join(row))
    for i in range(header + 2, appeals):
        if len(rows[i]) >= 8 and all(looks_numeric(cell) for cell in rows[i][-7:]):
            values = dict(zip(TEMPLATE, rows[i][-7:], strict=True))
            rows[i] = rows[i][:-7] + [values[key] for key in order]
    before, after = report_prose(report)
    text = "\n".join([*before, *("\t".join(row) for row in rows), *after])
    expected = {(r, c): v[0] for (t, r, c), v in report.cells.items() if t == "applications"}
    return text, expected


@pytest.mark.parametrize(
    ("order", "group_row"),
    [
        ([*KINDS, "natural_person", "total"], ["法人或其他组织", "自然人", "总计"]),
        ([*KINDS, "total", "natural_person"], ["法人或其他组织", "总计", "自然人"]),
    ],
    ids=["natural_person_after_other", "natural_person_after_total"],
)
@pytest.mark.parametrize("seed", [3, 11])
def test_columns_follow_the_printed_header(seed, order, group_row):
    text, expected = permuted_report(seed, order, group_row)
    cells = gr.read_report(text=text).cells.query("table == 'applications'")
    read = {(r, c): v for r, c, v in zip(cells.row_key, cells.col_key, cells.value, strict=True)}
    assert read == expected
    assert set(cells.status) == {"ok"}


def test_a_contradictory_header_leaves_the_values_undecided():
    text, _ = permuted_report(3, TEMPLATE, ["总计", "自然人", "法人或其他组织"])
    text = text.replace("申请人情况", "申请人情况\t自然人\t总计", 1)
    report = gr.read_report(text=text)
    cells = report.cells.query("table == 'applications'")
    assert set(cells.status) == {"ambiguous"}
    assert "contradictory column orders" in report.meta["parse_notes"]


def test_header_orders():
    assert header_order([("自然人", "法人或其他组织", "总计")]) is None
    assert header_order([]) is None
    assert header_order([("总计",), ("自然人",)]) is None  # one label a row says nothing
    assert header_order([("自然人", "总计"), ("总计", "自然人")]) == UNCERTAIN
    merged = [("自然人 法人或其他组织 商业企业 科研机构 社会公益组织 法律服务机构 其他 总计",)]
    assert header_order(merged) is None


# --- two reports, or a table printed twice, in one file -----------------------------------------

SEED = (RAW_DIR / "003_2ef598b92a3120fd.txt").read_text(encoding="utf-8")
SECOND = SEED.replace("鹤岗市东山区人民政府", "鹤岗市向阳区人民政府").replace(
    "\t0\t0\t0\t0\t0\t0\t0", "\t1\t0\t0\t0\t0\t0\t1"
)


def test_a_report_cut_after_table_2_then_a_whole_report_is_refused():
    cut = SEED[: SEED.index("三、收到和处理政府信息公开申请情况")]
    with pytest.raises(
        MultipleReportsError, match=r"<text>: the file holds a second report from line \d+ on"
    ):
        gr.read_report(text=cut + SECOND)


def test_two_whole_reports_in_one_file_are_refused():
    with pytest.raises(MultipleReportsError, match="split it into one file per report"):
        gr.read_report(text=SEED + "\n" + SECOND)


def table_3(text: str) -> str:
    return text[text.index("三、收到和处理政府信息公开申请情况") : text.index("四、政府信息公开行政复议")]


def test_a_table_printed_twice_with_other_numbers_is_flagged_where_they_differ():
    again = table_3(SEED).replace(
        "一、本年新收政府信息公开申请数量\t\t0\t0", "一、本年新收政府信息公开申请数量\t\t5\t0"
    )
    text = SEED.replace("四、政府信息公开行政复议", again + "四、政府信息公开行政复议", 1)
    report = gr.read_report(text=text)
    cells = report.cells.query("table == 'applications'").set_index(["row_key", "col_key"])
    assert cells.loc[("new_received", "natural_person"), "status"] == "duplicated"
    assert cells.loc[("new_received", "natural_person"), "raw"] == "0 | 5"
    assert (cells.drop(("new_received", "natural_person")).status == "ok").all()
    assert "tables printed again from line" in report.meta["parse_notes"]


def test_a_table_printed_twice_alike_is_read_once():
    text = SEED.replace("四、政府信息公开行政复议", table_3(SEED) + "四、政府信息公开行政复议", 1)
    once = gr.read_report(text=SEED).cells
    twice = gr.read_report(text=text).cells
    assert twice.value.equals(once.value) and twice.status.equals(once.status)
