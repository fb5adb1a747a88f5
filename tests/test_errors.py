"""Bad input: the exact error for one file, a failures row in a corpus, never a crash or a silent 0."""

import time

import pytest
from conftest import RAW_DIR

import govreports as gr
from govreports import corpus as corpus_module
from govreports import report as report_module
from govreports.errors import (
    EmptyInputError,
    NoTablesError,
    NotAReportError,
    RefusedInputError,
    UndecodableError,
    UnreadableFileError,
    UnsupportedInputError,
)

SEED = RAW_DIR / "002_5bfe4ddd4becc1ae.txt"


def test_empty_file(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"  \n")
    with pytest.raises(EmptyInputError, match=r"empty\.txt: empty input"):
        gr.read_report(path)


def test_not_a_report(tmp_path):
    path = tmp_path / "menu.txt"
    path.write_text("首页 新闻中心 联系我们", encoding="utf-8")
    with pytest.raises(NotAReportError, match=r"menu\.txt: not a government information disclosure report"):
        gr.read_report(path)


def test_report_without_tables(tmp_path):
    path = tmp_path / "images.txt"
    path.write_text("某县2023年政府信息公开工作年度报告\n一、总体情况\n表格见图片。\n", encoding="utf-8")
    with pytest.raises(NoTablesError, match=r"images\.txt: no tables found"):
        gr.read_report(path)


def test_undecodable_bytes(tmp_path):
    path = tmp_path / "noise.txt"
    path.write_bytes(bytes(range(128, 256)) * 40)
    with pytest.raises(UndecodableError, match=r"noise\.txt: not text"):
        gr.read_report(path)


def test_unsupported_format_says_so(tmp_path):
    path = tmp_path / "report.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n")
    with pytest.raises(UnsupportedInputError, match=r"report\.txt: image input is not supported"):
        gr.read_report(path)


@pytest.mark.parametrize("start", ["GIF89a", "%PDF-1.4", "PK\x03\x04", "\x89PNG"])
def test_text_that_starts_like_a_binary_file_is_read_as_text(start):
    # A file is told by its content; a string passed as text= is text whatever it starts with.
    with pytest.raises(NoTablesError, match=r"<text>: no tables found"):
        gr.read_report(text=f"{start} 某县2023年政府信息公开工作年度报告\n表格见图片。")
    report = gr.read_report(text=start + "\n" + SEED.read_text(encoding="utf-8"))
    assert report.meta["format"] == "text" and report.cells.value.notna().sum() > 150


def test_missing_file():
    with pytest.raises(UnreadableFileError, match=r"nope\.txt: cannot open: no such file"):
        gr.read_report("nope.txt")


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030", "gbk", "utf-16"])
def test_encodings_seen_on_government_sites(tmp_path, encoding):
    text = SEED.read_text(encoding="utf-8")
    path = tmp_path / f"{encoding}.txt"
    path.write_bytes(text.encode(encoding))
    expected = gr.read_report(SEED).cells.drop(columns="report_id")
    assert gr.read_report(path).cells.drop(columns="report_id").equals(expected)


def test_a_corpus_lists_every_file_once(tmp_path):
    (tmp_path / "good.txt").write_bytes(SEED.read_bytes())
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "menu.txt").write_text("首页 新闻中心", encoding="utf-8")
    corpus = gr.read_reports(tmp_path)
    assert corpus.reports.report_id.tolist() == ["good"]
    failures = corpus.failures.set_index("path")
    assert failures.loc[str(tmp_path / "empty.txt"), "error_type"] == "EmptyInputError"
    assert failures.loc[str(tmp_path / "menu.txt"), "stage"] == "detect"
    assert len(corpus.reports) + len(corpus.failures) == 3


def _table3_row(values: str) -> str:
    return SEED.read_text(encoding="utf-8").replace(
        "二、上年结转政府信息公开申请数量\t\t0\t0\t0\t0\t0\t0\t0\t",
        f"二、上年结转政府信息公开申请数量\t{values}",
    )


def test_a_short_row_is_flagged_and_later_rows_do_not_shift():
    report = gr.read_report(text=_table3_row("0\t0\t0\t0\t0\t0"))
    cells = report.cells.set_index(["row_key", "col_key"])
    carried = cells.loc["carried_over"]
    assert set(carried.status) == {"missing_cell"}
    assert carried.value.isna().all()
    assert cells.loc[("granted", "total"), "status"] == "ok"
    assert report.checks.query("check_id == 'T3.FLOW'").status.eq("not_assessable").all()


def test_a_row_with_different_surplus_values_keeps_only_what_every_alignment_agrees_on():
    report = gr.read_report(text=_table3_row("5\t1\t0\t0\t0\t0\t0\t6"))
    carried = report.cells.query("row_key == 'carried_over'")
    assert set(carried.status) == {"surplus_cells"}
    assert carried.value.isna().tolist() == [True, True, False, False, False, False, True]


def test_placeholders_are_never_zero():
    report = gr.read_report(text=_table3_row("\t/\t-\t—\t无\t不适用\t0\t0"))
    carried = report.cells.query("row_key == 'carried_over'")
    assert carried.status.tolist() == ["slash", "dash", "dash", "zero_word", "na_text", "ok", "ok"]
    assert carried.value.isna().tolist() == [True, True, True, False, True, False, False]


def test_a_file_over_the_size_limit_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(report_module, "MAX_BYTES", 1000)
    path = tmp_path / "huge.txt"
    path.write_bytes(SEED.read_bytes())
    with pytest.raises(RefusedInputError, match=r"huge\.txt: file is \d+ bytes, over the 1000-byte limit"):
        gr.read_report(path)


def test_a_file_over_the_time_limit_becomes_a_failures_row(tmp_path, monkeypatch):
    (tmp_path / "good.txt").write_bytes(SEED.read_bytes())
    (tmp_path / "slow.txt").write_bytes(SEED.read_bytes() + b"\n")
    parse = report_module._parse_source

    def slow_on_one_file(path, **kwargs):
        if path.name == "slow.txt":
            time.sleep(5)
        return parse(path, **kwargs)

    monkeypatch.setattr(report_module, "_parse_source", slow_on_one_file)
    monkeypatch.setattr(corpus_module, "TIME_LIMIT", 0.5)
    corpus = gr.read_reports(tmp_path, workers=1)
    assert corpus.reports.report_id.tolist() == ["good"]
    failure = corpus.failures.iloc[0]
    assert (failure.error_type, failure.message) == (
        "TimeLimitError",
        f"{tmp_path / 'slow.txt'}: refused: parsing took longer than the 0.5 s limit for one report",
    )
