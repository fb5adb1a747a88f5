"""Untrusted values in text: footnote marks, counts beyond 2**53, runs of glued digits."""

import random

import pandas as pd
import pytest
from conftest import RAW_DIR

import govreports as gr
from govreports.cells import parse_cell
from govreports.narrative import extract_figures

SEED = (RAW_DIR / "003_2ef598b92a3120fd.txt").read_text(encoding="utf-8")


def with_line(old: str, new: str) -> str:
    assert old in SEED
    return SEED.replace(old, new, 1)


def cell(report, row_key: str, col_key: str) -> tuple:
    row = report.cells.set_index(["row_key", "col_key"]).loc[(row_key, col_key)]
    return row.value, row.status


@pytest.mark.parametrize(
    ("printed", "value"),
    [("1772¹", 1772), ("27780①", 27780), ("11²", 11), ("152 ⑵", 152), ("152*", 152), ("1,772²", 1772)],
)
def test_a_footnote_mark_never_joins_a_number(printed, value):
    report = gr.read_report(text=with_line("行政许可\t152", f"行政许可\t{printed}"))
    assert cell(report, "licensing", "decisions") == (value, "footnote")


@pytest.mark.parametrize("printed", ["①", "⁵", "*"])
def test_a_mark_alone_is_not_a_count(printed):
    assert parse_cell(printed) == (None, "text")


def test_a_count_beyond_2_53_is_flagged_not_rounded():
    report = gr.read_report(text=with_line("行政许可\t152", "行政许可\t9007199254740993"))
    row = report.cells.query("row_key == 'licensing'").iloc[0]
    assert (row.status, row.raw) == ("too_large", "9007199254740993")
    assert pd.isna(row.value)


def test_the_largest_exact_count_is_read():
    report = gr.read_report(text=with_line("行政许可\t152", "行政许可\t9007199254740991"))
    assert cell(report, "licensing", "decisions") == (9007199254740991, "ok")


def test_a_row_of_20000_glued_digits_is_flagged_quickly():
    digits = "".join(random.Random(7).choice("0123456789") for _ in range(20_000))
    text = with_line("0	0	0	0	0	0	0	0	0	0	0	0	0	0	0", digits)
    report = gr.read_report(text=text, time_limit=20)  # quadratic work would take minutes
    appeals = report.cells.query("table == 'appeals'")
    assert not appeals.status.isin(["ok", "split"]).any()


def test_cells_of_a_failing_identity_say_so():
    # A digit misread the same way everywhere (a font's ToUnicode map swapping 4 and 9, say)
    # shows only in the identities it breaks: 表四's first review cell says 9, its total 0.
    text = with_line(
        "0	0	0	0	0	0	0	0	0	0	0	0	0	0	0",
        "9	0	0	0	0	0	0	0	0	0	0	0	0	0	0",
    )
    report = gr.read_report(text=text)
    cells = report.cells
    assert cell(report, "review", "upheld") == (9, "ok")
    flagged = set(cells.loc[cells.in_failed_check, "col_key"].where(cells.row_key == "review").dropna())
    assert flagged == {"upheld", "corrected", "other", "pending", "total"}
    assert cells.in_failed_check.sum() == 5
    assert set(report.checks.query("status == 'fail'").check_id) == {"T4.SUM"}
    assert cells.in_failed_check.dtype == "boolean"


def test_a_report_in_traditional_characters_is_read():
    import opencc

    traditional = opencc.OpenCC("s2t").convert(SEED)
    assert "政府信息公開" in traditional
    report, simplified = gr.read_report(text=traditional), gr.read_report(text=SEED)
    assert (report.meta["organ"], report.meta["year"]) == ("鹤岗市东山区人民政府", 2022)
    assert report.cells.value.equals(simplified.cells.value)
    assert report.cells.status.equals(simplified.cells.status)
    assert "read in simplified ones" in report.meta["parse_notes"]


def test_a_prose_count_beyond_2_53_is_flagged_not_rounded():
    prose = "本年度主动公开政府信息9007199254740993条。共收到政府信息公开申请9007199254740995件。"
    figures = extract_figures(prose)
    assert [(f.figure, f.value, f.note) for f in figures] == [
        ("proactive_total", None, "a count too large to hold exactly"),
        ("applications_received", None, "a count too large to hold exactly"),
    ]


def test_a_raised_digit_inside_a_number_is_not_one_of_its_digits():
    assert parse_cell("1⁷9") == (None, "text")
