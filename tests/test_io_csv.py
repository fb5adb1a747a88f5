"""The CSV copies beside a dataset: written part by part, and on a rerun only what changed."""

import shutil

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import SEEDS

from govreports import io, store
from govreports.corpus import FRAME_NAMES

FRAMES = [f"{name}.csv" for name in FRAME_NAMES]


@pytest.fixture
def raw(raw):
    """The seeds and a file that is not a report."""
    (raw / "bad.txt").write_text("首页", encoding="utf-8")
    return raw


@pytest.fixture
def formatted(monkeypatch):
    """Count the rows formatted (as opposed to copied) by export_csv."""
    rows = []
    real = io._format_part

    def counting(path, *args):
        rows.append(pq.read_metadata(path).num_rows)
        return real(path, *args)

    monkeypatch.setattr(io, "_format_part", counting)
    return rows


def _stamps(out):
    return {name: (out / name).stat().st_mtime_ns for name in FRAMES}


def _rows_of(out, report_id):
    frames = ("reports", "cells", "checks", "figures")
    return sum(int((pd.read_parquet(out / name).report_id == report_id).sum()) for name in frames)


def _assert_same_as_a_fresh_export(out, tmp_path):
    """Every CSV holds the rows a full export writes (parts may be in another order)."""
    fresh = tmp_path / "fresh"
    shutil.rmtree(fresh, ignore_errors=True)
    shutil.copytree(out, fresh, ignore=shutil.ignore_patterns("*.csv", ".csv-*"))
    io.export_csv(fresh)
    for name in FRAMES:
        ours, theirs = (out / name).read_bytes(), (fresh / name).read_bytes()
        assert ours.startswith(b"\xef\xbb\xbf") and ours.splitlines()[0] == theirs.splitlines()[0]
        assert sorted(ours.splitlines()) == sorted(theirs.splitlines()), name


def test_a_rerun_with_nothing_new_writes_nothing(raw, tmp_path, formatted):
    out = tmp_path / "out"
    store.build(raw, out, workers=1)
    assert sorted(p.name for p in io.export_csv(out, only_if_changed=True)) == sorted(FRAMES)
    stamps, formatted[:] = _stamps(out), []
    store.build(raw, out, workers=1)
    assert io.export_csv(out, only_if_changed=True) == []
    assert _stamps(out) == stamps and formatted == []


def test_new_files_are_appended_and_only_their_rows_formatted(raw, tmp_path, formatted):
    out = tmp_path / "out"
    store.build(raw, out, workers=1)
    io.export_csv(out, only_if_changed=True)
    before = (out / "cells.csv").read_bytes()
    inode = (out / "cells.csv").stat().st_ino
    text = (raw / f"{SEEDS[0]}.txt").read_text(encoding="utf-8").replace("1470", "1471")
    (raw / "new.txt").write_text(text, encoding="utf-8")
    formatted[:] = []
    store.build(raw, out, workers=1)
    written = io.export_csv(out, only_if_changed=True)
    assert sorted(p.name for p in written) == ["cells.csv", "checks.csv", "figures.csv", "reports.csv"]
    after = (out / "cells.csv").read_bytes()
    assert after.startswith(before) and (out / "cells.csv").stat().st_ino == inode
    assert len(after.splitlines()) == len(before.splitlines()) + 200
    assert sum(formatted) == _rows_of(out, "new")
    _assert_same_as_a_fresh_export(out, tmp_path)


def test_changed_and_removed_files_are_copied_out_not_formatted_again(raw, tmp_path, formatted):
    out = tmp_path / "out"
    store.build(raw, out, workers=1)
    io.export_csv(out, only_if_changed=True)
    (raw / f"{SEEDS[0]}.txt").unlink()
    path = raw / f"{SEEDS[3]}.txt"
    path.write_text(
        path.read_text(encoding="utf-8").replace("行政许可\t152", "行政许可\t153"), encoding="utf-8"
    )
    formatted[:] = []
    inode = (out / "cells.csv").stat().st_ino
    summary = store.build(raw, out, workers=1)
    assert (summary.parsed, summary.reused) == (1, 4)
    io.export_csv(out, only_if_changed=True)
    # Only the changed report's new rows are formatted: the others are moved back in the file.
    assert sum(formatted) == _rows_of(out, SEEDS[3])
    assert (out / "cells.csv").stat().st_ino == inode
    cells = pd.read_csv(out / "cells.csv", encoding="utf-8-sig")
    assert SEEDS[0] not in set(cells.report_id) and len(cells) == 800
    assert cells.query("report_id == @SEEDS[3] and row_key == 'licensing'").value.tolist() == [153.0]
    _assert_same_as_a_fresh_export(out, tmp_path)


def test_a_new_failure_rewrites_only_the_failures(raw, tmp_path):
    out = tmp_path / "out"
    store.build(raw, out, workers=1)
    io.export_csv(out, only_if_changed=True)
    stamps = _stamps(out)
    shutil.copy(raw / f"{SEEDS[1]}.txt", raw / "copy.txt")  # a copy: listed in failures only
    store.build(raw, out, workers=1)
    assert [p.name for p in io.export_csv(out, only_if_changed=True)] == ["failures.csv"]
    assert {k: v for k, v in _stamps(out).items() if k != "failures.csv"} == {
        k: v for k, v in stamps.items() if k != "failures.csv"
    }
    failures = pd.read_csv(out / "failures.csv", encoding="utf-8-sig")
    assert sorted(failures.error_type) == ["DuplicateFile", "NotAReportError"]
    _assert_same_as_a_fresh_export(out, tmp_path)


@pytest.mark.parametrize("kernel_copy", [True, False])
def test_a_csv_changed_by_hand_is_written_again(raw, tmp_path, monkeypatch, kernel_copy):
    if not kernel_copy:  # a file system without copy_file_range

        def unsupported(*args):
            raise OSError(95, "Operation not supported")

        monkeypatch.setattr(io.os, "copy_file_range", unsupported)
    out = tmp_path / "out"
    store.build(raw, out, workers=1)
    io.export_csv(out, only_if_changed=True)
    (out / "reports.csv").write_text("edited", encoding="utf-8")
    shutil.rmtree(out / ".csv-index" / "cells")  # and the runs of cells are lost
    (raw / SEEDS[0]).with_suffix(".txt").unlink()
    store.build(raw, out, workers=1)
    io.export_csv(out, only_if_changed=True)
    _assert_same_as_a_fresh_export(out, tmp_path)


def _part(path, report_ids, text, values=None):
    path.parent.mkdir(parents=True, exist_ok=True)
    table = pa.table({"report_id": report_ids, "text": text, "value": values or [0.5] * len(text)})
    pq.write_table(table, path)


def test_rows_with_line_breaks_quotes_and_commas_are_copied_exactly(tmp_path, formatted):
    # A dataset as build writes it, with text that CSV must quote: a removed report's rows are
    # cut out of the old bytes exactly, row boundaries and all.
    out = tmp_path / "out"
    ids = ["a", "a", "b", "c", "c", "c", "d"]
    text = ["x\ny", 'say "hi"', "1,2", "\r\n", "", None, "last\n\nline"]
    values = [1.5, None, 1e16, 2.0, 0.1, 3.0, -4.0]
    _part(out / "reports" / "year=2020" / "part-1.parquet", ids, text, values)
    _part(out / "reports" / "year=unknown" / "part-1.parquet", ["e"], ["\n"])
    io.export_csv(out, only_if_changed=True)
    assert pd.read_csv(out / "reports.csv", encoding="utf-8-sig").text.tolist()[:3] == [
        "x\ny",
        'say "hi"',
        "1,2",
    ]
    for removed in ("c", "a", "d"):
        keep = [i for i, r in enumerate(ids) if r != removed]
        ids, text, values = ([column[i] for i in keep] for column in (ids, text, values))
        _part(out / "reports" / "year=2020" / "part-1.parquet", ids, text, values)
        formatted[:] = []
        assert io.export_csv(out, only_if_changed=True) == [out / "reports.csv"]
        assert formatted == []
        fresh = tmp_path / "fresh"
        shutil.rmtree(fresh, ignore_errors=True)
        shutil.copytree(out / "reports", fresh / "reports")
        io.export_csv(fresh)
        assert (out / "reports.csv").read_bytes() == (fresh / "reports.csv").read_bytes()


def test_worker_processes_write_the_same_bytes(raw, tmp_path, monkeypatch):
    out = tmp_path / "out"
    store.build(raw, out, workers=1)
    io.export_csv(out)
    alone = {name: (out / name).read_bytes() for name in FRAMES}
    monkeypatch.setattr(io, "_POOL_ROWS", 0)
    io.export_csv(out, workers=2)
    assert {name: (out / name).read_bytes() for name in FRAMES} == alone
    assert not list((out / ".csv-index").glob("tmp-*"))


def _tricky_frame(carriage_return=False):
    text = ["plain", "", None, 'say "hi"', "1,2", "x\ny", "全市共受理", " lead", "trail ", '"', ","]
    if carriage_return:
        text[0] = "a\rb"
    n = len(text)
    values = [
        0.1,
        1e16,
        1e-05,
        -0.0,
        -5.0,
        123456789012345.0,
        9007199254740993.0,
        float("inf"),
        None,
        1.5e300,
        2.0,
    ]
    return pd.DataFrame(
        {
            "report_id": pd.array([f"r{i // 3}" for i in range(n)], dtype=pd.StringDtype("pyarrow")),
            "text": pd.array(text, dtype=pd.StringDtype("pyarrow")),
            "value": pd.array(values, dtype="Float64"),
            "plain_float": [1.0, 2.5, -3.0, 0.0, 1e-7, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0],
            "count": pd.array([1, None, -3, 0, 2**15 - 1, 5, 6, 7, 8, 9, 10], dtype="Int16"),
            "flag": pd.array(
                [True, False, None, True, False, True, False, True, False, True, None], dtype="boolean"
            ),
            "plain_flag": [True, False] * 5 + [True],
            "status": pd.Categorical(["ok", "blank", None, "ok", "text", "ok", "ok", "ok", "ok", "ok", "ok"]),
        }
    )


@pytest.mark.parametrize("kind", ["arrow", "carriage_return", "nan"])
def test_rows_are_written_as_pandas_writes_them(tmp_path, kind):
    frame = _tricky_frame(carriage_return=kind == "carriage_return")
    part = tmp_path / "reports" / "year=2021" / "part-x.parquet"
    part.parent.mkdir(parents=True)
    frame.to_parquet(part, index=False)
    if kind == "nan":  # a NaN that is not missing (pandas writes NaN as a missing value)
        table = pq.read_table(part)
        values = pa.array([float("nan"), *table["value"].to_pylist()[1:]], pa.float64(), from_pandas=False)
        pq.write_table(table.set_column(2, "value", values), part)
    columns = [*frame.columns, "year"]
    batch = next(pq.ParquetFile(part).iter_batches())
    assert (io._csv_rows(batch, "2021", columns) is None) == (kind != "arrow")
    with open(tmp_path / "out.csv", "wb") as handle:
        runs = io._format_part(part, "2021", columns, "report_id", handle)
    expected = pd.read_parquet(part).assign(year="2021").to_csv(index=False, header=False).encode()
    assert (tmp_path / "out.csv").read_bytes() == expected
    assert runs["keys"] == ["r0", "r1", "r2", "r3"] and runs["rows"] == [3, 3, 3, 2]
    assert runs["ends"][-1] == len(expected)
    lines = expected[: runs["ends"][0]].decode().splitlines()
    assert lines[0].startswith("r0,plain,0.1,1.0,1,True,True,ok,2021") or kind != "arrow"
