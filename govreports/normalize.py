r"""Rows of cells → template cells: find the three tables, anchor each row on its label, align.

Rows are found by their labels (with the variants declared in :mod:`govreports.schema`), never
by counting numbers in reading order, so one missing cell cannot shift the values of later
rows. Within a row, values are aligned to the template's columns by :func:`align`, which
flags every case where the printed cells do not fit the template; rows whose digits arrive
glued together (``21710000218``) are split by :mod:`govreports.glued`, only where the
identities leave one way.

>>> from govreports.readers.text import read_text
>>> parsed = parse_tables(read_text(text="第二十条第（五）项\n行政许可\t1772\t\t\n"))
>>> [r[:5] for r in parsed.records if r[1] == "licensing"]
[('active', 'licensing', 'decisions', 1772.0, 'ok')]
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal, NamedTuple

from govreports.cells import looks_numeric, parse_cell
from govreports.glued import Cell, split_flat_row, split_glued_rows
from govreports.header import UNCERTAIN, header_order
from govreports.labels import fuzzy_row
from govreports.readers.document import Document, RawRow
from govreports.schema import (
    ACTIVE,
    APPEALS,
    APPLICATIONS,
    DECIDED_STATUSES,
    OTHER_SUB_ROWS,
    TABLES,
    TEMPLATE_MARKERS,
    TableSpec,
    identities,
    match_row,
    normalize_label,
)
from govreports.solver import RowEvidence, SolvedCell, Token, solve

# (table, row_key, col_key, value, status, raw, source_ref)
Record = tuple[str, str, str, float | None, str, str, str]

_SECTION_END = re.compile(r"^(五[、.,，]|\(五\)|存在的主要问题)")


class FoundRow(NamedTuple):
    """What is printed after a row label: the cells on the label's row, or values line by line.

    ``tokens`` holds the values printed one per line after the label (a page flattened one cell
    per line); they go to :mod:`govreports.solver`, which decides how they fill the row.
    """

    cells: list[str]
    line: int
    tokens: tuple[Token, ...] = ()

    def printed(self) -> bool:
        """Whether any value is printed for the row."""
        return any(self.cells) or bool(self.tokens)


@dataclass
class ParsedTables:
    """What :func:`parse_tables` found: the template, one record per template cell, notes."""

    template: str
    records: list[Record]
    tables_found: tuple[str, ...]
    notes: list[str] = field(default_factory=list)


def detect_template(text: str) -> str:
    """Return "2021", "2019" or "unknown" from the header labels only one template prints.

    >>> detect_template("信息内容 本年制发件数 本年废止件数 现行有效件数")
    '2021'
    """
    hits = {name: sum(marker in text for marker in markers) for name, markers in TEMPLATE_MARKERS.items()}
    # One marker alone is no evidence: the words also occur in prose (政府集中采购).
    if hits["2021"] == hits["2019"] or max(hits.values()) < 2:
        return "unknown"
    return max(hits, key=hits.__getitem__)


def parse_tables(doc: Document, template: str | None = None) -> ParsedTables:
    """Find 表二, 表三 and 表四 in a document and return one record per template cell."""
    template = template or detect_template(doc.text)
    layout = template if template in TEMPLATE_MARKERS else "2021"
    regions = _locate(doc.rows)
    records: list[Record] = []
    notes: list[str] = []
    for table in (ACTIVE, APPLICATIONS, APPEALS):
        region = regions.get(table.key)
        if region is None:
            records.extend(_missing_table(table, layout))
        elif table is APPEALS:
            records.extend(_appeals(region, notes, doc.runs_collapsed))
        else:
            records.extend(_labelled_table(table, region, layout, notes, doc.runs_collapsed))
    return ParsedTables(template, records, tuple(regions), notes)


def _locate(rows: list[RawRow]) -> dict[str, list[RawRow]]:
    """Split the document's rows into the regions of the three tables, by their headings."""
    texts = ["".join(row.cells) for row in rows]
    active = _first(texts, 0, lambda t: "第二十条" in t)
    applications = _first(texts, active or 0, lambda t: "勾稽关系" in t or "本年新收" in t)
    appeals = _first(texts, applications or active or 0, lambda t: "行政复议" in t)
    end = _first(texts, appeals or 0, lambda t: bool(_SECTION_END.match(t.strip())))
    if appeals is not None and end is not None and not any(map(_has_digit, texts[appeals:end])):
        # A heading printed inside 表四's header (before any value) does not end the table.
        values = _first(texts, end, _has_digit)
        if values is not None and values - appeals <= _HEADER_ROWS:
            end = _first(texts, values, lambda t: bool(_SECTION_END.match(t.strip())))
    bounds = {"active": active, "applications": applications, "appeals": appeals}
    starts = sorted(v for v in bounds.values() if v is not None) + [end or len(rows)]
    regions = {}
    for key, start in bounds.items():
        if start is not None:
            stop = min(s for s in starts if s > start)
            regions[key] = rows[start:stop]
    return regions


# 表四's header is at most this many rows, even with every word on a line of its own.
_HEADER_ROWS = 80


def _has_digit(text: str) -> bool:
    return any(map(str.isdigit, text))


def _first(texts: list[str], start: int, predicate: Callable[[str], bool]) -> int | None:
    for index in range(start, len(texts)):
        if predicate(texts[index]):
            return index
    return None


def _segments(table: TableSpec, cells: tuple[str, ...]) -> list[tuple[str, list[str]]]:
    """Split a physical row at each row label: ``[(key, cells after it up to the next label)]``.

    One physical row may hold several template rows (a table copied without row breaks).
    Text after a row's values is a heading of what follows (第二十条第（五）项) and is dropped.
    """
    cells = tuple(cells)
    split = _row_segments_kept if sum(map(len, cells)) <= _KEPT_CHARS else _row_segments
    return [(key, list(values)) for key, values in split(table.key, cells)]


def _row_segments(table_key: str, cells: tuple[str, ...]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    segments: list[tuple[str, list[str]]] = []
    for cell in cells:
        key = (_label_key_kept if len(cell) <= _KEPT_CHARS else _label_key)(table_key, cell) if cell else None
        if key is not None:
            segments.append((key, []))
        elif segments:
            segments[-1][1].append(cell)
    for _, values in segments:
        while values and values[-1] and parse_cell(values[-1])[1] == "text":
            values.pop()
    return tuple((key, tuple(values)) for key, values in segments)


def _label_key(table_key: str, cell: str) -> str | None:
    """Return the key of the row a cell labels in a table, or None (a value, or no row's label)."""
    if looks_numeric(cell):
        return None
    return match_row(TABLES[table_key], normalize_label(cell))


# Reports print the same rows and cells over and over (a row of zeros, a header): each is read
# once. Long ones (a hostile file's) are read each time, so that none is kept in memory.
_KEPT_CHARS = 512
_row_segments_kept = lru_cache(maxsize=16384)(_row_segments)
_label_key_kept = lru_cache(maxsize=16384)(_label_key)


def _find_rows(
    table: TableSpec, region: list[RawRow], notes: list[str], *, continuation: bool = True
) -> dict[str, FoundRow]:
    """Map each row key to what is printed after its label (see :class:`FoundRow`)."""
    found: dict[str, FoundRow] = {}
    previous: str | None = None
    closed = False  # text printed after the previous row's values: later values are not its own
    words: list[str] = []  # the text lines since the last value: a label may be broken over them
    for row in region:
        segments = _segments(table, row.cells) or _broken_label(table, row, words, found, notes)
        if not segments:
            values = _trailing_values(row.cells)
            words = [] if values else [*words[-(_LABEL_LINES - 1) :], "".join(row.cells)]
            prior = found.get(previous) if continuation and previous and not closed else None
            if prior is not None and values and not any(prior.cells):
                assert previous is not None  # prior was found under it
                if len(row.cells) == 1 and values[0]:
                    # One value per line: the row's values continue line by line.
                    token = Token(values[0], row.line, continues=bool(prior.tokens))
                    found[previous] = prior._replace(tokens=(*prior.tokens, token))
                elif not prior.tokens:
                    # A label broken by a line or page break: its values follow on the next row.
                    found[previous] = FoundRow(values, row.line)
                else:
                    notes.append(f"{table.key}: values without a row label at line {row.line}")
            elif values:
                notes.append(f"{table.key}: values without a row label at line {row.line}")
            elif previous and any(row.cells) and found[previous].printed():
                closed = True
            continue
        words = []
        for key, values in segments:
            if key in found and found[key].printed():
                notes.append(f"{table.key}: row {key} printed again at line {row.line}; first kept")
            else:
                found[key] = FoundRow(values, row.line)
            previous, closed = key, False
    return found


# A label is broken over at most this many lines ('(七' ')' '总计'; '3.' '其他').
_LABEL_LINES = 3


def _broken_label(
    table: TableSpec, row: RawRow, words: list[str], found: dict[str, FoundRow], notes: list[str]
) -> list[tuple[str, list[str]]]:
    """Read a label that its row does not match alone: broken over lines, or misprinted.

    The row's leading text is tried joined to the text lines before it (a label broken by line
    or style breaks), then matched approximately (:func:`govreports.labels.fuzzy_row`) against
    the template rows not yet found. Returns the row's segment, or ``[]``.
    """
    lead = [c for c in row.cells if c and not looks_numeric(c)]
    if not lead or row.cells[0] != lead[0] or len(lead) > 1:
        return []
    values = list(row.cells[1:])
    for start in range(len(words) - 1, -1, -1):
        key = match_row(table, normalize_label("".join(words[start:]) + lead[0]))
        if key is not None:
            return [(key, values)] if key not in found else []
    key, score = fuzzy_row(table, lead[0], exclude=found)
    if key is None:
        return []
    notes.append(f"{table.key}: label '{lead[0]}' at line {row.line} read as {key} (similarity {score:.0f})")
    return [(key, values)]


def _trailing_values(cells: tuple[str, ...]) -> list[str]:
    """Cells after the last text fragment of a row without a label (a broken label's tail)."""
    last_text = max((i for i, c in enumerate(cells) if c and not looks_numeric(c)), default=-1)
    tail = list(cells[last_text + 1 :])
    return tail if any(tail) else []


def _row_set(table: TableSpec, found: Mapping[str, FoundRow], template: str) -> list[str]:
    """Row keys to emit: the template's rows, with （六） as printed (one row or three)."""
    keys = [row.key for row in table.rows_for(template)]
    if table is not APPLICATIONS:
        return keys
    printed_subs = any(k in found for k in OTHER_SUB_ROWS)
    # （六） printed as one row (2019 template, or a 2021 report printing it so): other_total,
    # even when that row is blank.
    one_row = "other_total" in found and (found["other_total"].printed() or template == "2019")
    if printed_subs or not one_row:
        subs = list(OTHER_SUB_ROWS)
        keys = [k for k in keys if k != "other_total"]
    else:
        subs = ["other_total"]
        keys = [k for k in keys if k not in OTHER_SUB_ROWS]
    if subs[0] not in keys:
        at = keys.index("total_processed")
        keys[at:at] = subs
    return keys


def _labelled_table(
    table: TableSpec, region: list[RawRow], template: str, notes: list[str], collapsed: bool = False
) -> list[Record]:
    found = _find_rows(table, region, notes)
    keys = _row_set(table, found, template)
    order = _printed_columns(table, region, found, notes)
    records: list[Record] = []
    short = False
    evidence: list[RowEvidence] = []
    for key in keys:
        cols = _cols_of(table.key, key, template)
        if isinstance(order, tuple) and set(order) == set(cols):
            cols = order
        if key not in found:
            records.extend((table.key, key, col, None, "row_missing", "", "") for col in cols)
            continue
        cells, line, tokens = found[key]
        if tokens:
            evidence.append(RowEvidence(tuple((key, c) for c in cols), tokens, collapsed))
            records.extend((table.key, key, col, None, "pending", "", "") for col in cols)
            continue
        if not cells:  # a label with nothing printed after it: its values are elsewhere or lost
            records.extend((table.key, key, col, None, "missing_cell", "", f"line {line}") for col in cols)
            continue
        short = short or len(cells) < len(cols)
        records.extend(_aligned(table, key, cols, cells, line))
    if evidence:
        records = _solved(table, records, evidence, tuple(keys))
    if order == UNCERTAIN:
        return [_uncertain_column(r) for r in records]
    if order is not None:  # printed in the header's order: back to the template's
        rank = {col: i for i, col in enumerate(c.key for c in table.cols)}
        return sorted(records, key=lambda r: (keys.index(r[1]), rank[r[2]]))
    if short:  # only a row with fewer cells than the template can hold glued digits
        return _with_glued(records, split_glued_rows(table, found, keys, template))
    return records


@lru_cache(maxsize=256)
def _cols_of(table_key: str, row_key: str, template: str) -> tuple[str, ...]:
    return TABLES[table_key].cols_of(row_key, template)


def _printed_columns(
    table: TableSpec, region: list[RawRow], found: dict[str, FoundRow], notes: list[str]
) -> tuple[str, ...] | Literal["uncertain"] | None:
    """Return 表三's column order as its header prints it (see :func:`header_order`), else None."""
    if table is not APPLICATIONS or not found:
        return None
    first = min(row.line for row in found.values())
    order = header_order([row.cells for row in region if row.line < first])
    if order == UNCERTAIN:
        notes.append("applications: the header's rows give contradictory column orders")
    elif order is not None:
        notes.append(f"applications: columns read in the header's order ({', '.join(order)})")
    return order


def _uncertain_column(record: Record) -> Record:
    """Flag a decided value whose column the header leaves in doubt."""
    if record[4] not in DECIDED_STATUSES:
        return record
    ref = f"{record[6]}; the header's column order is contradictory"
    return (*record[:3], None, "ambiguous", record[5], ref)


def _solved(
    table: TableSpec, records: list[Record], evidence: list[RowEvidence], keys: tuple[str, ...]
) -> list[Record]:
    """Fill the rows printed line by line with the solver's cells, under the table's identities."""
    known = {(r[1], r[2]): r[3] for r in records if r[3] is not None}
    # 表三's identities depend on the rows it prints; 表四's (and 表二's: none) do not.
    rules = [i for i in identities(keys if table is APPLICATIONS else ()) if i.table == table.key]
    solved = {c.cell: c for c in solve(evidence, rules, known)}
    return [_from_solver(table, r, solved[(r[1], r[2])]) if r[4] == "pending" else r for r in records]


def _from_solver(table: TableSpec, record: Record, cell: SolvedCell) -> Record:
    value, status = _checked(table, record[2], cell.value, cell.status)
    return (record[0], record[1], record[2], value, status, cell.raw, cell.source_ref)


def _aligned(table: TableSpec, key: str, cols: tuple[str, ...], cells: list[str], line: int) -> list[Record]:
    """Return the records of a row printed with separators, its cells aligned to the columns."""
    ref = f"line {line}"
    table_key = table.key
    values = [c for c in cells if c.strip()]
    if len(values) == len(cols):  # most rows: one printed value per column
        read = _read_kept if max(map(len, values), default=0) <= _KEPT_CHARS else _read
        return [
            (table_key, key, col, v, s, raw, ref)
            for col, raw in zip(cols, values, strict=True)
            for v, s in (read(table_key, col, raw),)
        ]
    return [
        (table.key, key, col, *_checked(table, col, value, status), raw, ref)
        for col, (value, status, raw) in zip(cols, align(cells, len(cols)), strict=True)
    ]


def _with_glued(records: list[Record], glued: dict[str, list[Cell]]) -> list[Record]:
    """Replace the records of rows printed as glued digits ('21710000218') by their split cells."""
    if not glued:
        return records
    queues = {key: iter(cells) for key, cells in glued.items()}
    return [(*r[:3], *next(queues[r[1]])) if r[1] in queues else r for r in records]


def _appeals(region: list[RawRow], notes: list[str], collapsed: bool = False) -> list[Record]:
    """表四: either one data row of 15 values under the header, or one labelled row per kind."""
    found = _find_rows(APPEALS, region, [], continuation=False)
    cols = [c.key for c in APPEALS.cols]
    labelled = {k: v for k, v in found.items() if looks_numeric(next((c for c in v[0] if c), ""))}
    if labelled:  # a kind printed with five empty cells is blank, not missing
        labelled |= {k: v for k, v in found.items() if len(v[0]) == len(cols) and not any(v[0])}
    records: list[Record] = []
    if labelled:
        glued = split_glued_rows(APPEALS, labelled, [r.key for r in APPEALS.rows], "2021")
        for row in APPEALS.rows:
            cells, line = labelled[row.key][:2] if row.key in labelled else ([], 0)
            aligned = align(cells, len(cols)) if line else [(None, "row_missing", "")] * len(cols)
            refs = [f"line {line}" if line else ""] * len(cols)
            if row.key in glued:
                aligned, refs = [c[:3] for c in glued[row.key]], [c[3] for c in glued[row.key]]
            records.extend(("appeals", row.key, col, v, s, r, ref)
                           for col, (v, s, r), ref in zip(cols, aligned, refs, strict=True))  # fmt: skip
        return records
    cells, line, tokens = _data_row(region)
    if not line:
        notes.append("appeals: header found but no data row")
        return [("appeals", r.key, c, None, "row_missing", "", "") for r in APPEALS.rows for c in cols]
    flat = split_flat_row(APPEALS, cells, line)  # None unless the 15 values are glued digits
    if flat is None and tokens and len(tokens) != len(cols) * len(APPEALS.rows):
        return _flat_solved(tokens, collapsed)
    if flat is None:
        where = f"line {line}" if line else ""
        flat = [(*cell, where) for cell in align(cells, 15)]
    for i, (value, status, raw, ref) in enumerate(flat):
        records.append(("appeals", APPEALS.rows[i // 5].key, cols[i % 5], value, status, raw, ref))
    return records


def _data_row(region: list[RawRow]) -> tuple[list[str], int, tuple[Token, ...]]:
    """Return the first run of rows that hold values: 表四's unlabelled data row.

    A row counts when at least two thirds of its printed cells read as values, so that one
    word in a cell (无数据) does not hide the row; header rows hold no values at all. When the
    run is printed one value per line, its values are also returned as tokens for the solver.
    """
    run: list[RawRow] = []
    for row in region:
        printed = [c for c in row.cells if c]
        numeric = sum(map(looks_numeric, printed))
        if printed and numeric * 3 >= len(printed) * 2:
            run.append(row)
        elif run:
            break
    cells = [cell for row in run for cell in row.cells]
    line = run[0].line if run else 0
    if not run or any(len(row.cells) != 1 for row in run):
        return cells, line, ()
    return cells, line, tuple(Token(row.cells[0], row.line, i > 0) for i, row in enumerate(run))


def _flat_solved(tokens: tuple[Token, ...], collapsed: bool) -> list[Record]:
    """表四's 15 values printed one per line, but not 15 of them: the solver decides."""
    cells = tuple((row.key, col.key) for row in APPEALS.rows for col in APPEALS.cols)
    pending: list[Record] = [("appeals", row, col, None, "pending", "", "") for row, col in cells]
    return _solved(APPEALS, pending, [RowEvidence(cells, tokens, collapsed)], ())


def align(cells: list[str], n: int) -> list[tuple[float | None, str, str]]:
    """Align the cells printed after a label to ``n`` template columns.

    Empty cells are placed by position only when the row has exactly ``n`` cells, or ``n``
    once the empty cells that pad the label columns (leading) and the row end are set aside.
    Where the values do not fit the template, nothing is shifted silently: surplus cells keep a
    value only where every possible alignment agrees on it, and a short row whose blanks cannot
    be placed leaves every cell missing.

    >>> align(["", "3", "", "5"], 3)
    [(3.0, 'ok', '3'), (None, 'blank', ''), (5.0, 'ok', '5')]
    >>> align(["0", "0", "0"], 2)
    [(0.0, 'surplus_cells', '0'), (0.0, 'surplus_cells', '0')]
    >>> align(["1", "2"], 3)[0]
    (None, 'missing_cell', '')
    >>> align(["", "0", "4", ""], 3)[0]  # a blank first or last cell: cannot tell which
    (None, 'missing_cell', '')
    """
    values = [c for c in cells if c.strip()]
    if len(values) == n:
        return [(*parse_cell(c), c) for c in values]
    if len(values) > n:
        return _surplus(values, n)
    if len(cells) == n or not values:
        padded = cells[:n] + [""] * (n - len(cells[:n]))
        return [(*parse_cell(c), c) for c in padded]
    placed = _placed(cells, n)
    if placed is None:
        return [(None, "missing_cell", "")] * n
    return [(*parse_cell(c), c) for c in placed]


def _placed(cells: list[str], n: int) -> list[str] | None:
    """Place a row's blanks by dropping padding, or None when that is not unambiguous.

    Padding may lead (label columns) or trail (the row end). When dropping either one alone
    leaves ``n`` cells and the two readings differ, the blanks cannot be placed.
    """
    start = 0
    while start < len(cells) and not cells[start].strip():
        start += 1
    leading = cells[start:]
    end = len(leading)
    while end > n and not leading[end - 1].strip():
        end -= 1
    trailing = list(cells)
    while len(trailing) > n and not trailing[-1].strip():
        trailing.pop()
    readings = [r for r in (leading[:end], trailing) if len(r) == n]
    if not readings or any(r != readings[0] for r in readings):
        return None
    return readings[0]


def _surplus(values: list[str], n: int) -> list[tuple[float | None, str, str]]:
    extra = len(values) - n
    aligned = []
    for i in range(n):
        candidates = {parse_cell(c) for c in values[i : i + extra + 1]}
        if len(candidates) == 1:
            value, _ = candidates.pop()
            aligned.append((value, "surplus_cells", values[i]))
        else:
            aligned.append((None, "surplus_cells", " | ".join(values[i : i + extra + 1])))
    return aligned


def _read(table_key: str, col: str, raw: str) -> tuple[float | None, str]:
    """Parse a cell printed in a column and flag what the column does not allow (see :func:`_checked`)."""
    return _checked(TABLES[table_key], col, *parse_cell(raw))


_read_kept = lru_cache(maxsize=16384)(_read)


def _checked(table: TableSpec, col: str, value: float | None, status: str) -> tuple[float | None, str]:
    """Flag numbers the template does not allow: negatives and fractions of a count."""
    if value is None or status != "ok":
        return value, status
    spec = table.col_by_key[col]
    if value < 0 and not spec.signed:
        return value, "negative"
    if not spec.decimal and not value.is_integer():
        return value, "not_integer"
    return value, status


def _missing_table(table: TableSpec, template: str) -> list[Record]:
    keys = [row.key for row in table.rows_for(template)]
    return [
        (table.key, key, col, None, "table_missing", "", "")
        for key in keys
        for col in table.cols_of(key, template)
    ]
