"""Frames on disk: Parquet and CSV (UTF-8 with BOM, so Excel shows Chinese), and Stata.

>>> import tempfile, govreports as gr
>>> out = tempfile.mkdtemp()
>>> _ = write_corpus(gr.read_reports(["data/raw/003_2ef598b92a3120fd.txt"]), out)
>>> read_processed(out).cells.shape[0]
200
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pandas as pd
import pyarrow.dataset as ds

from govreports.corpus import FRAME_NAMES, Corpus
from govreports.schema import TABLES
from govreports.store import read_dataset


def write_corpus(corpus: Corpus, out_dir: str | os.PathLike[str]) -> list[Path]:
    """Write each frame of an in-memory corpus as ``<name>.parquet`` and ``<name>.csv``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in corpus.frames().items():
        parquet, csv = out / f"{name}.parquet", out / f"{name}.csv"
        frame.to_parquet(parquet, index=False)
        frame.to_csv(csv, index=False, encoding="utf-8-sig")
        written += [parquet, csv]
    return written


def read_processed(out_dir: str | os.PathLike[str]) -> Corpus:
    """Read processed data: a dataset written by ``govreports parse`` or by :func:`write_corpus`."""
    out = Path(out_dir)
    if (out / "_ledger").is_dir():
        return read_dataset(out)
    return Corpus(**{name: pd.read_parquet(out / f"{name}.parquet") for name in FRAME_NAMES})


def export_csv(out_dir: str | os.PathLike[str], *, only_if_changed: bool = False) -> list[Path]:
    """Write ``<frame>.csv`` beside a partitioned dataset, batch by batch (memory stays flat).

    With ``only_if_changed``, nothing is written when the dataset's Parquet files are those the
    CSV copies were last written from, so a rerun with nothing new is quick.
    """
    out = Path(out_dir)
    signature = _signature(out)
    stamp = out / _CSV_STAMP
    if only_if_changed and stamp.exists() and stamp.read_text() == signature:
        return []
    written = []
    for name in FRAME_NAMES:
        folder, target = out / name, out / f"{name}.csv"
        if not folder.is_dir():
            target.unlink(missing_ok=True)  # the frame's last rows left the dataset
            continue
        dataset = ds.dataset(folder, format="parquet", partitioning="hive")
        with open(target, "w", encoding="utf-8-sig", newline="") as handle:
            header = True
            for batch in dataset.to_batches():
                batch.to_pandas().to_csv(handle, index=False, header=header)
                header = False
        written.append(target)
    stamp.write_text(signature)
    return written


# Which Parquet files the CSV copies were written from (names, sizes, modification times).
_CSV_STAMP = ".csv-source"


def _signature(out: Path) -> str:
    files = sorted(out.glob("*/**/*.parquet"))
    listing = "\n".join(f"{p.relative_to(out)}\t{p.stat().st_size}\t{p.stat().st_mtime_ns}" for p in files)
    return hashlib.sha256(listing.encode()).hexdigest()


def export_stata(out_dir: str | os.PathLike[str], target: str | os.PathLike[str]) -> Path:
    """Write one row per report with every template cell as a variable, labelled in Chinese.

    Variable names are short (Stata allows 32 characters): ``t2_``/``t3_``/``t4_`` for 表二/三/四,
    the row's position in the template and the column key, e.g. ``t3_r01_total`` for 一、本年新收…
    总计. The label holds the official row and column labels. Values are ``cells.value`` (missing
    where no number was read); ``n_flagged`` counts the report's cells whose status is not ``ok``,
    whose reasons are in the cells frame.
    """
    corpus = read_processed(out_dir)
    cells = corpus.cells
    names, labels = _stata_names()
    wide = cells.assign(var=[names[k] for k in zip(cells.table, cells.row_key, cells.col_key, strict=True)])
    wide = wide.pivot_table(index="report_id", columns="var", values="value", aggfunc="first", observed=True)
    flagged = cells[cells.status != "ok"].groupby("report_id", observed=True).size().rename("n_flagged")
    meta = corpus.reports.set_index("report_id")[
        ["organ", "year", "template", "level", "organ_type", "adcode", "scope"]
    ]
    table = meta.join(flagged).join(wide).reset_index()
    table["n_flagged"] = table["n_flagged"].fillna(0).astype("int32")
    table = table.astype({c: "float64" for c in wide.columns}).astype({"year": "float64"})
    for column in ("report_id", "organ", "template", "level", "organ_type", "adcode", "scope"):
        table[column] = table[column].astype(object).where(table[column].notna(), "")
    variable_labels = {v: labels[v] for v in wide.columns}
    variable_labels.update({"organ": "机关", "year": "报告年度", "n_flagged": "标记的单元格数"})
    path = Path(target)
    table.to_stata(path, write_index=False, version=118, variable_labels=variable_labels)
    return path


def _stata_names() -> tuple[dict[tuple[str, str, str], str], dict[str, str]]:
    prefixes = {"active": "t2", "applications": "t3", "appeals": "t4"}
    names, labels = {}, {}
    for key, spec in TABLES.items():
        for position, row in enumerate(spec.rows, 1):
            for col in spec.cols:
                name = f"{prefixes[key]}_r{position:02d}_{col.key}"
                names[(key, row.key, col.key)] = name
                labels[name] = f"{spec.label.split()[0]} {row.label} {col.label}"[:80]
    return names, labels
