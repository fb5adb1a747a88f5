"""The glued-digit splitter: unique, ambiguous and impossible splits, and never a wrong one."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govreports import glued
from govreports.glued import (
    GluedRow,
    count_splits,
    glued_row,
    glued_tokens,
    split_flat_row,
    split_glued_rows,
    splits,
)
from govreports.normalize import parse_tables
from govreports.readers.document import Document, RawRow
from govreports.schema import ACTIVE, APPEALS, APPLICATIONS

APPLICANT_COLS = tuple(c.key for c in APPLICATIONS.cols)
T3_ROWS = tuple(r.key for r in APPLICATIONS.rows_for("2021"))


# --- the enumeration ---------------------------------------------------------------------


def test_the_examples_of_the_issue():
    assert splits(("21710000218",), 7, 7) == (("217", "1", "0", "0", "0", "0", "218"),)
    assert splits(("21317000001324019",), 15, 5) == (
        ("2", "1", "3", "1", "7", "0", "0", "0", "0", "0", "13", "2", "4", "0", "19"),
    )
    assert len(splits(("898989",), 3)) == 10  # 表二: no identity, C(5, 2) cuts, no zero digit


def test_no_leading_zeros_except_zero_itself():
    assert splits(("100153",), 3) == (
        ("10", "0", "153"),
        ("100", "1", "53"),
        ("100", "15", "3"),
        ("1001", "5", "3"),
    )
    assert all(not (len(p) > 1 and p[0] == "0") for s in splits(("26480430",), 3) for p in s)
    assert len(splits(("26480430",), 3)) == 16  # counted by hand: 5 + 4 + 3 + 1 + 2 + 1


def test_space_separated_tokens_are_never_joined():
    # '230 000023': '000023' can only be 0|0|0|0|23 or 0|0|0|0|2|3; '230' one or two cells.
    assert count_splits(("230", "000023"), 7) == 3
    assert splits(("230", "000023"), 7, 7) == (("23", "0", "0", "0", "0", "0", "23"),)
    assert splits(("23", "0", "00", "0", "023"), 7) == (("23", "0", "0", "0", "0", "0", "23"),)


def test_forced_ambiguous_and_impossible():
    assert splits(("000",), 3) == (("0", "0", "0"),)
    assert splits(("350",), 2) == (("3", "50"), ("35", "0"))
    assert splits(("12",), 3) == ()  # fewer digits than cells
    assert splits(("00",), 1) == ()  # '00' is no number
    assert splits(("7000006",), 7, 7) == ()  # the only split, 7|0|0|0|0|0|6, breaks the identity
    forced = glued_row("granted", APPLICANT_COLS, ("7000006",), 1, "T3.SUM_COLS").cells()
    assert {c[1] for c in forced} == {"ambiguous"}  # forced by length, but the identity fails


def test_identity_prunes_to_one_where_digits_allow_many():
    assert count_splits(("713000074",), 7) > 1
    assert splits(("713000074",), 7, 7) == (("71", "3", "0", "0", "0", "0", "74"),)
    assert splits(("723000075",), 7, 7) == (("72", "3", "0", "0", "0", "0", "75"),)


def test_decimals_and_units_stay_on_the_last_piece():
    found = splits(("13575394432.52元",), 2)
    assert len(found) == 10
    assert found[0] == ("1", "3575394432.52元") and found[-1] == ("1357539443", "2.52元")
    assert splits(("10.5",), 2) == (("1", "0.5"),)


def test_more_than_the_limit_is_none_not_a_guess(monkeypatch):
    monkeypatch.setattr(glued, "LIMIT", 5)
    splits.cache_clear()
    try:
        assert splits(("123456789",), 3) is None
        row = glued_row("r", ("a", "b", "c"), ("123456789",), 4, None)
        assert {c[1] for c in row.cells()} == {"ambiguous"} and "more than 5 readings" in row.cells()[0][3]
    finally:
        splits.cache_clear()


def test_long_runs_end_in_a_reading_or_none():
    # Runs whose readings are too many end in None at the cap (benchmarks/solver.py times them).
    for tokens, n, group in [(("9" * 40,), 7, 7), (("1" * 60,), 15, 5), (("12345678901234567890",), 3, 0)]:
        assert splits(tokens, n, group) is None or isinstance(splits(tokens, n, group), tuple)


# --- which rows count as glued ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("cells", "n", "tokens"),
    [
        (["898989"], 3, ("898989",)),
        (["", "000"], 3, ("000",)),  # a blank padding the label column
        (["", "000", ""], 3, None),  # as many cell slots as cells: aligned by position
        (["230", "000023"], 7, ("230", "000023")),
        (["12", "5"], 3, None),  # two plain numbers: a missing cell, not glued digits
        (["1", "", "2"], 3, None),  # a blank between values: aligned by position
        (["0", "0", "0"], 3, None),  # as many values as cells
        (["/"], 3, None),
        (["-12"], 3, None),
        (["１２３"], 3, ("123",)),  # full-width digits
    ],
)
def test_glued_tokens(cells, n, tokens):
    assert glued_tokens(cells, n) == tokens


# --- cells and evidence ------------------------------------------------------------------------


def test_unique_split_cells_name_the_identity():
    cells = glued_row("new_received", APPLICANT_COLS, ("21710000218",), 12, "T3.SUM_COLS").cells()
    assert [c[0] for c in cells] == [217.0, 1.0, 0.0, 0.0, 0.0, 0.0, 218.0]
    assert {c[1] for c in cells} == {"split"}
    assert cells[0][3] == "line 12; split 217|1|0|0|0|0|218 by T3.SUM_COLS"


def test_ambiguous_cells_list_the_candidates():
    cells = glued_row("fees", ("previous_year_items", "change"), ("350",), 3, None).cells()
    assert [c[:3] for c in cells] == [
        (None, "ambiguous", "3 | 35 | 350 | (blank)"),
        (None, "ambiguous", "50 | 0 | (blank) | 350"),
    ]
    assert cells[0][3] == (
        "line 3; '350' has 4 readings as 2 cells (blank cells allowed) and no identity to decide: "
        "3|50; 35|0; 350|; |350"
    )


def test_without_an_identity_a_dropped_blank_keeps_a_row_ambiguous():
    # '153' may be 1|5|3 or one value with two blank cells: no guess. '000' can only be 0|0|0.
    cols = ("a", "b", "c")
    assert {c[1] for c in glued_row("r", cols, ("153",), 1, None).cells()} == {"ambiguous"}
    assert [c[:2] for c in glued_row("r", cols, ("000",), 1, None).cells()] == [(0.0, "split")] * 3


def test_a_cell_on_which_every_split_agrees_is_kept():
    row = GluedRow("x", ("a", "b", "c"), ("1", "23"), 1, (("1", "2", "3"), ("1", "23", "0")))
    cells = row.cells()
    assert cells[0][:2] == (1.0, "split") and "every reading agrees" in cells[0][3]
    assert [c[1] for c in cells[1:]] == ["ambiguous", "ambiguous"]


def test_no_split_is_ambiguous_with_the_reason():
    # '123000016': total 6 or 16 (a longer total would start with 0); neither fits 1,2,3 + zeros.
    cells = glued_row("granted", APPLICANT_COLS, ("123000016",), 5, "T3.SUM_COLS").cells()
    assert {c[1] for c in cells} == {"ambiguous"} and all(c[0] is None for c in cells)
    assert "'123000016' has no reading as 7 cells that fits T3.SUM_COLS" in cells[0][3]


def test_appeals_flat_row():
    cells = split_flat_row(APPEALS, ["21317000001324019"], 9)
    assert [c[0] for c in cells] == [2, 1, 3, 1, 7, 0, 0, 0, 0, 0, 13, 2, 4, 0, 19]
    assert cells[0][3].endswith("by T4.SUM")
    assert split_flat_row(APPEALS, ["0"] * 15, 9) is None


# --- across rows: the column identities decide what the row identity leaves open -------------


def _found(rows: dict[str, str]) -> dict:
    return {k: (v.split(), 7) for k, v in rows.items()}


def _table(**printed: str) -> dict:
    """表三 rows as printed: zeros except the given rows (space-separated or glued)."""
    return _found({**dict.fromkeys(T3_ROWS, "0 0 0 0 0 0 0"), **printed})


# '110000011' has exactly two splits that fit its row identity (worked out by hand):
# 11|0|0|0|0|0|11 and 1|10|0|0|0|0|11.
TWO_WAYS = "110000011"


def test_two_ways_by_hand():
    assert splits((TWO_WAYS,), 7, 7) == (
        ("1", "10", "0", "0", "0", "0", "11"),
        ("11", "0", "0", "0", "0", "0", "11"),
    )


def test_column_identities_decide_an_open_row():
    found = _table(new_received="11 0 0 0 0 0 11", total_processed="11 0 0 0 0 0 11", granted=TWO_WAYS)
    cells = split_glued_rows(APPLICATIONS, found, T3_ROWS, "2021")["granted"]
    assert [c[0] for c in cells] == [11.0, 0.0, 0.0, 0.0, 0.0, 0.0, 11.0]
    assert {c[1] for c in cells} == {"split"}
    assert cells[0][3] == "line 7; split 11|0|0|0|0|0|11 by T3.SUM_COLS, T3.SUM_ROWS"


def test_two_open_rows_that_fit_either_way_stay_ambiguous():
    found = _table(
        new_received="12 10 0 0 0 0 22",
        total_processed="12 10 0 0 0 0 22",
        granted=TWO_WAYS,
        partially_granted=TWO_WAYS,  # 11 + 1 or 1 + 11 natural persons: both fit every identity
    )
    cells = split_glued_rows(APPLICATIONS, found, T3_ROWS, "2021")
    for key in ("granted", "partially_granted"):
        assert [c[1] for c in cells[key][:2]] == ["ambiguous", "ambiguous"]
        assert cells[key][0][2] == "1 | 11"
        # The other applicant columns and the total are the same in both splits.
        assert [c[:2] for c in cells[key][2:]] == [(0.0, "split")] * 4 + [(11.0, "split")]


def test_identities_that_no_split_fits_narrow_nothing():
    found = _table(new_received="5 0 0 0 0 0 5", total_processed="5 0 0 0 0 0 5", granted=TWO_WAYS)
    cells = split_glued_rows(APPLICATIONS, found, T3_ROWS, "2021")["granted"]
    assert [c[1] for c in cells[:2]] == ["ambiguous", "ambiguous"]
    assert "2 readings as 7 cells that fit T3.SUM_COLS" in cells[0][3]


def test_table_without_identities_keeps_every_candidate():
    found = {"rules": (["898989"], 3), "normative_documents": (["0", "0", "0"], 4)}
    cells = split_glued_rows(ACTIVE, found, ["rules", "normative_documents"], "2021")
    assert list(cells) == ["rules"] and {c[1] for c in cells["rules"]} == {"ambiguous"}


def test_parse_tables_splits_and_flags_in_place():
    lines = [
        "第二十条第（一）项",
        "规章 000",
        "行政规范性文件 898989",
        "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
        "一、本年新收政府信息公开申请数量 21710000218",
        "四、政府信息公开行政复议、行政诉讼情况",
        "21317000001324019",
    ]
    rows = [RawRow(tuple(line.split(" ")), i) for i, line in enumerate(lines, 1)]
    records = parse_tables(Document("<t>", "\n".join(lines), rows, "str"), "2021").records
    by = {(r[1], r[2]): r[3:] for r in records}
    assert by[("rules", "in_force")][:2] == (0.0, "split")
    assert by[("normative_documents", "issued")][:2] == (None, "ambiguous")
    assert by[("new_received", "total")] == (
        218.0,
        "split",
        "218",
        "line 5; split 217|1|0|0|0|0|218 by T3.SUM_COLS",
    )
    assert by[("litigation_after_review", "total")][:2] == (19.0, "split")


# --- property: a glued consistent row is split right, or not at all ----------------------------

counts = st.integers(0, 30) | st.integers(0, 400)


@settings(max_examples=300, deadline=None)
@given(parts=st.lists(counts, min_size=6, max_size=6), cut=st.lists(st.booleans(), min_size=6, max_size=6))
def test_a_glued_consistent_t3_row_is_split_right_or_left_ambiguous(parts, cut):
    truth = tuple(str(p) for p in [*parts, sum(parts)])
    # Glue the cells, keeping a space after some of them (as the crawler dumps do).
    tokens, current = [], ""
    for cell, space in zip(truth, [*cut, True], strict=True):
        current += cell
        if space:
            tokens.append(current)
            current = ""
    row = glued_row("granted", APPLICANT_COLS, tuple(tokens), 1, "T3.SUM_COLS")
    for (value, status, raw, _), expected in zip(row.cells(), truth, strict=True):
        assert status in ("split", "ambiguous")
        assert status == "ambiguous" or (raw, value) == (expected, float(expected))
    if row.candidates is not None:
        assert truth in row.candidates  # the true split is never pruned away


@settings(max_examples=200, deadline=None)
@given(parts=st.lists(st.lists(counts, min_size=4, max_size=4), min_size=3, max_size=3))
def test_a_glued_consistent_t4_row_is_split_right_or_left_ambiguous(parts):
    truth = [str(v) for four in parts for v in (*four, sum(four))]
    cells = split_flat_row(APPEALS, ["".join(truth)], 1)
    for (value, status, raw, _), expected in zip(cells, truth, strict=True):
        assert status in ("split", "ambiguous")
        assert status == "ambiguous" or raw == expected and value == float(expected)


def test_labelled_appeals_rows_are_split_by_t4_sum():
    lines = ["四、政府信息公开行政复议、行政诉讼情况", "行政复议 21317", "未经复议直接起诉 00000"]
    lines.append("复议后起诉 1324019")
    rows = [RawRow(tuple(line.split(" ")), i) for i, line in enumerate(lines, 1)]
    records = parse_tables(Document("<t>", "\n".join(lines), rows, "str"), "2021").records
    appeals = [r for r in records if r[0] == "appeals"]
    assert [r[3] for r in appeals] == [2, 1, 3, 1, 7, 0, 0, 0, 0, 0, 13, 2, 4, 0, 19]
    assert {r[4] for r in appeals} == {"split"}
    assert appeals[-1][6] == "line 4; split 13|2|4|0|19 by T4.SUM"
