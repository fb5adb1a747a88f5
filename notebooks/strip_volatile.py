"""Remove what changes on every execution from executed notebooks: run times and durations.

``make run`` calls it after papermill, so an executed notebook changes in git only when a
result changed.

    python notebooks/strip_volatile.py notebooks/01-disclosure-volume.ipynb
"""

import sys

import nbformat

# Execution times kept by Jupyter (cell metadata) and papermill (cell and notebook metadata).
_VOLATILE = ("start_time", "end_time", "duration")


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
        strip(argument)
