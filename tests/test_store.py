"""The on-disk corpus: streaming parts, the cache, duplicates, resuming, Dask."""

import os
import shutil

import pandas as pd
import pytest
from conftest import RAW_DIR, SEEDS

from govreports import corpus, store
from govreports.corpus import read_reports
from govreports.io import read_processed


def _frames_equal(a, b):
    for name in ("reports", "cells", "checks", "figures"):
        left = getattr(a, name).drop(columns=["year"], errors="ignore")
        right = getattr(b, name).drop(columns=["year"], errors="ignore")
        pd.testing.assert_frame_equal(
            left.reset_index(drop=True), right.reset_index(drop=True), check_dtype=False
        )


def test_build_writes_the_same_frames_as_reading_in_memory(raw, tmp_path):
    summary = store.build(raw, tmp_path / "out", workers=1)
    assert (summary.parsed, summary.reused, summary.failed) == (5, 0, 0)
    _frames_equal(read_processed(tmp_path / "out"), read_reports(raw, workers=1))


def test_rerun_parses_only_new_or_changed_files(raw, tmp_path):
    out = tmp_path / "out"
    store.build(raw, out, workers=1)
    assert store.build(raw, out, workers=1).reused == 5
    text = (raw / f"{SEEDS[3]}.txt").read_text(encoding="utf-8").replace("行政许可\t152", "行政许可\t153")
    (raw / f"{SEEDS[3]}.txt").write_text(text, encoding="utf-8")
    (raw / "new.txt").write_bytes((raw / f"{SEEDS[0]}.txt").read_bytes().replace(b"1470", b"1471"))
    summary = store.build(raw, out, workers=1)
    assert (summary.parsed, summary.reused) == (2, 4)
    cells = read_processed(out).cells
    licensing = cells.query("row_key == 'licensing' and report_id == @SEEDS[3]").value.tolist()
    assert licensing == [153.0]
    assert cells.report_id.value_counts().eq(200).all()


def test_removed_files_leave_the_dataset(raw, tmp_path):
    out = tmp_path / "out"
    store.build(raw, out, workers=1)
    (raw / f"{SEEDS[0]}.txt").unlink()
    store.build(raw, out, workers=1)
    assert SEEDS[0] not in set(read_processed(out).reports.report_id)


def test_parser_upgrade_invalidates_the_formats_it_touches(raw, tmp_path, monkeypatch):
    out = tmp_path / "out"
    store.build(raw, out, workers=1)
    monkeypatch.setattr(store, "fingerprint", lambda fmt, pdf: "new-parser" if fmt == "text" else "same")
    assert store.build(raw, out, workers=1).parsed == 5


def test_duplicates_are_listed_and_not_double_counted(raw, tmp_path):
    shutil.copy(raw / f"{SEEDS[1]}.txt", raw / "copy.txt")
    text = (raw / f"{SEEDS[2]}.txt").read_text(encoding="utf-8") + "\n"
    (raw / "same-organ-year.txt").write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    summary = store.build(raw, out, workers=1)
    duplicates = pd.read_parquet(out / "duplicates.parquet")
    assert sorted(duplicates.kind) == ["same_file", "same_report"]
    corpus = read_processed(out)
    assert "copy" not in set(corpus.reports.report_id)
    assert corpus.failures.query("error_type == 'DuplicateFile'").path.str.endswith("copy.txt").all()
    assert len(corpus.reports) + len(corpus.failures) == 7
    assert summary.duplicates == 2


def test_an_interrupted_batch_is_discarded_and_redone(raw, tmp_path):
    out = tmp_path / "out"
    store.build(raw, out, workers=1)
    ledger = sorted((out / "_ledger").glob("part-*.parquet"))
    ledger[0].unlink()  # the run died after writing this batch's frames, before its ledger part
    summary = store.build(raw, out, workers=1)
    assert summary.parsed >= 1 and summary.parsed + summary.reused == 5
    reports = read_processed(out).reports
    assert len(reports) == 5 and reports.report_id.is_unique


def test_a_crashing_worker_loses_only_its_file(raw, tmp_path, monkeypatch):
    (raw / "crash.txt").write_text("a file that kills the process parsing it", encoding="utf-8")
    parse = corpus.parse_source

    def crash_on_one_file(path, **kwargs):
        if path.name == "crash.txt":
            os._exit(1)  # as a segfault in a native library would
        return parse(path, **kwargs)

    # Worker processes are forked, so they inherit the patch.
    monkeypatch.setattr(corpus, "parse_source", crash_on_one_file)
    out = tmp_path / "out"
    summary = store.build(raw, out, workers=2)
    result = read_processed(out)
    assert summary.parsed == 6 and len(result.reports) == 5
    crash = result.failures.set_index("path").loc[str(raw / "crash.txt")]
    assert (crash.stage, crash.error_type) == ("worker", "WorkerCrash")


@pytest.mark.slow
def test_dask_cluster_writes_the_same_dataset(raw, tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        with distributed.Client(cluster) as client:
            store.build(raw, tmp_path / "dask", client=client)
    store.build(raw, tmp_path / "local", workers=1)
    _frames_equal(read_processed(tmp_path / "dask"), read_processed(tmp_path / "local"))


def test_files_of_the_same_name_in_different_folders_stay_separate_reports(tmp_path):
    raw = tmp_path / "raw"
    for year, seed in (("2022", SEEDS[3]), ("2023", SEEDS[2])):
        (raw / year).mkdir(parents=True)
        shutil.copy(RAW_DIR / f"{seed}.txt", raw / year / "report.txt")
    in_memory = read_reports(raw, workers=1)
    assert sorted(in_memory.reports.report_id) == ["2022/report", "2023/report"]
    assert in_memory.cells.groupby("report_id").size().tolist() == [200, 200]
    store.build(raw, tmp_path / "out", workers=1)
    shutil.copy(RAW_DIR / f"{SEEDS[0]}.txt", raw / "report.txt")  # a third "report" joins
    store.build(raw, tmp_path / "out", workers=1)
    reports = read_processed(tmp_path / "out").reports
    assert sorted(reports.report_id) == ["2022/report", "2023/report", "report"]


def test_read_processed_is_reachable_as_the_readme_shows():
    import govreports as gr

    assert gr.io.read_processed is gr.read_processed


def test_an_upgrade_of_a_parsing_library_reparses_its_format(monkeypatch):
    before = {fmt: store.fingerprint(fmt) for fmt in ("pdf", "text")}
    store.fingerprint.cache_clear()
    real = store._version
    monkeypatch.setattr(store, "_version", lambda p: "99.0" if p == "pdfplumber" else real(p))
    try:
        assert store.fingerprint("pdf") != before["pdf"]
        assert store.fingerprint("text") == before["text"]
    finally:
        store.fingerprint.cache_clear()


def _mtimes(out):
    return {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}


def test_a_rerun_with_nothing_new_rewrites_nothing(raw, tmp_path):
    shutil.copy(raw / f"{SEEDS[1]}.txt", raw / "copy.txt")
    (raw / "bad.txt").write_text("首页", encoding="utf-8")
    out = tmp_path / "out"
    first = store.build(raw, out, workers=1)
    written = _mtimes(out)
    again = store.build(raw, out, workers=1)
    assert _mtimes(out) == written
    assert (again.failed, again.duplicates, again.reports_with_failing_checks) == (
        first.failed,
        first.duplicates,
        first.reports_with_failing_checks,
    )


def test_a_new_copy_of_a_file_is_listed_as_a_duplicate(raw, tmp_path):
    out = tmp_path / "out"
    store.build(raw, out, workers=1)
    shutil.copy(raw / f"{SEEDS[1]}.txt", raw / "copy.txt")  # nothing to parse, yet a new duplicate
    summary = store.build(raw, out, workers=1)
    assert (summary.parsed, summary.duplicates) == (0, 1)
    duplicates = pd.read_parquet(out / "duplicates.parquet")
    assert duplicates.kind.tolist() == ["same_file"] and duplicates.path.str.endswith("copy.txt").all()
    (raw / "copy.txt").unlink()
    assert store.build(raw, out, workers=1).duplicates == 0
    assert pd.read_parquet(out / "duplicates.parquet").empty


def test_the_summary_counts_the_ledger_kept_and_new(raw, tmp_path):
    (raw / "bad.txt").write_text("首页", encoding="utf-8")
    out = tmp_path / "out"
    store.build(raw, out, workers=1)
    (raw / "bad2.txt").write_text("首页 二", encoding="utf-8")
    summary = store.build(raw, out, workers=1)
    assert (summary.parsed, summary.reused, summary.failed) == (1, 6, 2)


def test_a_changed_file_rewrites_only_the_parts_that_held_it(raw, tmp_path):
    out = tmp_path / "out"
    store.build(raw, out, workers=1)
    parts = {
        p: p.stat().st_mtime_ns
        for name in ("reports", "cells", "checks", "figures")
        for p in (out / name).rglob("*.parquet")
    }
    held = {p for p in parts if SEEDS[3] in set(pd.read_parquet(p, columns=["report_id"]).report_id)}
    assert held and len(held) < len(parts)
    path = raw / f"{SEEDS[3]}.txt"
    path.write_text(
        path.read_text(encoding="utf-8").replace("行政许可\t152", "行政许可\t153"), encoding="utf-8"
    )
    store.build(raw, out, workers=1)
    assert {p for p in parts if not p.exists() or p.stat().st_mtime_ns != parts[p]} == held


def test_a_batch_parsed_again_after_its_result_was_lost_is_kept_once(raw, tmp_path, monkeypatch):
    # A batch that finished while another worker crashed is reported lost with the pool and
    # parsed again: its first parse is on disk as well.
    real = store.run_batches

    def losing_the_first_result(batches, workers, client, task):
        task(batches[0])  # written, but its result never arrives
        yield from real(batches, workers, client, task)

    monkeypatch.setattr(store, "run_batches", losing_the_first_result)
    (raw / "bad.txt").write_text("首页", encoding="utf-8")
    out = tmp_path / "out"
    summary = store.build(raw, out, workers=1)
    result = read_processed(out)
    assert (summary.parsed, summary.failed) == (6, 1)
    assert len(result.reports) == 5 and result.reports.report_id.is_unique
    assert len(result.failures) == 1 and result.cells.groupby("report_id").size().eq(200).all()
    ledger = pd.read_parquet(out / "_ledger")
    assert len(ledger) == 6 and ledger.path.is_unique
    monkeypatch.setattr(store, "run_batches", real)
    assert store.build(raw, out, workers=1).reused == 6


def _sorted(frame):
    return frame.sort_values("report_id", kind="stable").reset_index(drop=True)


def test_each_frame_folder_reads_back_as_the_frame_in_memory(raw, tmp_path):
    out = tmp_path / "out"
    store.build(raw, out, workers=1)
    in_memory = read_reports(raw, workers=1)
    for name in ("reports", "cells", "checks", "figures"):
        expected = _sorted(getattr(in_memory, name))
        pd.testing.assert_frame_equal(_sorted(pd.read_parquet(out / name)), expected)
        pd.testing.assert_frame_equal(store.read_frame(out, name), expected)
        pd.testing.assert_frame_equal(getattr(read_processed(out), name), expected)
    years = pd.read_parquet(out / "reports").year
    assert years.dtype == "Int16" and (years + 1).notna().all()
    assert not any(p.name.startswith("year=") for p in (out / "reports").iterdir())
    assert store.read_frame(out, "reports", ["report_id", "year"]).columns.tolist() == ["report_id", "year"]


def _to_hive_folders(out):
    """Rewrite a dataset as earlier versions wrote it: year=<year> folders, no year column."""
    for name in ("reports", "cells", "checks", "figures"):
        for folder in [p for p in (out / name).iterdir() if p.is_dir()]:
            hive = out / name / f"year={folder.name}"
            hive.mkdir()
            for part in folder.glob("*.parquet"):
                frame = pd.read_parquet(part).drop(columns=["year"], errors="ignore")
                frame.to_parquet(hive / part.name, index=False)
                part.unlink()
            folder.rmdir()


def test_a_dataset_in_hive_folders_reads_and_reruns_as_before(raw, tmp_path):
    out = tmp_path / "out"
    store.build(raw, out, workers=1)
    _to_hive_folders(out)
    in_memory = read_reports(raw, workers=1)
    for name in ("reports", "cells"):
        pd.testing.assert_frame_equal(store.read_frame(out, name), _sorted(getattr(in_memory, name)))
    assert store.build(raw, out, workers=1).reused == 5
    assert not any(p.name.startswith("year=") for p in (out / "cells").iterdir())
    for name in ("reports", "cells", "checks", "figures"):
        expected = _sorted(getattr(in_memory, name))
        pd.testing.assert_frame_equal(_sorted(pd.read_parquet(out / name)), expected)
        pd.testing.assert_frame_equal(store.read_frame(out, name), expected)


def test_a_report_without_a_year_reads_back_with_a_missing_integer_year(tmp_path):
    folder, out = tmp_path / "raw", tmp_path / "out"
    folder.mkdir()
    seed = RAW_DIR / f"{SEEDS[3]}.txt"
    (folder / "dated.txt").write_bytes(seed.read_bytes())
    text = seed.read_text(encoding="utf-8")
    year = str(read_reports([seed], workers=1).reports.year.iloc[0])
    (folder / "undated.txt").write_text(text.replace(year, "今"), encoding="utf-8")
    store.build(folder, out, workers=1)
    assert sorted(p.name for p in (out / "reports").iterdir()) == [year, "unknown"]
    years = pd.read_parquet(out / "reports").set_index("report_id").year
    assert years.dtype == "Int16" and years["dated"] == int(year) and years["undated"] is pd.NA
