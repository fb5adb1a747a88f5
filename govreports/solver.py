r"""Printed tokens → template cells, by solving the template: the one place that rebuilds a row.

A reader hands over, for each template row it found, the values printed after the row's label
as :class:`Token`\ s (text, line, and whether only a line break separates a token from the one
before it). When the tokens do not fill the row's cells one to one, several readings may:

* **expand**: a crawler that collapsed runs of identical lines printed ``2, 0, 2`` for the
  seven cells ``2, 0, 0, 0, 0, 0, 2`` (only where the document shows that sign);
* **split**: digits printed without a separator (``2170`` for ``217, 0``), no leading zeros;
* **join**: a number broken over two lines by a change of style (``1`` then ``62`` for 162).

:func:`solve` enumerates the readings of each row, least rebuilt first (as printed, then
expanded, then split, then joined), keeps those that satisfy the identities local to the row, then
keeps the combinations of rows that satisfy the table's identities (per-column flows and sums).
A cell whose value is the same in every surviving reading is decided; one whose readings differ
is ``ambiguous`` with the candidates in ``raw``. Nothing is forced: a row whose tokens no
reading fits leaves its cells missing, and a table whose rows no combination fits is not
narrowed (the failed identities then show in the checks). The work is bounded by caps on the
readings per row and the steps of the table search; a cap reached ends in ``ambiguous``.

>>> from govreports.schema import APPLICATIONS, identities
>>> row_sum = [i for i in identities(("granted",)) if i.scope == "granted"]
>>> cells = tuple(("granted", c.key) for c in APPLICATIONS.cols)
>>> solved = solve([RowEvidence(cells, tokens("2 0 2", 7), collapsed=True)], row_sum)
>>> [c.value for c in solved], solved[0].status
([2.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.0], 'expanded')
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from operator import add

from govreports.cells import MAX_DIGITS, parse_cell
from govreports.schema import Identity

# Readings kept per row; a row with more is ambiguous ("too many readings").
LIMIT = 2000
# States of the search over rows; a table that needs more is not narrowed.
BUDGET = 20_000
_SHOWN = 3
_DIGITS = re.compile(r"\d+")

# How a reading was made, from the least to the most rebuilt; a cell's status names it.
PRINTED, EXPANDED, SPLIT, JOINED = "ok", "expanded", "split", "joined"
_RANK = {PRINTED: 0, EXPANDED: 1, SPLIT: 2, JOINED: 3}

Cell = tuple[str, str]  # (row_key, col_key)
# Per identity due, its running balance lhs − rhs (None: a cell holds no number).
Balances = tuple[float | None, ...]


@dataclass(frozen=True, slots=True)
class Token:
    """One printed value after a row label.

    ``continues`` is True when only a line or style break separates it from the previous token,
    so that the two may be one number broken in two; a cell boundary (a tab, a grid cell) never
    continues.
    """

    text: str
    line: int
    continues: bool = False


@dataclass(frozen=True)
class RowEvidence:
    """The tokens printed for a run of template cells (one row, or 表四's 15 cells in one row)."""

    cells: tuple[Cell, ...]
    tokens: tuple[Token, ...]
    collapsed: bool = False  # the source may print a run of equal cells once

    @property
    def line(self) -> int:
        """Return the line the first token is on (0 without tokens)."""
        return self.tokens[0].line if self.tokens else 0


@dataclass(frozen=True, slots=True)
class Reading:
    """One way the tokens fill the cells: the cell texts and how they were made."""

    texts: tuple[str, ...]
    how: str

    def values(self) -> tuple[float | None, ...]:
        """Return the numbers of the cells (None for a blank or a placeholder).

        A count too large for a float is checked as the exact integer it prints, so that
        an identity still tells its readings apart; the cell itself ends up ``too_large``.
        """
        return tuple(_checked_value(t) for t in self.texts)


@dataclass(frozen=True, slots=True)
class SolvedCell:
    """A cell as decided: its value (None unless decided), status, raw text and reference."""

    cell: Cell
    value: float | None
    status: str
    raw: str
    source_ref: str


@dataclass
class _Row:
    evidence: RowEvidence
    readings: tuple[Reading, ...] | None  # None: more than LIMIT
    checks: list[str] = field(default_factory=list)


class _TooManyError(Exception):
    """The enumeration passed its cap."""


def tokens(text: str, line: int, *, continues: bool = True) -> tuple[Token, ...]:
    """Tokens of a whitespace-separated string, each on ``line`` (a helper for examples and tests).

    >>> [t.text for t in tokens("1 62", 3)]
    ['1', '62']
    """
    return tuple(Token(t, line, continues and i > 0) for i, t in enumerate(text.split()))


def solve(
    rows: Sequence[RowEvidence],
    table_identities: Sequence[Identity],
    known: dict[Cell, float] | None = None,
) -> list[SolvedCell]:
    """Decide the cells of ``rows`` under the identities; ``known`` holds cells read elsewhere.

    Identities whose cells are all in one row prune that row's readings; the others prune the
    combinations of rows. Returns one :class:`SolvedCell` per cell of every row, in order.

    >>> ev = RowEvidence((("r", "a"), ("r", "b"), ("r", "t")), tokens("3 5", 2))
    >>> [c.status for c in solve([ev], ())]
    ['missing_cell', 'missing_cell', 'missing_cell']
    """
    known = dict(known or {})
    solved = []
    for ev in rows:
        local = _local(ev, table_identities)
        solved.append(_Row(ev, _row_readings(ev, local), [i.check_id for i in local]))
    _narrow(solved, table_identities, known)
    return [cell for row in solved for cell in _cells(row)]


def _local(ev: RowEvidence, table_identities: Sequence[Identity]) -> list[Identity]:
    inside = set(ev.cells)
    return [i for i in table_identities if all(t in inside for t in i.lhs + i.rhs)]


def _row_readings(ev: RowEvidence, local: list[Identity]) -> tuple[Reading, ...] | None:
    """Return the least rebuilt readings of a row that satisfy its local identities.

    When no reading of any kind satisfies them, the printed reading (if the tokens fill the
    row one to one) stands alone: the report's own numbers break the identity, and the checks
    will say so.
    """
    width = len(ev.cells)
    texts = tuple(t.text for t in ev.tokens)
    if not texts:
        return ()
    index = {cell: i for i, cell in enumerate(ev.cells)}
    try:
        for kind in (_as_printed, _expanded, _split, _joined):
            found = [r for r in kind(ev, texts, width) if _fits(r, local, index)]
            if found:
                return tuple(dict.fromkeys(found))
    except _TooManyError:
        return None
    return (Reading(texts, PRINTED),) if len(texts) == width else ()


def _as_printed(ev: RowEvidence, texts: tuple[str, ...], width: int) -> Iterator[Reading]:
    if len(texts) == width:
        yield Reading(texts, PRINTED)


def _expanded(ev: RowEvidence, texts: tuple[str, ...], width: int) -> Iterator[Reading]:
    """Yield readings that expand values into runs, where the source may have collapsed them."""
    if len(texts) < width:
        yield from _capped(Reading(cells, EXPANDED) for cells, _ in _expansions(texts, width, ev.collapsed))


def _split(ev: RowEvidence, texts: tuple[str, ...], width: int) -> Iterator[Reading]:
    """Yield readings that split digit runs and, where runs may be collapsed, expand values."""
    if len(texts) >= width:
        return
    readings = (
        Reading(cells, SPLIT)
        for pieces, split in _splits(texts, width)
        if split
        for cells, _ in _expansions(pieces, width, ev.collapsed)
    )
    yield from _capped(readings)


def _capped(readings: Iterator[Reading]) -> Iterator[Reading]:
    for count, reading in enumerate(readings):
        if count >= LIMIT:
            raise _TooManyError
        yield reading


def _joined(ev: RowEvidence, texts: tuple[str, ...], width: int) -> Iterator[Reading]:
    """Yield readings that join tokens a line break separates, then fill the row as above."""
    joinable = [i for i, t in enumerate(ev.tokens) if i and t.continues]
    readings = (
        Reading(reading.texts, JOINED)
        for k in range(1, len(joinable) + 1)
        for joins in combinations(joinable, k)
        if (merged := _merge(texts, joins)) is not None and len(merged) <= width
        for kind in (_as_printed, _expanded, _split)
        for reading in kind(ev, merged, width)
    )
    yield from _capped(readings)


def _merge(texts: tuple[str, ...], joins: tuple[int, ...]) -> tuple[str, ...] | None:
    """Join each token in ``joins`` to the one before it; None when a join makes no number."""
    merged: list[str] = []
    for i, text in enumerate(texts):
        if i in joins:
            if not (_DIGITS.fullmatch(merged[-1]) and _DIGITS.fullmatch(text)) or merged[-1] == "0":
                return None
            merged[-1] += text
        else:
            merged.append(text)
    return tuple(merged)


def _splits(texts: tuple[str, ...], width: int) -> Iterator[tuple[tuple[str, ...], bool]]:
    """Yield the ways to cut digit tokens into at most ``width`` numbers (no leading zero).

    Each comes with whether any token was cut.
    """

    def walk(i: int, acc: tuple[str, ...], split: bool) -> Iterator[tuple[tuple[str, ...], bool]]:
        if len(acc) + len(texts) - i > width:
            return
        if i == len(texts):
            yield acc, split
            return
        text = texts[i]
        for cut in _cuts(text, width - len(acc) - (len(texts) - i - 1)):
            yield from walk(i + 1, acc + cut, split or len(cut) > 1)

    yield from walk(0, (), False)


def _cuts(text: str, most: int) -> Iterator[tuple[str, ...]]:
    """Yield ``text`` whole, then (for a digit run) its cuts into 2 … ``most`` numbers."""
    yield (text,)
    # No cell holds more than MAX_DIGITS digits, which keeps the work linear in the digits.
    if not _DIGITS.fullmatch(text) or most < 2 or len(text) > most * MAX_DIGITS:
        return

    def walk(start: int, left: int) -> Iterator[tuple[str, ...]]:
        if left == 1:
            rest = text[start:]
            if (rest == "0" or not rest.startswith("0")) and len(rest) <= MAX_DIGITS:
                yield (rest,)
            return
        stop = start + 1 if text[start] == "0" else min(len(text) - left + 1, start + MAX_DIGITS)
        for end in range(start + 1, stop + 1):
            for tail in walk(end, left - 1):
                yield (text[start:end], *tail)

    for parts in range(2, min(most, len(text)) + 1):
        yield from walk(0, parts)


def _expansions(
    pieces: tuple[str, ...], width: int, collapsed: bool
) -> Iterator[tuple[tuple[str, ...], bool]]:
    """Yield the rows of ``width`` cells that print as ``pieces`` once runs are collapsed."""
    if len(pieces) == width:
        yield pieces, False
        return
    if not collapsed or len(pieces) > width:
        return
    # Runs of lengths l1 + … + lk = width, each ≥ 1: choose k - 1 cut points among width - 1.
    for cuts in combinations(range(1, width), len(pieces) - 1):
        bounds = (0, *cuts, width)
        cells: list[str] = []
        for piece, start, end in zip(pieces, bounds, bounds[1:], strict=False):
            cells.extend([piece] * (end - start))
        yield tuple(cells), True


def _fits(reading: Reading, local: list[Identity], index: dict[Cell, int]) -> bool:
    values = reading.values()
    return all(_holds(i, lambda cell: values[index[cell]]) for i in local)


def _holds(identity: Identity, value_of: Callable[[Cell], float | None]) -> bool:
    """Whether an identity holds; an identity with a missing value cannot fail."""
    lhs = [v for t in identity.lhs if (v := value_of(t)) is not None]
    rhs = [v for t in identity.rhs if (v := value_of(t)) is not None]
    if len(lhs) < len(identity.lhs) or len(rhs) < len(identity.rhs):
        return True
    return abs(sum(lhs) - sum(rhs)) < 1e-9


def _narrow(rows: list[_Row], table_identities: Sequence[Identity], known: dict[Cell, float]) -> None:
    """Keep, of each open row, the readings found in some combination that fits every identity.

    An identity with a cell that is neither read nor in an open row is skipped. No combination
    at all, or a search past its budget: nothing is narrowed.
    """
    open_rows = [r for r in rows if r.readings and len(r.readings) > 1]
    if not open_rows:
        return
    for row in rows:  # rows with one reading are known cells for the search
        if row.readings and len(row.readings) == 1:
            values = row.readings[0].values()
            known.update({c: v for c, v in zip(row.evidence.cells, values, strict=True) if v is not None})
    owner = {cell: i for i, row in enumerate(open_rows) for cell in row.evidence.cells}
    # Identities over open rows (and known cells), except those inside one row: its readings
    # satisfy them already.
    due = [i for i in table_identities if _spans_rows(i, owner, known)]
    if not due:
        return
    survivors = _search(open_rows, due, known)
    if survivors is None:
        return
    used = sorted({i.check_id for i in due})
    for row, kept in zip(open_rows, survivors, strict=True):
        if len(kept) < len(row.readings or ()):
            row.readings = tuple(r for i, r in enumerate(row.readings or ()) if i in kept)
            row.checks = sorted({*row.checks, *used})


def _spans_rows(identity: Identity, owner: dict[Cell, int], known: dict[Cell, float]) -> bool:
    """Whether an identity joins an open row to another row or to known cells, all of them set."""
    terms = identity.lhs + identity.rhs
    if not all(t in owner or t in known for t in terms):
        return False
    rows = {owner[t] for t in terms if t in owner}
    return len(rows) > 1 or (len(rows) == 1 and any(t not in owner for t in terms))


def _search(open_rows: list[_Row], due: list[Identity], known: dict[Cell, float]) -> list[set[int]] | None:
    """Return, per open row, the indices of its readings found in some combination that fits.

    Dynamic programming over the rows in order: a state is the vector of each identity's running
    balance (lhs − rhs), so that combinations reaching the same balances are explored once; an
    identity is checked, and its balance dropped from the state, at the last row it involves.
    Returns None when no combination fits or the states pass the budget.
    """
    last = [max(i for i, row in enumerate(open_rows) if _involves(identity, row)) for identity in due]
    start = tuple(_balance(i, known) for i in due)
    moves = [[_move(due, row.evidence.cells, r.values()) for r in row.readings or ()] for row in open_rows]
    levels: list[set[Balances]] = [{start}]
    for i, row_moves in enumerate(moves):
        closing = [j for j, at in enumerate(last) if at == i]
        following: set[Balances] = set()
        for state in levels[-1]:
            for move in row_moves:
                after = _step(state, move, closing)
                if after is not None:
                    following.add(after)
        if len(following) > BUDGET or not following:
            return None
        levels.append(following)
    good = levels[-1]
    survivors: list[set[int]] = [set() for _ in open_rows]
    for i in range(len(open_rows) - 1, -1, -1):
        closing = [j for j, at in enumerate(last) if at == i]
        reachable: set[Balances] = set()
        for state in levels[i]:
            for index, move in enumerate(moves[i]):
                if _step(state, move, closing) in good:
                    survivors[i].add(index)
                    reachable.add(state)
        good = reachable
    return survivors


def _involves(identity: Identity, row: _Row) -> bool:
    cells = set(row.evidence.cells)
    return any(t in cells for t in identity.lhs + identity.rhs)


def _balance(identity: Identity, known: dict[Cell, float]) -> float | None:
    """Return the part of ``lhs − rhs`` that the known cells give."""
    return _number(sum(known.get(t, 0) for t in identity.lhs) - sum(known.get(t, 0) for t in identity.rhs))


def _move(due: list[Identity], cells: tuple[Cell, ...], values: tuple[float | None, ...]) -> Balances:
    """Return how one reading changes each identity's balance (None: a cell holds no number)."""
    value = dict(zip(cells, values, strict=True))
    move: list[float | None] = []
    for identity in due:
        change: float | None = 0
        for sign, terms in ((1, identity.lhs), (-1, identity.rhs)):
            for term in terms:
                if term in value and change is not None:
                    v = value[term]
                    change = None if v is None else change + sign * v
        move.append(_number(change))
    return tuple(move)


def _number(x: float | None) -> float | None:
    """Return counts as ints, so that balances compare exactly, and amounts rounded to 1e-6."""
    if x is None:
        return None
    return int(x) if float(x).is_integer() else round(x, 6)


def _step(state: Balances, move: Balances, closing: list[int]) -> Balances | None:
    """Apply a move; None when an identity closing here does not balance (None balances)."""
    for j in closing:  # the identities closing here first: most moves fail one of them
        a, b = state[j], move[j]
        if a is not None and b is not None and a + b != 0:
            return None
    try:
        after = list(map(add, state, move))
    except TypeError:  # a cell without a number: its identities cannot fail
        after = [None if a is None or b is None else a + b for a, b in zip(state, move, strict=True)]
    for j in closing:
        after[j] = 0  # checked: drop it from the state, so that states merge
    return tuple(after)


def _cells(row: _Row) -> list[SolvedCell]:
    """Return the decided, ambiguous or missing cells of one row."""
    ev, readings = row.evidence, row.readings
    printed = " ".join(t.text for t in ev.tokens)
    where = f"line {ev.line}; " if ev.line else ""
    width = len(ev.cells)
    if not readings:
        why = f"more than {LIMIT} readings" if readings is None else "no reading"
        status = "ambiguous" if readings is None else "missing_cell"
        ref = f"{where}'{printed}' has {why} as {width} cells{_fitting(row)}"
        return [SolvedCell(c, None, status, printed if readings is None else "", ref) for c in ev.cells]
    how = max((r.how for r in readings), key=_RANK.__getitem__)
    if len(readings) == 1:
        texts = readings[0].texts
        ref = where if how == PRINTED else f"{where}{'|'.join(texts)} {how} from '{printed}'{_by(row)}"
        agreed = ref.rstrip("; ")
    else:
        more = "; …" if len(readings) > _SHOWN else ""
        shown = "; ".join("|".join(r.texts) for r in readings[:_SHOWN]) + more
        ref = f"{where}'{printed}' has {len(readings)} readings as {width} cells{_fitting(row)}: {shown}"
        agreed = f"{ref}; every reading agrees here"
    out = []
    for i, cell in enumerate(ev.cells):
        seen = list(dict.fromkeys(r.texts[i] for r in readings))
        if len(seen) == 1 and (row.checks or not _in_run(readings, i)):
            out.append(_decided(cell, seen[0], how, agreed))
        elif len(seen) == 1:
            why = f"{ref}; a run of a non-zero value, and no identity to confirm it"
            out.append(SolvedCell(cell, None, "ambiguous", seen[0], why))
        else:
            out.append(SolvedCell(cell, None, "ambiguous", " | ".join(seen), ref))
    return out


def _in_run(readings: tuple[Reading, ...], i: int) -> bool:
    """Whether some reading expands a non-zero value into a run through cell ``i``.

    A collapsed zero (a row of zeros printed as one ``0``) is the common case; a repeated
    non-zero value is rarer, and a row without an identity cannot confirm it.
    """
    for reading in readings:
        texts = reading.texts
        if reading.how == PRINTED or parse_cell(texts[i])[0] in (0, None):
            continue
        if (i and texts[i - 1] == texts[i]) or (i + 1 < len(texts) and texts[i + 1] == texts[i]):
            return True
    return False


def _checked_value(text: str) -> float | int | None:
    value, status = parse_cell(text)
    return int(text) if status == "too_large" and _DIGITS.fullmatch(text) else value


def _decided(cell: Cell, text: str, how: str, ref: str) -> SolvedCell:
    value, status = parse_cell(text)
    return SolvedCell(cell, value, how if status == "ok" else status, text, ref)


def _by(row: _Row) -> str:
    return f" by {', '.join(row.checks)}" if row.checks else " (the only reading)"


def _fitting(row: _Row) -> str:
    return f" that fit {', '.join(row.checks)}" if row.checks else ""
