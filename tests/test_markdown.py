"""Markdown input: the two real Markdown reports cell by cell, round trips, markup and bad input."""

import pytest
from conftest import FIXTURES, RAW_DIR, REPORT_PARAMS, assert_round_trip, cell_tuples
from hypothesis import given, settings
from hypothesis import strategies as st

import govreports as gr
from govreports.errors import EmptyInputError
from govreports.normalize import parse_tables
from govreports.readers import sniff
from govreports.readers.markdown import read_markdown
from govreports.render.markdown import STYLES, render_markdown
from govreports.schema import APPEALS, APPLICATIONS
from govreports.synthetic import generate_report

SHANGHAI = "shanghai-general-office-2025-pdftext"
SHUYANG = "shuyang-county-2025-ocr"
MARKDOWN = FIXTURES / "markdown"


@pytest.fixture(scope="module")
def real() -> dict[str, gr.Report]:
    return {rid: gr.read_report(RAW_DIR / f"{rid}.md") for rid in (SHANGHAI, SHUYANG)}


# --- the two real reports -------------------------------------------------------------------


@pytest.mark.parametrize("rid", [SHANGHAI, SHUYANG])
def test_real_reports_are_read_as_markdown(real, rid):
    assert real[rid].meta["format"] == "markdown"
    assert len(real[rid].cells) == 200


# Every cell, organ, year, template and proactive total: tests/test_golden.py, as for all goldens.


def test_table_identities_hold_where_assessable(real):
    for rid, report in real.items():
        checks = report.checks[report.checks.check_id.str.startswith(("T3.", "T4."))]
        assert not (checks.status == "fail").any(), rid
    shuyang = real[SHUYANG].checks
    assert set(shuyang[shuyang.check_id.str.startswith(("T3.", "T4."))].status) == {"pass"}
    shanghai = real[SHANGHAI].checks
    unassessable = shanghai[shanghai.status == "not_assessable"][["check_id", "scope"]].values.tolist()
    # The two rows whose values stand away from their labels, and the column sums they enter.
    assert sorted(unassessable) == sorted(
        [["T3.SUM_COLS", "not_processed_confirmation"], ["T3.SUM_COLS", "other_no_correction"]]
        + [["T3.SUM_ROWS", col.key] for col in APPLICATIONS.cols]
    )


def test_shanghai_loose_notes_and_footers_are_not_values(real):
    doc = read_markdown(str(RAW_DIR / f"{SHANGHAI}.md"), data=(RAW_DIR / f"{SHANGHAI}.md").read_bytes())
    texts = {row.line: row.cells for row in doc.rows}
    assert 93 not in texts and 163 not in texts  # — 4 —, — 5 —
    assert texts[164][0] == "缴纳费用、行政机关不再处理其政"  # the cut label, joined
    assert "line 79" in real[SHANGHAI].meta["parse_notes"]  # the loose 22 is not a value


# --- the reader on small inputs -------------------------------------------------------------


def test_reader_keeps_empty_cells_and_drops_rules_markup_and_footers():
    doc = read_markdown(
        text="## 标题 **一**\n\n| a | b | c |\n|:--|--:|---|\n|  | \\| 2 | **3** |\n| - 3 - |  |  |\n"
        "| 第 3 页 |\n| - | 0 | - |\n> 引用 `x` 12\n- 4 -\n"
    )
    assert [row.cells for row in doc.rows] == [
        ("标题 一",),
        ("a", "b", "c"),
        ("", "| 2", "3"),
        ("标题 一", "-", "0", "-"),  # values only: the heading above the table is their label
        ("引用 x", "12"),
    ]
    assert "**" not in doc.text and "#" not in doc.text and "---" not in doc.text and ">" not in doc.text


def test_a_header_that_numbers_the_columns_is_not_a_row_of_values():
    numbers, values = "| 1 | 2 | 3 | 4 | 5 | 6 | 7 |", "| 9 | 0 | 0 | 0 | 0 | 0 | 9 |"
    doc = read_markdown(text=f"### （一）予以公开\n{numbers}\n|---|---|---|---|---|---|---|\n{values}\n")
    labelled = ("（一）予以公开", "9", "0", "0", "0", "0", "0", "9")
    assert [row.cells for row in doc.rows] == [("（一）予以公开",), labelled]


def test_a_section_title_never_labels_the_values_below_it():
    cells = [str(i % 3) for i in range(15)]
    heading = "## 四、政府信息公开行政复议、行政诉讼情况"
    doc = read_markdown(text=f"{heading}\n\n| 行政复议 | 行政诉讼 |\n|---|---|\n|{'|'.join(cells)}|\n")
    assert doc.rows[-1].cells == tuple(cells)


def test_empty_markdown_is_an_error():
    with pytest.raises(EmptyInputError):
        read_markdown("empty.md", data=b" \n")


def test_markup_fixture_keeps_notes_as_text_and_reads_every_layout():
    report = gr.read_report(MARKDOWN / "markup.md")
    meta = report.meta
    assert (meta["format"], meta["year"], meta["organ"]) == ("markdown", 2023, "某某市人民政府")
    got = {(t, r, c): (v, s) for t, r, c, v, s in cell_tuples(report.cells)}
    assert [got[("active", "rules", c)] for c in ("issued", "repealed", "in_force")] == [
        (None, "text"),
        (None, "text"),
        (235.0, "ok"),
    ]
    assert got[("active", "normative_documents", "repealed")] == (None, "blank")
    assert [got[("active", k, "decisions")] for k in ("licensing", "penalty", "coercion")] == [
        (1517.0, "thousands_sep"),
        (12.0, "unit_in_cell"),
        (0.0, "zero_word"),
    ]

    def values(key):
        return [got[("applications", key, c.key)][0] for c in APPLICATIONS.cols]

    assert values("new_received") == [3, 0, None, 0, 0, 0, 3]  # under a header 1 … 7
    assert got[("applications", "partially_granted", "natural_person")] == (None, "dash")
    assert values("other_no_fee") == [1, 0, 0, 0, 0, 0, 1]  # label cut at 、
    appeals = [got[("appeals", r.key, c.key)] for r in APPEALS.rows for c in APPEALS.cols]
    assert [v for v, _ in appeals] == [1, 0, 0, 0, 1, 0, 2, 0, 0, 2, 0, 0, 0, 3, 3]
    total = report.figures.query("figure == 'proactive_total'").value.iloc[0]
    assert total == 1234


def test_ragged_table_is_flagged_not_shifted():
    report = gr.read_report(MARKDOWN / "ragged.md")
    got = {(t, r, c): (v, s) for t, r, c, v, s in cell_tuples(report.cells)}

    def row(table, key):
        return [got[k] for k in got if k[:2] == (table, key)]

    assert {s for _, s in row("active", "rules")} == {"missing_cell"}  # 2 cells for 3 columns
    assert row("active", "normative_documents") == [(None, "surplus_cells")] * 3  # 4 for 3
    assert row("active", "licensing") == [(15.0, "ok")]  # no closing pipe
    assert [v for v, _ in row("active", "coercion")] == [None]  # a label and nothing else
    assert {s for _, s in row("applications", "new_received")} == {"missing_cell"}
    assert {s for _, s in row("applications", "granted")} == {"surplus_cells"}
    assert [v for v, _ in row("applications", "granted")] == [None, None, 0, 0, 0, None, None]
    assert {s for _, s in row("applications", "total_processed")} == {"missing_cell"}
    assert row("applications", "carried_forward") == [(1.0, "ok")] + [(0.0, "ok")] * 5 + [(1.0, "ok")]
    assert {s for _, s in row("appeals", "review")} == {"missing_cell"}  # 12 values for 15


def test_an_appeals_kind_printed_empty_is_blank():
    text = "\n\n".join(
        f"### {label}\n| 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 |\n|---|---|---|---|---|\n{row}"
        for label, row in (
            ("行政复议", "|  |  |  |  |  |"),
            ("行政诉讼（未经复议直接起诉）", "| 1 | 0 | 0 | 0 | 1 |"),
            ("行政诉讼（复议后起诉）", "| 0 | 0 | 0 | 0 | 0 |"),
        )
    )
    records = parse_tables(read_markdown(text="四、政府信息公开行政复议、行政诉讼情况\n\n" + text)).records
    assert {r[4] for r in records if r[0] == "appeals" and r[1] == "review"} == {"blank"}


def test_a_blank_first_value_before_a_trailing_pad_cell_is_not_shifted():
    # Shanghai's dump ends many 表三 rows with an empty cell (line 124); here 自然人 is blank too.
    row = "| 1.属于国家秘密 |  | 0 | 0 | 0 | 0 | 0 | 4 |  |"
    text = f"三、收到和处理政府信息公开申请情况\n（本列数据的勾稽关系为）\n{row}\n"
    records = parse_tables(read_markdown(text=text)).records
    cells = [r for r in records if r[1] == "withheld_state_secret"]
    assert cells[5][3] != 4.0  # 4 is the total: it must never be read as 其他 (other_org)


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="|-:# >*`\\\n0123456789/—规章行政许可予以公开第二十条本年新收复议页", max_size=400))
def test_any_markdown_is_read_without_crashing(text):
    try:
        doc = read_markdown(text=text)
    except EmptyInputError:
        assert not text.strip()
        return
    parsed = parse_tables(doc)
    assert all(row.cells for row in doc.rows)
    assert all(value is None or status != "blank" for _, _, _, value, status, _, _ in parsed.records)


def test_sniffed_as_markdown_only_with_a_table():
    assert sniff((RAW_DIR / f"{SHUYANG}.md").read_bytes()) == "markdown"
    assert sniff("# 标题\n\n正文".encode()) == "text"


# --- round trips ----------------------------------------------------------------------------

reports = REPORT_PARAMS


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("markdown")


@settings(max_examples=40, deadline=None)
@given(params=reports, style=st.sampled_from(STYLES))
def test_render_then_parse_gives_the_same_cells(workdir, params, style):
    synthetic = generate_report(**params)
    path = workdir / "report.md"
    path.write_text(render_markdown(synthetic, style=style), encoding="utf-8")
    report = gr.read_report(path)
    assert_round_trip(report, synthetic)
    assert (report.meta["format"], report.meta["organ"]) == ("markdown", synthetic.organ)


def test_unknown_style_is_an_error():
    with pytest.raises(ValueError, match="ocr_rows"):
        render_markdown(generate_report(1), style="html")
