r"""Crawler dumps: ``key: value`` header lines, then the page text after ``==== 正文 ====``.

A web crawler saves a page's text with its tables flattened: the whole table section is one
line, labels and numbers run together (``规章000规范性文件898989``), and a row's cells are
either glued into one digit run or separated by spaces. This reader

* reads the header (标题, 发布时间, 原文链接, …) and puts the bare title first in the text, so
  metadata reads the title, not the header's field names; 原文链接 and 发布时间 become the
  document's ``source_url`` and ``published``;
* cuts the table text into rows at the template's row labels (the labels and fragments of
  :mod:`govreports.schema`), each row ``[label, values…]``: space-separated values are cells of
  their own, a glued digit run stays one cell (:mod:`govreports.glued` splits it where the
  identities allow). Prose stays one row per sentence.

>>> doc = read_crawl("x.txt", data="标题: 某县2022年度政府信息公开工作年度报告\n==== 正文 ====\n"
...                  "概述。第二十条 信息内容 规章000行政规范性文件12 3 40行政许可7".encode())
>>> doc.text.splitlines()[0]
'某县2022年度政府信息公开工作年度报告'
>>> [row.cells for row in doc.rows][1:]
[('概述。',), ('第二十条 信息内容',), ('规章', '000'), ('行政规范性文件', '12', '3', '40'), ('行政许可', '7')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from govreports.cells import parse_cell
from govreports.errors import EmptyInputError
from govreports.readers.document import FIELD_LINE, Document, RawRow, runs_look_collapsed
from govreports.readers.text import decode
from govreports.schema import TABLES, match_row, normalize_label

_SEPARATOR = re.compile(r"^\s*=+\s*正文\s*=+\s*$")
# Which header fields carry the page's address and its publication date, in order of preference.
_URL_FIELDS = ("原文链接", "原始链接", "链接", "网址", "url", "URL")
_DATE_FIELDS = ("发布时间", "发布日期", "成文日期", "日期")
_HEADER_LINES = 40  # a crawler header is a dozen lines; the separator is never further down
# A printed number is never cut apart: its sign (a 2019 本年增/减 may be negative) and grouped
# thousands stay in the token, which then is no glued digit run and is aligned (and flagged).
_NUMBER = re.compile(r"[-－]?(?:\d{1,3}(?:[,，]\d{3})+|\d+)(?:\.\d+)?")
_ITEM_MARKS = frozenset(".．、")
_SENTENCE_END = re.compile(r"(?<=。)")


def read_crawl(source: str, *, data: bytes) -> Document:
    """Read a crawler dump: header fields, then the report text with its tables cut into rows.

    Args:
        source: the file name, used in error messages and provenance.
        data: the raw bytes (UTF-8, GB18030 or UTF-16; see :func:`~govreports.readers.text.decode`).

    Rows keep the line numbers of the file; the text starts with the title line.
    """
    text, encoding = decode(data, source)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    fields, start = _header(lines)
    body = lines[start:]
    if not any(line.strip() for line in body):
        raise EmptyInputError(source, "empty input: the crawler dump has no body text")
    title, title_line = fields.get("标题") or fields.get("题目") or ("", 0)
    rows = [RawRow((title,), title_line)] if title else []
    for number, line in enumerate(body, start + 1):
        rows.extend(_line_rows(line, number))
    full_text = "\n".join(([title] if title else []) + body)
    url, published = (_first_field(fields, names) for names in (_URL_FIELDS, _DATE_FIELDS))
    collapsed = runs_look_collapsed(body)
    return Document(
        source, full_text, rows, encoding, source_url=url, published=published, runs_collapsed=collapsed
    )


def _first_field(fields: dict[str, tuple[str, int]], names: tuple[str, ...]) -> str | None:
    return next((fields[name][0].strip() for name in names if fields.get(name, ("", 0))[0].strip()), None)


def crawl_header(text: str) -> dict[str, str]:
    r"""Return the header fields of a crawler dump (标题, 发布时间, 原文链接, …) as printed.

    >>> crawl_header("标题: 某县2022年度报告\n文号: \n==== 正文 ====\n正文")
    {'标题': '某县2022年度报告', '文号': ''}
    """
    fields, _ = _header(text.replace("\r\n", "\n").split("\n"))
    return {key: value for key, (value, _line) in fields.items()}


def _header(lines: list[str]) -> tuple[dict[str, tuple[str, int]], int]:
    """Return the header fields with their 1-based lines, and the index of the first body line."""
    head = lines[:_HEADER_LINES]
    separator = next((i for i, line in enumerate(head) if _SEPARATOR.match(line)), None)
    if separator is None:
        # No separator: the header is the run of "key: value" lines the file starts with.
        separator = next((i for i, line in enumerate(head) if not FIELD_LINE.match(line)), len(head))
        start = separator
    else:
        start = separator + 1
    fields: dict[str, tuple[str, int]] = {}
    for index, line in enumerate(lines[:separator]):
        match = FIELD_LINE.match(line)
        if match and match[1] not in fields:
            fields[match[1]] = (match[2].strip(), index + 1)
    return fields, start


def _line_rows(line: str, number: int) -> list[RawRow]:
    """One body line → rows: a sentence of prose is one row; table text is cut at its labels."""
    if "\t" in line:  # a table row saved with its cells tab-separated
        return [RawRow(tuple(cell.strip() for cell in line.split("\t")), number)]
    rows: list[RawRow] = []
    for chunk in _SENTENCE_END.split(line):
        if chunk.strip():
            cells = _table_rows(chunk) or [(chunk.strip(),)]
            rows.extend(RawRow(c, number) for c in cells)
    return rows


def _table_rows(chunk: str) -> list[tuple[str, ...]] | None:
    """Cut a chunk at the row labels that end the text before each run of values.

    Text before a label (a table heading, a group like （三）不予公开) becomes a row of its own,
    and so do values after text that ends in no label (表四's unlabelled data row). Returns
    None when no label is followed by a bare number: the chunk is prose (``规范性文件88件``).
    """
    rows: list[tuple[str, ...]] = []
    labelled = False
    for text, values in _pieces(chunk):
        start = (_label_start_kept if len(text) <= _KEPT_CHARS else _label_start)(text) if values else None
        head = text[:start].strip() if start is not None else text.strip()
        if head:
            rows.append((head,))
        if start is not None:
            labelled = labelled or any(parse_cell(v)[1] == "ok" for v in values)
            rows.append((text[start:].strip(), *values))
        elif values:
            rows.append(tuple(values))
    return rows if labelled else None


def _pieces(chunk: str) -> list[tuple[str, list[str]]]:
    """Split a chunk into (text, the values after it); values are separated by spaces only.

    The list number of a label (the ``2`` of ``2.重复申请``) is printed right after the previous
    row's digits (``00000002.重复申请``): a number followed by ``.``/``、`` and no digit gives
    its last digit to the text that follows.
    """
    pieces: list[tuple[str, list[str]]] = []
    values: list[str]
    text, values, pos = "", [], 0
    for match in _NUMBER.finditer(chunk):
        gap, number, end = chunk[pos : match.start()], match[0], match.end()
        if gap.strip() and values:
            pieces.append((text, values))
            text, values = "", []
        if not values:  # spaces between values separate cells; they belong to no text
            text += gap
        if number.isdigit() and _item_mark_at(chunk, end):
            number, item = number[:-1], number[-1]
            if number:
                values.append(number)
            if values:
                pieces.append((text, values))
                text, values = "", []
            text += item
        else:
            unit = _unit_after(chunk, number, end)
            values.append(number + unit)
            end += len(unit)
        pos = end
    rest = chunk[pos:]
    if rest.strip() and values:
        pieces.append((text, values))
        text, values = "", []
    pieces.append((text + rest, values))
    return pieces


def _item_mark_at(chunk: str, end: int) -> bool:
    """Tell whether a list mark (``.`` or ``、`` before text, not a decimal point) is at ``end``."""
    return chunk[end : end + 1] in _ITEM_MARKS and not chunk[end + 1 : end + 2].isdigit()


def _unit_after(chunk: str, number: str, end: int) -> str:
    """Return the unit printed after a number (``432.52元``), one that ``parse_cell`` knows."""
    for size in (2, 1):
        unit = chunk[end : end + size]
        if len(unit) == size and not unit[-1].isdigit() and parse_cell(number + unit)[1] == "unit_in_cell":
            return unit
    return ""


@dataclass(frozen=True)
class _Form:
    """How a row label may end a text: a stretch of ``label`` covering ``label[core]``."""

    table: str
    row: str
    label: str  # the normalised official label, or the fragment itself
    core_start: int
    core_end: int


@lru_cache(maxsize=1)
def _forms() -> tuple[_Form, ...]:
    """Return the label forms of every row of every table, from the schema's labels and fragments."""
    forms: list[_Form] = []
    for table in TABLES.values():
        for row in table.rows:
            label = normalize_label(row.label)
            for fragment in row.match:
                if fragment.startswith("="):  # an exact label: nothing more may be printed
                    forms.append(_Form(table.key, row.key, fragment[1:], 0, len(fragment) - 1))
                    continue
                at = label.find(fragment)
                if at < 0:
                    forms.append(_Form(table.key, row.key, fragment, 0, len(fragment)))
                else:
                    forms.append(_Form(table.key, row.key, label, at, at + len(fragment)))
    return tuple(forms)


def _label_start(text: str) -> int | None:
    """Return where the row label that ends ``text`` begins, or None when no label ends it.

    >>> text = "（三）不予公开1.属于国家秘密"
    >>> text[_label_start(text):]
    '1.属于国家秘密'
    """
    norm = normalize_label(text)
    best = 0
    for form in _forms():
        length = _matched_length(norm, form)
        if length > best and match_row(TABLES[form.table], norm[-length:]) == form.row:
            best = length
    return _raw_start(text, best) if best else None


# Crawled reports repeat the template's labels: each text is looked at once. Long ones are
# looked at each time, so that none is kept in memory.
_KEPT_CHARS = 256
_label_start_kept = lru_cache(maxsize=8192)(_label_start)


def _matched_length(norm: str, form: _Form) -> int:
    """Return the length of the longest end of ``norm`` that is a stretch of the form's label."""
    label = form.label
    for end in range(len(label), form.core_end - 1, -1):
        if norm.endswith(label[form.core_start : end]):
            start = form.core_start
            # Take in the label's beginning as far as it is printed (the 1. of 1.属于国家秘密).
            while start > 0 and end - start < len(norm) and norm[-(end - start) - 1] == label[start - 1]:
                start -= 1
            return end - start
    return 0


def _raw_start(text: str, length: int) -> int:
    """Return the index in ``text`` where its last ``length`` normalised characters begin."""
    count = 0
    for index in range(len(text) - 1, -1, -1):
        count += len(normalize_label(text[index]))
        if count >= length:
            return index
    return 0
