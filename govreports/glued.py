r"""Glued digits → template cells: a digit run is split only where the identities leave one way.

Pages copied without cell separators print a row's numbers as one run of digits: 表三's
``21710000218`` is 217, 1, 0, 0, 0, 0, 218. A run is cut into the row's ``n`` cells (no
leading zeros except ``0`` itself; tokens separated by spaces are never joined), and a split is
accepted only when it is

* for a row with an identity (表三: total = the six applicant columns; 表四: total = the four
  results), the one split that satisfies it, or, when several do, the one that the table's
  column identities (T3.FLOW, T3.SUM_ROWS) leave across rows;
* for a row without one (表二), the one reading the digits allow at all — counting readings
  with blank cells, since a blank leaves no trace in a glued run (``000`` for three cells).

Accepted cells get status ``split`` with the evidence in ``source_ref``. Otherwise the cells
stay missing with status ``ambiguous``, the candidate values in ``raw`` and the candidate
splits in ``source_ref`` — except a cell on which every remaining reading agrees. Never a guess.

>>> splits(("21710000218",), 7, 7)
(('217', '1', '0', '0', '0', '0', '218'),)
>>> len(splits(("898989",), 3)), count_splits(("000",), 3)
(10, 1)
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import combinations

from govreports.cells import MAX_DIGITS, parse_cell
from govreports.schema import APPLICATIONS, Identity, TableSpec, identities

# (value, status, raw, source_ref) of one template cell.
Cell = tuple[float | None, str, str, str]
# What is printed after a row label: its cells and line first (normalize's FoundRow adds its tokens).
Printed = tuple[list[str], int, *tuple[object, ...]]

LIMIT = 2000  # more splits than this are not listed: the row is ambiguous
_BUDGET = 200_000  # search states (per row) and joint assignments (per table) before giving up
_SHOWN = 8  # candidate splits written into source_ref
_RUN = re.compile(r"(\d+)((?:\.\d+)?\D*)")
_LEADING_ZERO = re.compile(r"0\d")


class _TooManyError(Exception):
    """The search passed :data:`LIMIT` splits or its budget: leave the row ambiguous."""


def _runs(tokens: tuple[str, ...]) -> tuple[tuple[str, str], ...] | None:
    """Read each token as (integer digits, tail): the tail (decimals, unit) stays on its last piece."""
    runs = []
    for token in tokens:
        match = _RUN.fullmatch(token)
        if match is None or parse_cell(token)[1] not in ("ok", "unit_in_cell", "too_large"):
            return None
        runs.append((match[1], match[2]))
    return tuple(runs)


@lru_cache(maxsize=4096)
def count_splits(tokens: tuple[str, ...], n: int) -> int:
    """Count the ways to cut ``tokens`` into ``n`` cells, identities aside.

    >>> count_splits(("230", "000023"), 7), count_splits(("1234",), 5)
    (3, 0)
    """
    runs = _runs(tokens)
    if runs is None or _too_long(runs, n):
        return 0
    digits = [d for d, _ in runs]

    @cache
    def count(t: int, o: int, k: int) -> int:
        if t == len(digits):
            return int(k == n)
        if k == n:
            return 0
        ends = (
            range(o + 1, o + 2)
            if digits[t][o] == "0"
            else range(o + 1, min(len(digits[t]), o + MAX_DIGITS) + 1)
        )
        return sum(count(t + 1, 0, k + 1) if e == len(digits[t]) else count(t, e, k + 1) for e in ends)

    return count(0, 0, 0)


@lru_cache(maxsize=4096)
def splits(tokens: tuple[str, ...], n: int, group: int = 0) -> tuple[tuple[str, ...], ...] | None:
    """Return all ways to cut ``tokens`` into ``n`` cells; None if more than :data:`LIMIT`.

    Args:
        tokens: the printed value tokens of one row (space-separated; each is one or more cells).
        n: the number of template cells.
        group: when set, each run of ``group`` cells must have its last cell equal to the sum of
            the others (the row identity), which also prunes the search.

    >>> splits(("350",), 2)
    (('3', '50'), ('35', '0'))
    >>> splits(("0200002",), 7, 7)
    (('0', '2', '0', '0', '0', '0', '2'),)
    """
    runs = _runs(tokens)
    if runs is None or _too_long(runs, n) or (group and (n % group or any(tail for _, tail in runs))):
        return ()
    try:
        return _Search(runs, n, group).rest(0, 0, 0, 0)
    except _TooManyError:
        return None


def _too_long(runs: tuple[tuple[str, str], ...], n: int) -> bool:
    """Whether the digits are more than ``n`` cells can hold (which bounds the search's work)."""
    return sum(len(d) for d, _ in runs) > n * MAX_DIGITS


class _Search:
    """Depth-first enumeration of splits, memoised on (token, offset, cell, partial sum)."""

    def __init__(self, runs: tuple[tuple[str, str], ...], n: int, group: int) -> None:
        self.digits = [d for d, _ in runs]
        self.tails = [tail for _, tail in runs]
        self.n, self.group = n, group
        self.after = [sum(len(d) for d in self.digits[t + 1 :]) for t in range(len(runs))]
        self.memo: dict[tuple[int, int, int, int], tuple[tuple[str, ...], ...]] = {}

    def rest(self, t: int, o: int, k: int, s: int) -> tuple[tuple[str, ...], ...]:
        """Return every way to cut the digits from token ``t`` offset ``o`` into cells ``k`` … n-1."""
        key = (t, o, k, s)
        if key not in self.memo:
            if len(self.memo) > _BUDGET:
                raise _TooManyError
            found = tuple(self._expand(t, o, k, s))
            if len(found) > LIMIT:
                raise _TooManyError
            self.memo[key] = found
        return self.memo[key]

    def _expand(self, t: int, o: int, k: int, s: int) -> Iterator[tuple[str, ...]]:
        if t == len(self.digits):
            if k == self.n:
                yield ()
            return
        # Each remaining token needs a cell of its own; each remaining cell needs a digit.
        if not len(self.digits) - t <= self.n - k <= len(self.digits[t]) - o + self.after[t]:
            return
        for end, piece, s_next in self._pieces(t, o, k, s):
            at_end = end == len(self.digits[t])
            for tail in self.rest(t + 1 if at_end else t, 0 if at_end else end, k + 1, s_next):
                yield (piece, *tail)

    def _pieces(self, t: int, o: int, k: int, s: int) -> Iterator[tuple[int, str, int]]:
        """Yield the cells that may start at (t, o): end offset, text, and the group's new sum."""
        digits = self.digits[t]
        if self.group and k % self.group == self.group - 1:
            total = str(s)  # the identity fixes the total: no enumeration needed
            if digits.startswith(total, o):
                yield o + len(total), total, 0
            return
        stop = o + 1 if digits[o] == "0" else min(len(digits), o + MAX_DIGITS)
        for end in range(o + 1, stop + 1):
            piece = digits[o:end]
            s_next = s + int(piece) if self.group else 0
            # The group's total still has to fit in the digits left after the other cells.
            room = len(digits) - end + self.after[t] - (self.n - k - 2)
            if self.group and len(str(s_next)) > room:
                break
            yield end, piece + (self.tails[t] if end == len(digits) else ""), s_next


def glued_tokens(cells: Sequence[str], n: int) -> tuple[str, ...] | None:
    """Return a row's value tokens when they arrive glued, else None (the row is aligned as is).

    Glued means fewer values than cells, no blank between them, every value a number, either
    one token for all cells or a token no printed number has (a leading zero: ``023``), and
    digits enough to fill the row.

    >>> glued_tokens(["23", "0", "00", "0", "023"], 7)
    ('23', '0', '00', '0', '023')
    >>> glued_tokens(["12", "5"], 3) is None, glued_tokens(["5"], 3) is None  # short rows
    (True, True)
    """
    if len(cells) >= n:
        return None
    if any(parse_cell(c)[1] == "footnote" for c in cells):
        return None  # NFKC would make the mark of 179¹ a digit of 1791
    values = [unicodedata.normalize("NFKC", c).strip() for c in cells]
    while values and not values[-1]:
        values.pop()
    start = next((i for i, v in enumerate(values) if v), len(values))
    tokens = tuple(values[start:])
    if not tokens or not all(_RUN.fullmatch(t) for t in tokens) or _runs(tokens) is None:
        return None
    if len(tokens) > 1 and not any(_LEADING_ZERO.match(t) for t in tokens):
        return None
    return tokens if count_splits(tokens, n) else None  # else: a short row, not glued digits


@dataclass
class GluedRow:
    """A glued row: its tokens, the splits still possible, and the identities that chose them."""

    key: str
    cols: tuple[str, ...]
    tokens: tuple[str, ...]
    line: int
    candidates: tuple[tuple[str, ...], ...] | None  # None: more than LIMIT
    checks: tuple[str, ...] = ()  # identities applied; empty: digits alone (or no identity)

    def cells(self) -> list[Cell]:
        """Return the row's cells: split where the candidates agree, ambiguous elsewhere."""
        where = f"line {self.line}; " if self.line else ""
        if self.candidates is not None and len(self.candidates) == 1:
            pieces = self.candidates[0]
            how = f"by {', '.join(self.checks)}" if self.checks else "(the only reading of the digits)"
            ref = f"{where}split {'|'.join(pieces)} {how}"
            return [(parse_cell(p)[0], "split", p, ref) for p in pieces]  # a unique reading has no blank
        ref = where + self.summary()
        if not self.candidates:
            return [(None, "ambiguous", " ".join(self.tokens), ref)] * len(self.cols)
        cells: list[Cell] = []
        for i in range(len(self.cols)):
            seen = list(dict.fromkeys(c[i] for c in self.candidates))
            if len(seen) == 1 and seen[0]:
                cells.append((parse_cell(seen[0])[0], "split", seen[0], f"{ref}; every reading agrees here"))
            else:
                cells.append((None, "ambiguous", " | ".join(v or "(blank)" for v in seen), ref))
        return cells

    def summary(self) -> str:
        """Say why the row is not split: how many splits remain, which, under which identities.

        >>> GluedRow("x", ("a", "b"), ("350",), 3, (("3", "50"), ("35", "0")), ("T9",)).summary()
        "'350' has 2 readings as 2 cells that fit T9: 3|50; 35|0"
        """
        glued, n = " ".join(self.tokens), len(self.cols)
        fit = f" that fit {', '.join(self.checks)}" if self.checks else " (blank cells allowed)"
        if self.candidates is None:
            return f"'{glued}' has more than {LIMIT} readings as {n} cells{fit}"
        if not self.candidates:
            fits = fit.replace(" fit ", " fits ")  # one reading: 'no reading … that fits …'
            return f"'{glued}' has no reading as {n} cells{fits}"
        shown = "; ".join("|".join(c) for c in self.candidates[:_SHOWN])
        more = "; …" if len(self.candidates) > _SHOWN else ""
        why = fit if self.checks else f"{fit} and no identity to decide"
        return f"'{glued}' has {len(self.candidates)} readings as {n} cells{why}: {shown}{more}"


def _row_identity(table: TableSpec, key: str, cols: tuple[str, ...], keys: tuple[str, ...]) -> str | None:
    """Return the id of the identity 'last column = sum of the others' on this row, if any."""
    for identity in identities(keys if table is APPLICATIONS else ()):
        if (identity.table, identity.scope) == (table.key, key) and identity.lhs == ((key, cols[-1]),):
            if identity.rhs == tuple((key, c) for c in cols[:-1]):
                return identity.check_id
    return None


def glued_row(
    key: str, cols: tuple[str, ...], tokens: tuple[str, ...], line: int, check: str | None, group: int = 0
) -> GluedRow:
    """Split one glued row; ``check`` names the identity on every ``group`` cells (default: all).

    With an identity, only the splits that satisfy it are candidates (every cell printed: the
    identity is the evidence). Without one (表二), a blank cell leaves no trace in a glued run, so
    readings with blank cells are candidates too, and only digits that allow one reading decide.

    >>> glued_row("x", tuple("abcdefg"), ("230", "000023"), 12, "T3.SUM_COLS").cells()[0]
    (23.0, 'split', '23', 'line 12; split 23|0|0|0|0|0|23 by T3.SUM_COLS')
    >>> glued_row("x", ("a", "b", "c"), ("000",), 12, None).cells()[0][1:]
    ('split', '0', 'line 12; split 0|0|0 (the only reading of the digits)')
    >>> [c[2] for c in glued_row("x", ("a", "b"), ("350",), 12, None).cells()]
    ['3 | 35 | 350 | (blank)', '50 | 0 | (blank) | 350']
    """
    n = len(cols)
    if check is None:
        return GluedRow(key, cols, tokens, line, with_blanks(tokens, n))
    return GluedRow(key, cols, tokens, line, splits(tokens, n, group or n), (check,))


def with_blanks(tokens: tuple[str, ...], n: int) -> tuple[tuple[str, ...], ...] | None:
    """Return all readings of ``tokens`` as ``n`` cells of which some may be blank (``""``).

    >>> with_blanks(("000",), 3), with_blanks(("12",), 3)[:4]
    ((('0', '0', '0'),), (('1', '2', ''), ('1', '', '2'), ('', '1', '2'), ('12', '', '')))
    """
    found: list[tuple[str, ...]] = []
    for k in range(n, len(tokens) - 1, -1):  # every cell printed first
        cuts = splits(tokens, k)
        if cuts is None:
            return None
        for places in combinations(range(n), k):
            for cut in cuts:
                cells = [""] * n
                for place, piece in zip(places, cut, strict=True):
                    cells[place] = piece
                found.append(tuple(cells))
        if len(found) > LIMIT:
            return None
    return tuple(found)


def split_glued_rows(
    table: TableSpec,
    found: Mapping[str, Printed],
    keys: Sequence[str],
    template: str,
) -> dict[str, list[Cell]]:
    """Return the cells of every glued row of a labelled table by row key (empty: none glued).

    Rows that their row identity leaves open are narrowed with the table's other identities,
    using the values of the rows printed with separators and of the rows already split.
    """
    keys = tuple(keys)
    glued: dict[str, GluedRow] = {}
    for key in keys:
        if key in found:
            cols = table.cols_of(key, template)
            tokens = glued_tokens(found[key][0], len(cols))
            if tokens is not None:
                check = _row_identity(table, key, cols, keys)
                glued[key] = glued_row(key, cols, tokens, found[key][1], check)
    if not glued:
        return {}
    if table is APPLICATIONS:
        _narrow(glued, _known(table, found, keys, glued, template), keys)
    return {key: row.cells() for key, row in glued.items()}


def split_flat_row(table: TableSpec, cells: Sequence[str], line: int) -> list[Cell] | None:
    """Split one unlabelled data row holding every row of ``table`` in order (表四's 15 cells).

    >>> from govreports.schema import APPEALS
    >>> [c[0] for c in split_flat_row(APPEALS, ["21317000001324019"], 9)][-5:]
    [13.0, 2.0, 4.0, 0.0, 19.0]
    """
    width = len(table.cols)
    tokens = glued_tokens(cells, width * len(table.rows))
    if tokens is None:
        return None
    cols = tuple(c.key for c in table.cols)
    checks = {_row_identity(table, row.key, cols, ()) for row in table.rows}
    check = checks.pop() if len(checks) == 1 else None
    return glued_row(table.key, cols * len(table.rows), tokens, line, check, width).cells()


def _known(
    table: TableSpec,
    found: Mapping[str, Printed],
    keys: tuple[str, ...],
    glued: dict[str, GluedRow],
    template: str,
) -> dict[tuple[str, str], float]:
    """Collect the values of rows printed one value per cell and of rows split already."""
    known: dict[tuple[str, str], float] = {}
    for key in keys:
        if key in found and key not in glued:
            cols = table.cols_of(key, template)
            values = [c for c in found[key][0] if c.strip()]
            if len(values) == len(cols):
                parsed = {(key, col): parse_cell(v)[0] for col, v in zip(cols, values, strict=True)}
                known.update({cell: v for cell, v in parsed.items() if v is not None})
    for row in glued.values():
        if row.candidates is not None and len(row.candidates) == 1:
            known.update(_values(row, row.candidates[0]))
    return known


def _values(row: GluedRow, pieces: tuple[str, ...]) -> dict[tuple[str, str], float]:
    return {(row.key, col): float(p) for col, p in zip(row.cols, pieces, strict=True)}


def _narrow(glued: dict[str, GluedRow], known: dict[tuple[str, str], float], keys: tuple[str, ...]) -> None:
    """Keep, of each open row, the splits found in some assignment that satisfies every identity.

    When no assignment satisfies them all (the report contradicts itself, or a cell of another
    row is missing), nothing is narrowed.
    """
    open_rows = [k for k, r in glued.items() if r.candidates and len(r.candidates) > 1]
    open_rows.sort(key=lambda k: len(glued[k].candidates or ()))
    due, used = _schedule(open_rows, known, keys)
    if not used:
        return
    seen = _consistent([glued[k] for k in open_rows], due, known) or []
    for key, kept in zip(open_rows, seen, strict=False):
        row = glued[key]
        if len(kept) < len(row.candidates or ()):
            row.candidates = tuple(c for i, c in enumerate(row.candidates or ()) if i in kept)
            row.checks = (*row.checks, *sorted(used - set(row.checks)))


def _schedule(
    open_rows: list[str], known: dict[tuple[str, str], float], keys: tuple[str, ...]
) -> tuple[list[list[Identity]], set[str]]:
    """List, per open row (in order), the identities checkable once it and those before are set."""
    position = {k: i for i, k in enumerate(open_rows)}
    due: list[list[Identity]] = [[] for _ in open_rows]
    used: set[str] = set()
    for identity in identities(keys):
        terms = identity.lhs + identity.rhs
        if identity.table != APPLICATIONS.key or not all(r in position or (r, c) in known for r, c in terms):
            continue
        involved = [position[r] for r, _ in terms if r in position]
        if involved:
            due[max(involved)].append(identity)
            used.add(identity.check_id)
    return due, used


def _consistent(
    rows: list[GluedRow], due: list[list[Identity]], known: dict[tuple[str, str], float]
) -> list[set[int]] | None:
    """Return, per row, the indices of its splits found in some fully consistent assignment."""
    seen: list[set[int]] = [set() for _ in rows]
    choice = [0] * len(rows)
    values = dict(known)
    steps = 0

    def walk(i: int) -> None:
        nonlocal steps
        if i == len(rows):
            for j, c in enumerate(choice):
                seen[j].add(c)
            return
        for index, pieces in enumerate(rows[i].candidates or ()):
            steps += 1
            if steps > _BUDGET:
                raise _TooManyError
            # Later rows' stale values stay in ``values``: no identity due here reads them.
            values.update(_values(rows[i], pieces))
            if all(_holds(identity, values) for identity in due[i]):
                choice[i] = index
                walk(i + 1)

    try:
        walk(0)
    except _TooManyError:
        return None
    return seen if seen and seen[0] else None


def _holds(identity: Identity, values: dict[tuple[str, str], float]) -> bool:
    lhs = sum(values[t] for t in identity.lhs)
    return abs(lhs - sum(values[t] for t in identity.rhs)) < 1e-9
