"""Write corpus frames to disk (Parquet + CSV with a BOM, so Excel shows Chinese) and read them back.

>>> import tempfile, govreports as gr
>>> from govreports.io import write_corpus, read_processed
>>> out = tempfile.mkdtemp()
>>> _ = write_corpus(gr.read_reports("data/raw/"), out)
>>> read_processed(out).cells.shape[0]
1000
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from govreports.corpus import Corpus


def write_corpus(corpus: Corpus, out_dir: str | os.PathLike[str]) -> list[Path]:
    """Write each frame as ``<name>.parquet`` and ``<name>.csv``; return the paths written."""
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
    """Read a folder written by :func:`write_corpus` back into a :class:`Corpus`."""
    out = Path(out_dir)
    frames = {name: pd.read_parquet(out / f"{name}.parquet") for name in Corpus.__dataclass_fields__}
    return Corpus(**frames)
