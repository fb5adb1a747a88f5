from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RAW_DIR = ROOT / "data" / "raw"
GOLDEN_DIR = Path(__file__).parent / "golden"
FIXTURES = Path(__file__).parent / "fixtures"
SEEDS = sorted(p.stem for p in GOLDEN_DIR.iterdir() if p.is_dir())


@pytest.fixture(autouse=True)
def _run_from_root(monkeypatch):
    # Doctests and examples use paths relative to the project root, as the README does.
    monkeypatch.chdir(ROOT)
