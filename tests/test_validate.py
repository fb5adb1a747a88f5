import pandas as pd
from conftest import RAW_DIR

import govreports as gr
from govreports.schema import APPLICATIONS, identities

SEED = RAW_DIR / "003_2ef598b92a3120fd.txt"


def _with_total_4() -> str:
    return SEED.read_text(encoding="utf-8").replace(
        "→(七)总计→0→0→0→0→0→0→0".replace("→", "\t"), "→(七)总计→0→0→0→0→0→0→4".replace("→", "\t")
    )


def test_one_changed_cell_fails_exactly_the_identities_it_enters():
    text = _with_total_4()
    failed = gr.read_report(text=text).checks.query("status == 'fail'")
    assert sorted(map(tuple, failed[["check_id", "scope", "delta"]].values.tolist())) == [
        ("T3.FLOW", "total", -4.0),
        ("T3.SUM_COLS", "total_processed", 4.0),
        ("T3.SUM_ROWS", "total", 4.0),
    ]


def test_a_failing_identity_flags_its_cells_and_changes_no_value():
    keys = ["table", "row_key", "col_key"]
    plain = gr.read_report(SEED).cells.set_index(keys)
    changed = gr.read_report(text=_with_total_4()).cells.set_index(keys)
    total = ("applications", "total_processed", "total")
    assert changed.loc[total, ["value", "status", "in_failed_check"]].tolist() == [4, "ok", True]
    others = changed.drop(index=total)
    pd.testing.assert_frame_equal(others[["value", "status"]], plain.drop(index=total)[["value", "status"]])
    assert others.in_failed_check.sum() > 0  # the other operands of the failing identities


def test_fill_from_identities_returns_a_flagged_copy():
    cells = gr.read_report(RAW_DIR / "002_5bfe4ddd4becc1ae.txt").cells
    filled = gr.fill_from_identities(cells)
    inferred = filled[filled.status == "inferred"]
    assert inferred[["row_key", "col_key", "value"]].values.tolist() == [
        ["other_no_correction", "total", 0.0]
    ]
    assert (
        inferred.source_ref.iloc[0]
        == "inferred from T3.SUM_ROWS[total]; inferred from T3.SUM_COLS[other_no_correction]"
    )
    assert cells.query("status == 'inferred'").empty


def test_identities_cover_every_2021_outcome_row():
    rows = tuple(r.key for r in APPLICATIONS.rows_for("2021"))
    sum_rows = next(i for i in identities(rows) if i.check_id == "T3.SUM_ROWS")
    assert [r for r, _ in sum_rows.rhs] == list(rows[2:23])


def test_soft_checks_compare_prose_with_the_table_and_rules_with_the_level():
    report = gr.read_report(RAW_DIR / "001_2df4fb0f365bf309.txt")
    soft = report.checks.query("kind == 'soft'").set_index("check_id")
    assert soft.loc["TXT.NEW_RECEIVED", ["lhs", "rhs", "status"]].tolist() == [2.0, 2.0, "pass"]
    assert soft.loc["T2.RULES", "status"] == "pass"
    text = (RAW_DIR / "001_2df4fb0f365bf309.txt").read_text(encoding="utf-8")
    changed = text.replace("全年收到依申请公开申请2条", "全年收到依申请公开申请5条")
    soft = gr.read_report(text=changed).checks.query("kind == 'soft'").set_index("check_id")
    assert soft.loc["TXT.NEW_RECEIVED", ["delta", "status"]].tolist() == [3.0, "fail"]
