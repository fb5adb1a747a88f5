"""Synthetic reports, one at a time: random but consistent, with every cell's value and status.

Used by the round-trip tests (generate → render → parse → identical cells), the benchmarks,
and :mod:`govreports.simulate`, which draws whole corpora from stated models on top of them.
Every generated report satisfies every identity of the template; blanks and placeholders are
added on request, and the expected status of each cell is known.

>>> report = generate_report(7, template="2021")
>>> report.cells[("applications", "total_processed", "total")][2]
'ok'

Renderers, one module per output format, are in :mod:`govreports.render`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from govreports.schema import ACTIVE, APPEALS, APPLICATIONS, OTHER_SUB_ROWS

CellKey = tuple[str, str, str]  # (table, row_key, col_key)

# Placeholders a generated cell may carry instead of a number, with the status they must get.
PLACEHOLDERS = {"/": "slash", "-": "dash", "—": "dash"}
_APPLICANTS = tuple(c.key for c in APPLICATIONS.cols if c.key != "total")
_OUTCOMES_2021 = tuple(
    r.key
    for r in APPLICATIONS.rows_for("2021")
    if r.key not in ("new_received", "carried_over", "total_processed", "carried_forward")
)
_ORGANS = (
    "鸡东县人民政府办公室",
    "刚察县人民政府办公室",
    "鹤岗市东山区人民政府",
    "四平市铁东区政务服务局",
    "东宁市自然资源局",
)


@dataclass
class SyntheticReport:
    """A generated report: who, when, which template, and every cell as ``(value, raw, status)``."""

    organ: str
    year: int
    template: str
    proactive_total: int
    cells: dict[CellKey, tuple[float | None, str, str]]

    def expected(self) -> list[tuple[str, str, str, float | None, str]]:
        """``(table, row_key, col_key, value, status)`` in template order, as the parser must return."""
        return [(*key, value, status) for key, (value, _raw, status) in self.cells.items()]


def generate_report(
    seed: int | random.Random,
    *,
    template: str = "2021",
    blank_rate: float = 0.0,
    placeholder_rate: float = 0.0,
    one_row_other: bool = False,
    zero_share: float = 0.5,
) -> SyntheticReport:
    """Generate one consistent report.

    Args:
        seed: a seed or a ``random.Random``.
        template: "2021" or "2019".
        blank_rate: share of cells printed empty (expected status ``blank``).
        placeholder_rate: share of cells printed as '/', '-' or '—'.
        one_row_other: print （六）其他处理 as one row even in a 2021 report.
        zero_share: probability that the organ received no applications at all.
    """
    rng = seed if isinstance(seed, random.Random) else random.Random(seed)
    values = {
        **_active(rng, template),
        **_applications(rng, template, one_row_other, zero_share),
        **_appeals(rng),
    }
    cells = {key: _printed(rng, key, value, blank_rate, placeholder_rate) for key, value in values.items()}
    years = (2019, 2020) if template == "2019" else (2021, 2025)
    return SyntheticReport(rng.choice(_ORGANS), rng.randint(*years), template, rng.randint(0, 20000), cells)


def _count(rng: random.Random, scale: float) -> int:
    return 0 if rng.random() < 0.4 else int(rng.expovariate(1 / scale))


def _active(rng: random.Random, template: str) -> dict[CellKey, float]:
    values: dict[CellKey, float] = {}
    for row in ACTIVE.rows_for(template):
        for col in ACTIVE.cols_of(row.key, template):
            if col in ("amount_10k_yuan", "amount"):
                value: float = round(rng.uniform(0, 5000), 2) if rng.random() < 0.6 else 0.0
            elif row.key == "rules":
                value = 0  # the generated organs are counties, which cannot make 规章
            elif col == "change":
                value = rng.randint(-20, 20)
            else:
                value = _count(rng, 300)
            values[("active", row.key, col)] = float(value)
    return values


def _applications(
    rng: random.Random, template: str, one_row_other: bool, zero_share: float
) -> dict[CellKey, float]:
    other_as_one = template == "2019" or one_row_other
    outcomes = [r for r in _OUTCOMES_2021 if r not in OTHER_SUB_ROWS] + (
        ["other_total"] if other_as_one else list(OTHER_SUB_ROWS)
    )
    outcomes.sort(key=_row_position)
    quiet = rng.random() < zero_share
    grid: dict[str, dict[str, int]] = {
        r: {} for r in ["new_received", "carried_over", *outcomes, "total_processed", "carried_forward"]
    }
    for col in _APPLICANTS:
        for row in outcomes:
            grid[row][col] = 0 if quiet else _count(rng, 4 if row != "granted" else 20)
        grid["total_processed"][col] = sum(grid[row][col] for row in outcomes)
        grid["carried_forward"][col] = 0 if quiet else _count(rng, 2)
        inflow = grid["total_processed"][col] + grid["carried_forward"][col]
        grid["carried_over"][col] = rng.randint(0, min(inflow, 3))
        grid["new_received"][col] = inflow - grid["carried_over"][col]
    values: dict[CellKey, float] = {}
    for row, by_col in grid.items():
        for col in _APPLICANTS:
            values[("applications", row, col)] = float(by_col[col])
        values[("applications", row, "total")] = float(sum(by_col.values()))
    return values


def _row_position(key: str) -> int:
    return [r.key for r in APPLICATIONS.rows].index(key)


def _appeals(rng: random.Random) -> dict[CellKey, float]:
    values: dict[CellKey, float] = {}
    for row in APPEALS.rows:
        parts = [_count(rng, 1) for _ in range(4)]
        for col, part in zip(("upheld", "corrected", "other", "pending"), parts, strict=True):
            values[("appeals", row.key, col)] = float(part)
        values[("appeals", row.key, "total")] = float(sum(parts))
    return values


def _printed(
    rng: random.Random, key: CellKey, value: float, blank_rate: float, placeholder_rate: float
) -> tuple[float | None, str, str]:
    draw = rng.random()
    if draw < blank_rate:
        return None, "", "blank"
    if draw < blank_rate + placeholder_rate:
        mark = rng.choice(tuple(PLACEHOLDERS))
        return None, mark, PLACEHOLDERS[mark]
    raw = f"{value:.2f}" if key[2] in ("amount_10k_yuan", "amount") else str(int(value))
    return float(raw), raw, "ok"
