"""Execute notebooks in place on the project's kernel, then strip what changes on every run.

``make run`` calls it for each notebook after jupytext has updated it from its ``.py`` source:

    python notebooks/run.py notebooks/01-disclosure-volume.ipynb

The kernel and papermill talk over IPC (local sockets) rather than TCP, so no port is opened
and ipykernel has no unencrypted network traffic to warn about. Execution times (kept by
Jupyter and papermill) are removed, so that an executed notebook changes in git only when a
result changed.
"""

import sys
from pathlib import Path

import nbformat
import papermill
from traitlets.config import Config

KERNEL = "govreports"  # registered by make run in the project's environment
_VOLATILE = ("start_time", "end_time", "duration")


def run(path: str) -> None:
    """Execute one notebook in place, in its own folder, and strip its execution times."""
    papermill.execute_notebook(
        path,
        path,
        kernel_name=KERNEL,
        cwd=str(Path(path).parent),
        progress_bar=False,
        config=Config({"KernelManager": {"transport": "ipc"}}),
    )
    strip(path)


def strip(path: str) -> None:
    """Rewrite one notebook without its execution times."""
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
        for key in _VOLATILE:
            cell.metadata.get("papermill", {}).pop(key, None)
    for key in _VOLATILE:
        notebook.metadata.get("papermill", {}).pop(key, None)
    nbformat.write(notebook, path)


if __name__ == "__main__":
    for argument in sys.argv[1:]:
        run(argument)
