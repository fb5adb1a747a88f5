import pandas as pd
from conftest import RAW_DIR, SEEDS

from govreports.cli import main


def test_parse_writes_parquet_and_excel_friendly_csv(tmp_path, capsys):
    source = tmp_path / "raw"
    source.mkdir()
    for seed in SEEDS:
        (source / f"{seed}.txt").write_bytes((RAW_DIR / f"{seed}.txt").read_bytes())
    assert main(["parse", str(source), "-o", str(tmp_path), "--workers", "1"]) == 0
    for name in ("reports", "cells", "checks", "figures", "failures"):
        assert (tmp_path / f"{name}.parquet").exists()
        assert (tmp_path / f"{name}.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    cells = pd.read_parquet(tmp_path / "cells.parquet")
    assert cells.value.dtype == "Float64" and len(cells) == 1000
    assert "parsed 5 reports, 0 failed" in capsys.readouterr().out


def test_check_prints_tables_and_failed_checks(capsys):
    assert main(["check", str(RAW_DIR / "002_5bfe4ddd4becc1ae.txt")]) == 0
    out = capsys.readouterr().out
    assert "东宁市 2023" in out and "27780" in out
    assert "other_no_correction" in out and "blank" in out
    assert "0 failed checks" in out


def test_check_reports_a_bad_file(tmp_path, capsys):
    bad = tmp_path / "bad.txt"
    bad.write_text("首页", encoding="utf-8")
    assert main(["check", str(bad)]) == 1
    assert "bad.txt: not a government information disclosure report" in capsys.readouterr().err
