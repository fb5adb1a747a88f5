"""Publication output from the notebooks: figures as PNG and PDF, tables as CSV and LaTeX, versions.

Each notebook saves what a paper would use under one output folder (a papermill parameter), so a
rerun replaces the files a manuscript includes.

>>> import tempfile, pandas as pd
>>> out = tempfile.mkdtemp()
>>> [p.name for p in save_table(pd.DataFrame({"组": ["甲"], "N": [3]}), "demo", out)]
['demo.csv', 'demo.tex']
"""

from __future__ import annotations

import importlib.metadata
import os
import platform
from pathlib import Path
from typing import Any

import pandas as pd

# The packages a notebook's numbers depend on, recorded at its end.
PACKAGES = ("govreports", "pandas", "numpy", "pyarrow", "statsmodels", "scipy", "matplotlib", "seaborn")


def save_figure(fig: Any, name: str, out_dir: str | os.PathLike[str] = "figures") -> list[Path]:
    """Save a matplotlib figure as ``<name>.png`` (300 dpi) and ``<name>.pdf`` (fonts embedded)."""
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"{name}.png", folder / f"{name}.pdf"]
    fig.savefig(paths[0], dpi=300, bbox_inches="tight")
    fig.savefig(paths[1], bbox_inches="tight")
    return paths


def save_table(
    table: pd.DataFrame,
    name: str,
    out_dir: str | os.PathLike[str] = "tables",
    *,
    caption: str | None = None,
    precision: int = 3,
) -> list[Path]:
    """Save a table as ``<name>.csv`` (UTF-8 with BOM, for Excel) and ``<name>.tex`` (booktabs).

    Missing values are written as empty cells in the CSV and as ``--`` in LaTeX, never as 0.
    """
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    csv, tex = folder / f"{name}.csv", folder / f"{name}.tex"
    table.to_csv(csv, encoding="utf-8-sig", index=not isinstance(table.index, pd.RangeIndex))
    styler = table.style.format(precision=precision, na_rep="--", thousands=",")
    if isinstance(table.index, pd.RangeIndex):
        styler = styler.hide(axis="index")
    tex.write_text(styler.to_latex(caption=caption, hrules=True, label=f"tab:{name}"), encoding="utf-8")
    return [csv, tex]


def versions(packages: tuple[str, ...] = PACKAGES) -> pd.DataFrame:
    """Return the Python version and the installed versions of ``packages`` (None if absent).

    >>> versions(("pandas",)).index.tolist()
    ['python', 'pandas']
    """
    found: dict[str, str | None] = {"python": platform.python_version()}
    for package in packages:
        try:
            found[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            found[package] = None
    return pd.Series(found, name="version").to_frame()
