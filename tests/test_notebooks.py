"""Execute every curated notebook from its py:percent source on freshly parsed data.

Each notebook is converted from ``notebooks/NN-*.py`` (the source) and run with papermill in a
kernel on this interpreter, with ``processed_dir`` pointing at data parsed from ``data/raw`` by the
library. A cell error fails the test; so does a missing-glyph warning (a Chinese label drawn as
boxes) or any other warning printed by the notebook.
"""

import json
import re
import sys
from pathlib import Path

import jupytext
import nbformat
import papermill
import pytest
from conftest import RAW_DIR, ROOT

from govreports.store import build

NOTEBOOK_DIR = ROOT / "notebooks"
SOURCES = sorted(NOTEBOOK_DIR.glob("[0-9][0-9]-*.py"))
KERNEL = "govreports-tests"
# The simulated sections at test size: large enough for the models to converge, small enough that
# all notebooks run in well under three minutes.
TEST_PARAMETERS = {"sim_organs": 1500}
MISSING_GLYPH = re.compile(r"Glyph \d+ .*missing from|missing from (?:current )?font", re.IGNORECASE)


@pytest.fixture(scope="module")
def processed_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("processed")
    build(RAW_DIR, out, workers=1)
    return out


@pytest.fixture(scope="module")
def kernel(tmp_path_factory):
    # A kernel spec for this very interpreter, found first on JUPYTER_PATH: a user's own
    # "python3" kernel may point at another Python without govreports.
    root = tmp_path_factory.mktemp("jupyter")
    spec = root / "kernels" / KERNEL
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(
        json.dumps({"argv": argv, "display_name": KERNEL, "language": "python"})
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("JUPYTER_PATH", str(root))
        yield KERNEL


def _stderr_lines(notebook: nbformat.NotebookNode) -> list[str]:
    lines = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                lines += output["text"].splitlines()
    return lines


def test_there_are_curated_notebooks():
    assert [p.stem[:2] for p in SOURCES] == ["00", "01", "02", "03"]


@pytest.mark.slow
@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_notebook_runs_clean(source: Path, processed_dir, kernel, tmp_path):
    notebook = tmp_path / f"{source.stem}.ipynb"
    jupytext.write(jupytext.read(source), notebook)
    declared = papermill.inspect_notebook(str(notebook))
    assert "processed_dir" in declared, "the parameters cell must name processed_dir"
    parameters = {"processed_dir": str(processed_dir)}
    parameters |= {k: v for k, v in TEST_PARAMETERS.items() if k in declared}
    executed = tmp_path / f"{source.stem}.out.ipynb"
    papermill.execute_notebook(
        str(notebook),
        str(executed),
        parameters=parameters,
        kernel_name=kernel,
        cwd=str(NOTEBOOK_DIR),
        progress_bar=False,
    )
    lines = _stderr_lines(nbformat.read(executed, as_version=4))
    glyphs = [line for line in lines if MISSING_GLYPH.search(line)]
    assert not glyphs, "Chinese text rendered without a font:\n" + "\n".join(glyphs)
    warned = [line for line in lines if "Warning" in line]
    assert not warned, "the notebook printed warnings:\n" + "\n".join(warned)


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_generated_ipynb_matches_its_source(source: Path):
    paired = source.with_suffix(".ipynb")
    if not paired.exists():
        pytest.skip(f"{paired.name} not generated yet (make run)")
    expected = [(c.cell_type, c.source) for c in jupytext.read(source).cells]
    found = nbformat.read(paired, as_version=4)
    # papermill adds an "injected-parameters" cell when run with parameters; it is not source.
    cells = [c for c in found.cells if "injected-parameters" not in c.metadata.get("tags", [])]
    assert [(c.cell_type, c.source) for c in cells] == expected, (
        f"regenerate {paired.name} from {source.name}"
    )


# Numbers a notebook's prose may contain without computing them: notebook and list numbers, the
# template years, and constants of the methods it describes (the 95% level, the top 1% share,
# Gini's range, the MAD scale, the 1,000 ratio and the 10,000 of 元 per 万元). Results are not here.
STRUCTURE = ("00", "01", "02", "03", "0", "1", "2", "3", "4", "5", "2019", "2020", "2021")
ALLOWED_NUMBERS = {*STRUCTURE, "95", "1%", "10%", "0.6745", "1,000", "10,000"}


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_prose_quotes_no_typed_in_results(source: Path):
    # Results belong in Markdown(f"...") built from variables, so that a re-run stays true.
    prose = "\n".join(c.source for c in jupytext.read(source).cells if c.cell_type == "markdown")
    numbers = set(re.findall(r"(?<![\w.])\d[\d,]*(?:\.\d+)?%?", prose))
    assert numbers <= ALLOWED_NUMBERS, (
        f"typed-in numbers in the prose of {source.name}: {numbers - ALLOWED_NUMBERS}"
    )
