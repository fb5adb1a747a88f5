import shlex
import subprocess
import sys

import pandas as pd
import pytest
from conftest import RAW_DIR, SEEDS

from govreports.cli import main
from govreports.io import _stata_names


def test_parse_writes_parquet_and_excel_friendly_csv(tmp_path, capsys):
    source = tmp_path / "raw"
    source.mkdir()
    for seed in SEEDS:
        (source / f"{seed}.txt").write_bytes((RAW_DIR / f"{seed}.txt").read_bytes())
    assert main(["parse", str(source), "-o", str(tmp_path), "--workers", "1"]) == 0
    for name in ("reports", "cells", "checks", "figures", "failures"):
        assert (tmp_path / f"{name}.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    for name in ("reports", "cells", "checks", "figures"):
        assert sorted(p.name for p in (tmp_path / name).iterdir()) == ["2022", "2023"]
    cells = pd.read_parquet(tmp_path / "cells")
    assert cells.value.dtype == "Float64" and len(cells) == 1000
    csv = pd.read_csv(tmp_path / "cells.csv", encoding="utf-8-sig")
    assert len(csv) == 1000 and csv.row_label.str.contains("本年新收").any()
    assert "parsed 5, reused 0 from the cache, 0 failed" in capsys.readouterr().out


def test_check_prints_tables_and_failed_checks(capsys):
    assert main(["check", str(RAW_DIR / "002_5bfe4ddd4becc1ae.txt")]) == 0
    out = capsys.readouterr().out
    assert "东宁市 2023" in out and "27780" in out
    assert "other_no_correction" in out and "blank" in out
    assert "0 failed checks" in out


def test_export_stata_labels_variables_in_chinese(tmp_path):
    source = tmp_path / "raw"
    source.mkdir()
    (source / "002.txt").write_bytes((RAW_DIR / "002_5bfe4ddd4becc1ae.txt").read_bytes())
    assert main(["parse", str(source), "-o", str(tmp_path / "out"), "--no-csv", "--workers", "1"]) == 0
    assert main(["export", str(tmp_path / "out"), "--stata", str(tmp_path / "gr.dta")]) == 0
    with pd.io.stata.StataReader(tmp_path / "gr.dta") as reader:
        data = reader.read()
        labels = reader.variable_labels()
    assert data.loc[0, "t2_r05_decisions"] == 27780
    assert labels["t2_r05_decisions"] == "表二 行政处罚 本年处理决定数量"
    assert labels["t3_r01_total"] == "表三 一、本年新收政府信息公开申请数量 总计"
    assert data.loc[0, "n_flagged"] == 16


def test_check_reports_a_bad_file(tmp_path, capsys):
    bad = tmp_path / "bad.txt"
    bad.write_text("首页", encoding="utf-8")
    assert main(["check", str(bad)]) == 1
    assert "bad.txt: not a government information disclosure report" in capsys.readouterr().err


def test_parse_refuses_an_unknown_pdf_engine(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["parse", "data/raw", "-o", str(tmp_path / "out"), "--pdf-engines", "pdfplumber,tabula"])
    assert exit_info.value.code == 2
    assert "--pdf-engines: engines: one or two different names of ('pdfium', 'pdfplumber', 'camelot')" in (
        capsys.readouterr().err
    )


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["check", "nonexistent.txt"], 1, "govreports: error: nonexistent.txt: cannot open: no such file\n"),
        (["check", "."], 1, "govreports: error: .: not a regular file but a directory\n"),
        (["parse", "nonexistent", "-o", "out"], 2, "govreports: error: parse: nonexistent is not a folder\n"),
        (["export", "nonexistent", "--stata", "x.dta"], 2, "is not a folder written by `govreports parse`\n"),
    ],
)
def test_user_mistakes_are_one_line_with_an_exit_code(argv, code, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    if code == 2:
        with pytest.raises(SystemExit) as exit_:
            main(argv)
        assert exit_.value.code == 2
    else:
        assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.endswith(message) and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_a_closed_pipe_ends_quietly():
    command = [sys.executable, "-m", "govreports.cli", "check", str(RAW_DIR / "003_2ef598b92a3120fd.txt")]
    done = subprocess.run(f"{shlex.join(command)} | head -1", shell=True, capture_output=True, text=True)
    assert done.stdout.startswith("鹤岗市东山区人民政府 2022") and done.stderr == ""


def test_a_rerun_with_nothing_new_leaves_the_csv_copies_alone(tmp_path):
    out = tmp_path / "out"
    assert main(["parse", str(RAW_DIR), "-o", str(out), "--workers", "1"]) == 0
    written = {p.name: p.stat().st_mtime_ns for p in out.glob("*.csv")}
    assert main(["parse", str(RAW_DIR), "-o", str(out), "--workers", "1"]) == 0
    assert {p.name: p.stat().st_mtime_ns for p in out.glob("*.csv")} == written


def test_a_rerun_rewrites_nothing_and_a_change_rewrites_its_csv(tmp_path, capsys):
    source, out = tmp_path / "raw", tmp_path / "out"
    source.mkdir()
    for seed in SEEDS:
        (source / f"{seed}.txt").write_bytes((RAW_DIR / f"{seed}.txt").read_bytes())
    assert main(["parse", str(source), "-o", str(out), "--workers", "1"]) == 0
    assert "CSV copies: 5 written" in capsys.readouterr().out
    written = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    assert main(["parse", str(source), "-o", str(out), "--workers", "1"]) == 0
    assert "CSV copies: 0 written" in capsys.readouterr().out
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()} == written
    (source / "bad.txt").write_text("首页", encoding="utf-8")
    assert main(["parse", str(source), "-o", str(out), "--workers", "1"]) == 0
    assert "CSV copies: 1 written" in capsys.readouterr().out
    assert (out / "cells.csv").stat().st_mtime_ns == written[out / "cells.csv"]
    assert pd.read_csv(out / "failures.csv", encoding="utf-8-sig").path.str.endswith("bad.txt").all()


def test_export_stata_labels_every_variable_with_integer_years_and_cell_statuses(tmp_path):
    source = tmp_path / "raw"
    source.mkdir()
    for seed in SEEDS:
        (source / f"{seed}.txt").write_bytes((RAW_DIR / f"{seed}.txt").read_bytes())
    (source / "undated.txt").write_text(
        (RAW_DIR / f"{SEEDS[2]}.txt").read_text(encoding="utf-8").replace("2023", "今"), encoding="utf-8"
    )
    out, dta = tmp_path / "out", tmp_path / "gr.dta"
    assert main(["parse", str(source), "-o", str(out), "--no-csv", "--workers", "1"]) == 0
    assert main(["export", str(out), "--stata", str(dta)]) == 0
    data = pd.read_stata(dta, convert_categoricals=False).set_index("report_id")
    with pd.io.stata.StataReader(dta) as reader:
        labels = reader.variable_labels()
        types = dict(zip(reader._varlist, reader._typlist, strict=True))
        value_labels = reader.value_labels()
    assert all(labels.values()) and labels["year"] == "报告年度" and labels["report_id"] == "报告编号"
    assert {types["year"], types["n_flagged"], types["t3_r01_total_st"]} <= {"b", "h", "l"}
    assert types["t3_r01_total"] == "d"
    assert data.loc["undated", "year"] != data.loc["undated", "year"]  # Stata's missing
    assert data.drop(index="undated").year.astype(int).tolist() == [2023, 2023, 2023, 2022, 2023]
    assert value_labels["t3_r01_total_st"][0] == "ok"
    cells = pd.read_parquet(out / "cells").set_index(["report_id", "table", "row_key", "col_key"])
    key = next(k for k, name in _stata_names()[0].items() if name == "t2_r05_decisions")
    decisions = cells.loc[(SEEDS[2], *key)]
    assert data.loc[SEEDS[2], "t2_r05_decisions"] == decisions.value
    assert value_labels["t2_r05_decisions_st"][data.loc[SEEDS[2], "t2_r05_decisions_st"]] == decisions.status
    flagged = (cells.status != "ok").groupby("report_id").sum()
    assert data.n_flagged.to_dict() == flagged.to_dict()
    statuses = data.filter(like="_st").notna() & data.filter(like="_st").ne(0)
    assert statuses.sum(axis=1).to_dict() == flagged.to_dict()
