import csv
import shutil
import zipfile
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import strategies as st

import govreports as gr
from govreports import stats
from govreports.readers import pdf_engines

ROOT = Path(__file__).resolve().parents[1]
RAW_DIR = ROOT / "data" / "raw"
GOLDEN_DIR = Path(__file__).parent / "golden"
FIXTURES = Path(__file__).parent / "fixtures"
# The five seed reports (text); every report with hand-read expected values, whatever its format.
SEEDS = sorted(p.stem for p in RAW_DIR.glob("[0-9][0-9][0-9]_*.txt"))
GOLDEN = {
    folder.name: next(RAW_DIR.glob(f"{folder.name}.*"))
    for folder in sorted(GOLDEN_DIR.iterdir())
    if folder.is_dir() and any(RAW_DIR.glob(f"{folder.name}.*"))
}


@pytest.fixture(autouse=True)
def _run_from_root(monkeypatch):
    # Doctests and examples use paths relative to the project root, as the README does.
    monkeypatch.chdir(ROOT)


# Keyword arguments of govreports.synthetic.generate_report that the round-trip tests draw from.
REPORT_PARAMS = st.builds(
    dict,
    seed=st.integers(0, 2**32 - 1),
    template=st.sampled_from(["2019", "2021"]),
    blank_rate=st.sampled_from([0.0, 0.05, 0.3]),
    placeholder_rate=st.sampled_from([0.0, 0.05]),
    one_row_other=st.booleans(),
    zero_share=st.sampled_from([0.0, 0.5, 1.0]),
)


@pytest.fixture
def raw(tmp_path) -> Path:
    """A folder holding a copy of each seed report."""
    folder = tmp_path / "raw"
    folder.mkdir()
    for seed in SEEDS:
        shutil.copy(RAW_DIR / f"{seed}.txt", folder)
    return folder


@pytest.fixture(scope="module")
def seeds():
    """The seed reports parsed into a corpus (once per test module)."""
    return gr.read_reports([RAW_DIR / f"{seed}.txt" for seed in SEEDS])


@pytest.fixture(scope="module")
def panel(seeds):
    """The seed reports' wide panel (``stats.report_panel``)."""
    return stats.report_panel(seeds)


def misreading_engine(layer, heights):
    """A PDF table engine that reads pdfplumber's tables but 3118 for 表三's first total (3119)."""
    grids = pdf_engines.pdfplumber_tables(layer, heights)
    for grid in grids:
        for i, row in enumerate(grid.rows):
            if row.cells and row.cells[0] == "一、本年新收政府信息公开申请数量":
                grid.rows[i] = replace(row, cells=row.cells[:-1] + ("3118",))
    return grids


@pytest.fixture
def inflated(monkeypatch) -> Counter:
    """Count the bytes read from each zip member (by name) while the test runs."""
    counts: Counter = Counter()
    read = zipfile.ZipExtFile.read

    def counted(self, n=-1):
        data = read(self, n)
        counts[self.name] += len(data)
        return data

    monkeypatch.setattr(zipfile.ZipExtFile, "read", counted)
    return counts


def pdf_file(objects: list[bytes], trailer: bytes = b"") -> bytes:
    """A PDF of these object bodies (numbered from 1, the first the catalog), with its xref table.

    ``trailer`` is added to the trailer dictionary (e.g. ``b"/Encrypt 6 0 R "``).
    """
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        trailer,
        xref,
    )
    return bytes(out)


def patch_declared_size(data: bytes, name: str, size: int) -> bytes:
    """Rewrite the uncompressed size a zip declares for one member (local and central headers)."""
    raw = bytearray(data)
    encoded = name.encode()
    for signature, offset, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        at = raw.find(signature)
        while at != -1:
            if raw[at + name_at : at + name_at + len(encoded)] == encoded:
                raw[at + offset : at + offset + 4] = size.to_bytes(4, "little")
            at = raw.find(signature, at + 4)
    return bytes(raw)


def cell_tuples(cells: pd.DataFrame) -> list[tuple]:
    """``(table, row_key, col_key, value, status)`` per cell, value None where missing."""
    values = [None if pd.isna(v) else float(v) for v in cells.value]
    return list(zip(cells.table, cells.row_key, cells.col_key, values, cells.status, strict=True))


def assert_round_trip(report, synthetic) -> None:
    """A parsed report gives back a generated one: template, year, every cell, proactive total."""
    assert (report.meta["template"], report.meta["year"]) == (synthetic.template, synthetic.year)
    assert cell_tuples(report.cells) == synthetic.expected()
    total = report.figures.query("figure == 'proactive_total'").value.iloc[0]
    assert total == synthetic.proactive_total


def golden_cells(report_id: str) -> list[tuple]:
    """The hand-read expected cells of a report, in the same form as :func:`cell_tuples`."""
    with open(GOLDEN_DIR / report_id / "expected_cells.csv", encoding="utf-8") as f:
        return [
            (r["table"], r["row_key"], r["col_key"], float(r["value"]) if r["value"] else None, r["status"])
            for r in csv.DictReader(f)
        ]
