"""Accounting identities → one check row each; and an opt-in copy with blanks inferred.

Validation never changes a value. A check with a missing operand is ``not_assessable``, never
``pass``. :func:`fill_from_identities` is the only place a value is ever inferred, and it
returns a new frame whose inferred cells say so in ``status`` and ``source_ref``.

>>> import govreports as gr
>>> r = gr.read_report("data/raw/002_5bfe4ddd4becc1ae.txt")
>>> r.checks.status.value_counts().to_dict()
{'pass': 42, 'not_assessable': 2, 'fail': 0}
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import lru_cache

import pandas as pd

from govreports.schema import APPLICATIONS, Identity, identities

# (check_id, kind, table, scope, formula, lhs, rhs, delta, status)
CheckRecord = tuple[str, str, str, str, str, float | None, float | None, float | None, str]
# A template cell, (table, row, col).
Cell = tuple[str, str, str]
# A cell's record: (table, row, col, value, ...); callers keep other fields after the value.
CellRecord = tuple[str, str, str, float | None, *tuple[object, ...]]

CHECK_COLUMNS = (
    "report_id",
    "check_id",
    "kind",
    "table",
    "scope",
    "formula",
    "lhs",
    "rhs",
    "delta",
    "status",
)


def _application_rows(records: Iterable[CellRecord]) -> tuple[str, ...]:
    key = APPLICATIONS.key
    seen = dict.fromkeys([r[1] for r in records if r[0] == key])
    return tuple(seen)


def cell_values(records: Iterable[CellRecord]) -> dict[Cell, float | None]:
    """Return each cell's value by ``(table, row, col)``; the last record of a cell wins."""
    return {r[:3]: r[3] for r in records}


@lru_cache(maxsize=64)
def _terms(
    application_rows: tuple[str, ...],
) -> tuple[tuple[Identity, tuple[str, str, str, str, str], tuple[Cell, ...], tuple[Cell, ...]], ...]:
    """Return the identities with their check record's first fields and each side's cells.

    Each is ``(identity, (check_id, kind, table, scope, formula), lhs cells, rhs cells)``, the
    cells as ``(table, row, col)``.
    """
    return tuple(
        (
            i,
            (i.check_id, i.kind, i.table, i.scope, i.formula),
            tuple((i.table, *t) for t in i.lhs),
            tuple((i.table, *t) for t in i.rhs),
        )
        for i in identities(application_rows)
    )


def check_records(records: Sequence[CellRecord]) -> list[CheckRecord]:
    """Evaluate every identity on one report's cell records ``(table, row, col, value, ...)``."""
    return [
        (i.check_id, i.kind, i.table, i.scope, i.formula, lhs, rhs, delta, status)
        for i, lhs, rhs, delta, status in _evaluated(records)
    ]


def evaluate(
    records: Sequence[CellRecord], values: Mapping[Cell, float | None] | None = None
) -> tuple[list[CheckRecord], frozenset[Cell]]:
    """Evaluate every identity once: the check records, and the cells of the failing ones.

    The cells are ``(table, row, col)`` of every operand of an identity that fails. ``values``:
    the records' values by cell (see :func:`cell_values`), where the caller has them already.

    A digit misread the same way by every engine (a font mapping two digits wrongly, say)
    cannot be seen in the cell itself, only in the identities it breaks.

    >>> rows = [("appeals", "review", c, v) for c, v in [("upheld", 1), ("corrected", 0),
    ...     ("other", 0), ("pending", 0), ("total", 2)]]
    >>> checks, failed = evaluate(rows)
    >>> [c[-1] for c in checks if c[0] == "T4.SUM"][0], sorted(failed)[:2]
    ('fail', [('appeals', 'review', 'corrected'), ('appeals', 'review', 'other')])
    """
    values = cell_values(records) if values is None else values
    checks: list[CheckRecord] = []
    failed: set[Cell] = set()
    for _, head, lhs_cells, rhs_cells in _terms(_application_rows(records)):
        lhs = _sum(values, lhs_cells)
        rhs = _sum(values, rhs_cells)
        if lhs is None or rhs is None:
            checks.append((*head, lhs, rhs, None, "not_assessable"))
            continue
        delta = lhs - rhs
        if abs(delta) < 1e-9:
            checks.append((*head, lhs, rhs, delta, "pass"))
        else:
            checks.append((*head, lhs, rhs, delta, "fail"))
            failed.update(lhs_cells)
            failed.update(rhs_cells)
    return checks, frozenset(failed)


def _evaluated(
    records: Sequence[CellRecord], values: Mapping[Cell, float | None] | None = None
) -> Iterator[tuple[Identity, float | None, float | None, float | None, str]]:
    values = cell_values(records) if values is None else values
    for identity, _, lhs_keys, rhs_keys in _terms(_application_rows(records)):
        lhs = _sum(values, lhs_keys)
        rhs = _sum(values, rhs_keys)
        if lhs is None or rhs is None:
            yield identity, lhs, rhs, None, "not_assessable"
        else:
            delta = lhs - rhs
            yield identity, lhs, rhs, delta, "pass" if abs(delta) < 1e-9 else "fail"


# Organs below the prefecture cannot make 规章 (rules); a count there is implausible, not impossible.
_NO_RULES_LEVELS = frozenset({"county", "township"})


def soft_checks(
    records: Iterable[CellRecord],
    level: str | None,
    stated_applications: Sequence[float | None],
    values: Mapping[Cell, float | None] | None = None,
) -> list[CheckRecord]:
    """Plausibility checks (kind ``soft``): a failure asks for a look, it does not prove an error.

    ``T2.RULES``: a county or township organ reports no 规章. ``TXT.NEW_RECEIVED``: the number of
    new applications stated in the prose equals 表三's total (only when the prose states one).
    ``values``: the records' values by cell (see :func:`cell_values`), where the caller has them.

    >>> soft_checks([("active", "rules", "in_force", 6.0)], "township", [])[0][-1]
    'fail'
    """
    values = cell_values(records) if values is None else values
    checks: list[CheckRecord] = []
    if level in _NO_RULES_LEVELS:
        terms = tuple((r, c) for t, r, c in values if t == "active" and r == "rules")
        if terms:
            checks.append(
                _soft("T2.RULES", "active", "rules", "rules = 0", _side(values, "active", terms), 0.0)
            )
    if len(set(stated_applications)) == 1 and stated_applications[0] is not None:
        stated = stated_applications[0]
        new = values.get(("applications", "new_received", "total"))
        carried = values.get(("applications", "carried_over", "total"))
        # Prose "受理 N 件" counts either the new applications or new plus carried over.
        if new is not None and carried is not None and stated == new + carried and stated != new:
            formula = "prose applications = new_received.total + carried_over.total"
            new = new + carried
        else:
            formula = "prose applications = new_received.total"
        checks.append(_soft("TXT.NEW_RECEIVED", "applications", "new_received", formula, stated, new))
    return checks


def _soft(
    check_id: str, table: str, scope: str, formula: str, lhs: float | None, rhs: float | None
) -> CheckRecord:
    if lhs is None or rhs is None:
        return (check_id, "soft", table, scope, formula, lhs, rhs, None, "not_assessable")
    delta = lhs - rhs
    return (check_id, "soft", table, scope, formula, lhs, rhs, delta, "pass" if abs(delta) < 1e-9 else "fail")


def _sum(values: Mapping[Cell, float | None], keys: Iterable[Cell]) -> float | None:
    """Add up the values of cells ``(table, row, col)``; None when one of them is missing."""
    total = 0.0
    for value in map(values.get, keys):
        if value is None:
            return None
        total += value
    return total


def _side(values: Mapping[Cell, float | None], table: str, terms: Iterable[tuple[str, str]]) -> float | None:
    total = 0.0
    for row, col in terms:
        value = values.get((table, row, col))
        if value is None:
            return None
        total += value
    return total


def fill_from_identities(cells: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``cells`` where each missing value that an identity determines is filled.

    A missing cell is filled when at least one identity has it as its only missing operand and
    every such identity gives the same non-negative value. Filled cells get status ``inferred``
    and ``source_ref`` names the identity; the input frame is left untouched.

    >>> import govreports as gr
    >>> cells = gr.read_report("data/raw/002_5bfe4ddd4becc1ae.txt").cells
    >>> filled = gr.fill_from_identities(cells)
    >>> filled.loc[filled.status == "inferred", ["row_key", "col_key", "value"]].values.tolist()
    [['other_no_correction', 'total', 0.0]]
    """
    filled = cells.copy()
    for _, group in cells.groupby("report_id", sort=False, observed=True):
        records = list(
            zip(group.table, group.row_key, group.col_key, group.value.astype(object), strict=True)
        )
        records = [(t, r, c, None if pd.isna(v) else float(v)) for t, r, c, v in records]
        for (table, row, col), (value, reason) in _inferences(records).items():
            at = group.index[(group.table == table) & (group.row_key == row) & (group.col_key == col)]
            filled.loc[at, "value"] = value
            filled.loc[at, "status"] = "inferred"
            filled.loc[at, "source_ref"] = reason
    return filled


def _inferences(records: Sequence[CellRecord]) -> dict[Cell, tuple[float, str]]:
    values = {(r[0], r[1], r[2]): r[3] for r in records}
    proposals: dict[Cell, set[float]] = {}
    reasons: dict[Cell, list[str]] = {}
    for identity in identities(_application_rows(records)):
        solved = _solve(values, identity)
        if solved is not None:
            cell, value = solved
            proposals.setdefault(cell, set()).add(value)
            reasons.setdefault(cell, []).append(f"inferred from {identity.check_id}[{identity.scope}]")
    return {
        cell: (found.pop(), "; ".join(reasons[cell]))
        for cell, found in proposals.items()
        if len(found) == 1 and min(found) >= 0
    }


def _solve(values: Mapping[Cell, float | None], identity: Identity) -> tuple[Cell, float] | None:
    """Find the one missing operand of an identity and the value that makes it hold, if exactly one."""
    terms = [(1, t) for t in identity.lhs] + [(-1, t) for t in identity.rhs]
    missing = [(sign, (identity.table, *t)) for sign, t in terms if values.get((identity.table, *t)) is None]
    if len(missing) != 1 or any((identity.table, *t) not in values for _, t in terms):
        return None
    sign, cell = missing[0]
    known = [(s, values[(identity.table, *t)]) for s, t in terms if (identity.table, *t) != cell]
    # Every operand but the missing one has a value (checked above): the filter drops nothing.
    balance = sum(s * value for s, value in known if value is not None)
    return cell, -balance * sign
