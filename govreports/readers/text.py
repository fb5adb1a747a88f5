r"""Text reader: bytes or str → :class:`~govreports.readers.Document` (physical rows of cells).

Reports copied out of web pages, Word and PDF arrive in a handful of layouts, all seen in the
bundled reports:

* one row per line, cells separated by tabs (``规章\t0\t0\t0``);
* one cell per line behind a tab, rows separated by blank lines, and header words wrapped onto
  a line of their own without the tab (``\t商业`` + ``企业``);
* one cell per line ending in `` |``, rows separated by lines of pipes only (``|||``);
* space-separated rows (``行政许可 152``).

The reader only finds rows and cells; which row is which is decided in
:mod:`govreports.normalize`.

>>> doc = read_text(text="规章\t0\t0\t0\n\n\t行政许可\n\t12\n")
>>> [row.cells for row in doc.rows]
[('规章', '0', '0', '0'), ('行政许可', '12')]
"""

from __future__ import annotations

import codecs
import re
from functools import lru_cache

import charset_normalizer

from govreports.cells import looks_numeric
from govreports.errors import EmptyInputError, UndecodableError
from govreports.readers.document import Document, RawRow, runs_look_collapsed

_TRAILING_TOKENS = re.compile(r"\s+")


def decode(data: bytes, source: str) -> tuple[str, str]:
    """Decode report bytes; return ``(text, encoding)``.

    A BOM decides first, then strict UTF-8 and GB18030 (a superset of GBK and GB2312, the
    encodings government sites use), then charset detection as the last resort.

    >>> decode("规章".encode("gb18030"), "x.txt")
    ('规章', 'gb18030')
    """
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):  # fmt: skip
        if data.startswith(bom):
            return data.decode(encoding), encoding
    try:
        # A file cut inside its last character is still UTF-8; that character is dropped.
        return codecs.getincrementaldecoder("utf-8")().decode(data, final=False), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        raise UndecodableError(source, "not text in UTF-8, UTF-16, GB18030/GBK or any known encoding")
    return str(best), best.encoding


def load_text(source: str, data: bytes | None, text: str | None) -> tuple[str, str]:
    r"""Decode bytes (or take the text given), unify line ends; refuse an empty input.

    >>> load_text("x.txt", "规章\r\n0".encode(), None)
    ('规章\n0', 'utf-8')
    """
    encoding = "str"
    if text is None:
        text, encoding = decode(data or b"", source)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise EmptyInputError(source, "empty input: no text to parse")
    return text, encoding


def read_text(source: str = "<text>", *, data: bytes | None = None, text: str | None = None) -> Document:
    """Split report text into physical rows of cells.

    Args:
        source: the file name, used in error messages and provenance.
        data: the raw bytes (decoded with :func:`decode`), or
        text: the text itself.

    >>> read_text(text="行政许可 152").rows[0].cells
    ('行政许可', '152')
    """
    text, encoding = load_text(source, data, text)
    lines = text.split("\n")
    rows = _pipe_rows(lines) if _is_pipe_layout(text) else _tab_rows(lines)
    collapsed = runs_look_collapsed(lines)
    return Document(source=source, text=text, rows=rows, encoding=encoding, runs_collapsed=collapsed)


def _is_pipe_layout(text: str) -> bool:
    return text.count("|\n") >= 20


def _pipe_rows(lines: list[str]) -> list[RawRow]:
    rows: list[RawRow] = []
    cells: list[str] = []
    start = 0
    for number, line in enumerate(lines, 1):
        cell, stripped = (_pipe_line_kept if len(line) <= _KEPT_CHARS else _pipe_line)(line)
        if cell is not None:
            if not cells:
                start = number
            cells.append(cell)
            continue
        if cells:
            rows.append(RawRow(tuple(cells), start))
            cells = []
        if stripped.strip("|"):
            rows.append(RawRow(split_spaced(stripped), number))
    if cells:
        rows.append(RawRow(tuple(cells), start))
    return rows


def _pipe_line(line: str) -> tuple[str | None, str]:
    """Read a line of the pipe layout: ``(its cell, '')``, or ``(None, the line stripped)``.

    "|||" separates rows; " |" (a pipe after whitespace) is an empty cell.
    """
    stripped = line.rstrip()
    # A line of pipes only is a separator: nothing is left once its pipes are stripped.
    if stripped.endswith("|") and stripped.strip("|") != "":
        return stripped[:-1].strip(), ""
    return None, stripped.strip()


def _tab_rows(lines: list[str]) -> list[RawRow]:
    rows: list[RawRow] = []
    block: list[str] = []  # one-cell-per-line cells of the current row
    start = 0
    for number, line in enumerate(lines, 1):
        cell, stripped, tab = (_tab_line_kept if len(line) <= _KEPT_CHARS else _tab_line)(line)
        if cell is not None:
            if not block:
                start = number
            block.append(cell)
            continue
        if block and stripped and not tab:
            block[-1] += stripped  # a header word wrapped onto its own line
            continue
        if block:
            rows.append(RawRow(tuple(block), start))
            block = []
        if tab:
            rows.append(RawRow((_tab_cells_kept if len(line) <= _KEPT_CHARS else _tab_cells)(line), number))
        elif stripped:
            rows.append(RawRow(split_spaced(stripped), number))
    if block:
        rows.append(RawRow(tuple(block), start))
    return rows


def _tab_line(line: str) -> tuple[str | None, str, bool]:
    """Read a line of the tab layouts: ``(its cell or None, the line stripped, whether it has a tab)``.

    A line holding one tab, at its start, is one cell of a row printed one cell per line.
    """
    if line.startswith("\t") and line.count("\t") == 1:
        return line[1:].strip(), "", True
    return None, line.strip(), "\t" in line


def _tab_cells(line: str) -> tuple[str, ...]:
    return tuple([cell.strip() for cell in line.split("\t")])


# Reports repeat lines (a cell of 0, a row separator, the template's labels): each is read once.
# Long lines (prose, or a hostile file's) are read each time, so that none is kept in memory.
_KEPT_CHARS = 256
_pipe_line_kept = lru_cache(maxsize=16384)(_pipe_line)
_tab_line_kept = lru_cache(maxsize=16384)(_tab_line)
_tab_cells_kept = lru_cache(maxsize=4096)(_tab_cells)


def split_spaced(line: str) -> tuple[str, ...]:
    """Split numbers that trail a line after whitespace off into cells of their own.

    >>> split_spaced("行政许可 152")
    ('行政许可', '152')
    """
    tokens = _TRAILING_TOKENS.split(line)
    first_value = len(tokens)
    while first_value > 0 and looks_numeric(tokens[first_value - 1]):
        first_value -= 1
    if first_value == len(tokens):
        return (line,)
    head = " ".join(tokens[:first_value])
    return ((head,) if head else ()) + tuple(tokens[first_value:])
