"""Untrusted folders: every directory entry ends in exactly one of reports and failures, with its reason."""

import os
import sys
import time

import pandas as pd
import pytest
from conftest import RAW_DIR

import govreports as gr
from govreports import corpus as corpus_module
from govreports import store
from govreports.cli import main
from govreports.corpus import list_inputs, parse_batch
from govreports.errors import NotARegularFileError, RefusedInputError, UnreadableFileError

SEED = RAW_DIR / "003_2ef598b92a3120fd.txt"
UNDECODABLE = os.fsdecode(b"\xb1\xa8\xb8\xe6-gbk-name.txt")  # 报告 in GBK: not UTF-8


def hostile_folder(root):
    """A folder with one good report and one entry of every kind that cannot be read."""
    (root / "good.txt").write_bytes(SEED.read_bytes())
    (root / UNDECODABLE).write_bytes(SEED.read_bytes().replace(b"2022", b"2021"))
    with open(root / "sparse.txt", "wb") as sparse:
        sparse.truncate(6 * 1024**3)  # 6 GiB that take no room on disk
    os.mkfifo(root / "pipe.txt")
    (root / "dangling.txt").symlink_to(root / "nowhere.txt")
    (root / "loop.txt").symlink_to(root / "loop.txt")
    (root / "folder-link").symlink_to(root)
    return {
        "good.txt": "report",
        "\\xb1\\xa8\\xb8\\xe6-gbk-name.txt": "report",
        "sparse.txt": "RefusedInputError",
        "pipe.txt": "NotARegularFileError",
        "dangling.txt": "UnreadableFileError",
        "loop.txt": "UnreadableFileError",
        "folder-link": "NotARegularFileError",
    }


def outcomes(reports: pd.DataFrame, failures: pd.DataFrame) -> dict[str, str]:
    found = {os.path.basename(p): "report" for p in reports.path}
    for path, error in zip(failures.path, failures.error_type, strict=True):
        assert os.path.basename(path) not in found, f"{path} is both a report and a failure"
        found[os.path.basename(path)] = error
    return found


def test_every_entry_is_a_report_or_a_failure_in_memory(tmp_path):
    expected = hostile_folder(tmp_path)
    corpus = gr.read_reports(tmp_path, workers=1)
    assert outcomes(corpus.reports, corpus.failures) == expected
    assert len(corpus.reports) + len(corpus.failures) == len(list_inputs(tmp_path))


def test_every_entry_is_a_report_or_a_failure_on_disk(tmp_path, capsys):
    folder, out = tmp_path / "raw", tmp_path / "out"
    folder.mkdir()
    expected = hostile_folder(folder)
    assert main(["parse", str(folder), "-o", str(out)]) == 0
    dataset = store.read_dataset(out)
    assert outcomes(dataset.reports, dataset.failures) == expected
    # Every frame reads back with pandas alone, and the names are text that any tool can write.
    for name in ("reports", "cells", "checks", "figures", "failures"):
        pd.read_parquet(out / name)
    assert "\\xb1\\xa8\\xb8\\xe6-gbk-name" in set(dataset.reports.report_id)


def test_the_exact_reasons(tmp_path):
    expected = hostile_folder(tmp_path)
    cases = {
        "sparse.txt": (RefusedInputError, r"sparse\.txt: file is 6442450944 bytes, over the"),
        "pipe.txt": (NotARegularFileError, r"pipe\.txt: not a regular file but a FIFO \(named pipe\)"),
        "dangling.txt": (UnreadableFileError, r"dangling\.txt: cannot open: a broken symbolic link"),
        "loop.txt": (UnreadableFileError, r"loop\.txt: cannot open: a loop of symbolic links"),
        "folder-link": (NotARegularFileError, r"folder-link: not a regular file but a directory"),
    }
    assert set(cases) < set(expected)
    for name, (error, message) in cases.items():
        with pytest.raises(error, match=message):
            gr.read_report(tmp_path / name)
    with pytest.raises(NotARegularFileError, match="not a regular file but a directory"):
        gr.read_report(tmp_path)


def test_a_file_that_vanishes_after_listing_is_a_failure(tmp_path):
    (tmp_path / "good.txt").write_bytes(SEED.read_bytes())
    (tmp_path / "gone.txt").write_bytes(SEED.read_bytes())
    listed = list_inputs(tmp_path)
    (tmp_path / "gone.txt").unlink()
    corpus = parse_batch([(path, path.stem) for path in listed])
    assert corpus.reports.report_id.tolist() == ["good"]
    failure = corpus.failures.iloc[0]
    assert (failure.error_type, failure.stage) == ("UnreadableFileError", "open")
    assert failure.message.endswith("gone.txt: cannot open: no such file")


def test_a_report_without_a_year_keeps_the_dataset_readable(tmp_path):
    folder, out = tmp_path / "raw", tmp_path / "out"
    folder.mkdir()
    (folder / "dated.txt").write_bytes(SEED.read_bytes())
    (folder / "undated.txt").write_text(
        SEED.read_text(encoding="utf-8").replace("2022", "今"), encoding="utf-8"
    )
    store.build(folder, out, workers=1)
    raw = pd.read_parquet(out / "reports").set_index("report_id").year
    assert str(raw.dtype) == "Int16" and raw["dated"] == 2022 and raw["undated"] is pd.NA
    assert sorted(p.name for p in (out / "reports").iterdir()) == ["2022", "unknown"]
    years = store.read_frame(out, "reports").set_index("report_id").year
    assert years["dated"] == 2022 and years["undated"] is pd.NA


@pytest.mark.skipif(sys.platform != "linux", reason="FIFOs and undecodable names as on Linux")
def test_read_report_does_not_block_on_a_fifo(tmp_path):
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(NotARegularFileError):
        gr.read_report(tmp_path / "pipe", time_limit=None)  # no writer: a blocking open would hang


def test_a_worker_over_the_memory_limit_loses_only_its_file(tmp_path, monkeypatch):
    (tmp_path / "good.txt").write_bytes(SEED.read_bytes())
    (tmp_path / "bomb.txt").write_bytes(SEED.read_bytes() + b"\n")
    parse = corpus_module.parse_source

    def allocate_on_one_file(path, **kwargs):
        if path.name == "bomb.txt":
            # As a native library inflating a bomb would: well past the limit, then stuck there
            # (bounded, so that a watchdog slowed by a loaded machine still finds it over).
            hoard = [bytearray(16 * 1024**2) for _ in range(64)]
            time.sleep(120)
            return hoard
        return parse(path, **kwargs)

    # Worker processes are forked, so they inherit the patches.
    monkeypatch.setattr(corpus_module, "parse_source", allocate_on_one_file)
    monkeypatch.setattr(corpus_module, "MEMORY_LIMIT", 400 * 1024**2)
    # The parent holds more than the limit: forked workers start out showing it, and must not
    # count it as their own.
    ballast = b"x" * (500 * 1024**2)
    corpus = gr.read_reports(tmp_path, workers=2)
    del ballast
    assert corpus.reports.report_id.tolist() == ["good"]
    failure = corpus.failures.iloc[0]
    assert (failure.error_type, failure.stage) == ("WorkerCrash", "worker")
    assert failure.message.endswith("a crash in a native library, or memory over the limit of 400 MiB")
