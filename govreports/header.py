"""表三's printed header → the order of its applicant columns.

The template prints 自然人, the five kinds of 法人或其他组织, then 总计. A report that prints
them in another order says so in its header, and its values follow the header. Headers span
several rows (总计 and 自然人 stand in merged cells above the kinds), so only labels printed in
one row tell their columns' order: 自然人 before 法人或其他组织 in a row puts the natural-person
column before the five kinds. Those pairs decide the order; the template's order fills in what
no row says. Where two rows contradict each other, no order is certain.

>>> header_order([("申请人情况", "总计"), ("自然人", "法人或其他组织"),
...               ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")]) is None
True
>>> header_order([("申请人情况", "总计"), ("法人或其他组织", "自然人"),
...               ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")])
('commercial', 'research', 'social_welfare', 'legal_services', 'other_org', 'natural_person', 'total')
>>> header_order([("自然人", "总计"), ("总计", "自然人")])
'uncertain'
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from itertools import combinations
from typing import Literal

from govreports.schema import APPLICATIONS

UNCERTAIN: Literal["uncertain"] = "uncertain"
_TEMPLATE = tuple(col.key for col in APPLICATIONS.cols)
_KINDS = ("commercial", "research", "social_welfare", "legal_services", "other_org")
# The group heading spans the five kinds (its 其他 is not the column 其他): it is matched first.
_GROUP = "法人或其他组织"
_KEY_OF = {col.label: col.key for col in APPLICATIONS.cols}
_LABEL = re.compile("|".join(map(re.escape, (_GROUP, *_KEY_OF))))
_SPACES = re.compile(r"\s+")


def header_order(rows: Sequence[Sequence[str]]) -> tuple[str, ...] | Literal["uncertain"] | None:
    """Return 表三's column keys in the order its header rows print them.

    ``rows`` are the cells of the rows above 表三's first data row. Returns None when the
    header agrees with the template's order (or says nothing about it), and :data:`UNCERTAIN`
    when its rows contradict one another.
    """
    kept: tuple[tuple[str, ...], ...] = tuple(map(tuple, rows))
    return (_order_kept if sum(len(cell) for row in kept for cell in row) <= _KEPT_CHARS else _order)(kept)


def _order(rows: tuple[tuple[str, ...], ...]) -> tuple[str, ...] | Literal["uncertain"] | None:
    before: set[tuple[str, str]] = set()
    for cells in rows:
        before.update(combinations(_keys(cells), 2))
    if any((b, a) in before for a, b in before):
        return UNCERTAIN
    order = _sorted(before)
    return None if order == _TEMPLATE else order


# Reports of one layout print the same header rows: each header is read once. Long ones (a
# hostile file's) are read each time, so that none is kept in memory.
_KEPT_CHARS = 2048
_order_kept = lru_cache(maxsize=1024)(_order)


def _keys(cells: Sequence[str]) -> list[str]:
    """Return the column keys a header row names, in order, each once.

    The group heading stands for its five kinds, unless the row prints the kinds themselves
    (a header whose rows a crawler merged into one).
    """
    labels = _LABEL.findall(_SPACES.sub("", "".join(cells)))
    kinds_printed = any(_KEY_OF.get(label) in _KINDS for label in labels)
    keys: list[str] = []
    for label in labels:
        if label != _GROUP:
            keys.append(_KEY_OF[label])
        elif not kinds_printed:
            keys.extend(_KINDS)
    return list(dict.fromkeys(keys))


def _sorted(before: set[tuple[str, str]]) -> tuple[str, ...]:
    """Order the columns by the pairs the header states, and by the template where it is silent."""
    order: list[str] = []
    left = list(_TEMPLATE)
    while left:
        free = next((k for k in left if not any((p, k) in before for p in left if p != k)), left[0])
        order.append(free)
        left.remove(free)
    return tuple(order)
