from pathlib import Path

import pytest

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
