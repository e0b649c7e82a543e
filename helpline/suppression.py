"""Small-number suppression for anything that leaves the centre (rule 14, best interests of
the child): counts of 1 to 4 are shown as "<5", and further cells are hidden until no hidden
count can be recomputed from the totals.

A table is cells (row, column) -> count, with row totals, column totals and a grand total. Every
row (its cells and its total), every column, the row totals with the grand total, and the
column totals with the grand total are sums; a sum with exactly one hidden member gives that
member away, so a second member is hidden (the smallest non-zero one, else the total), until
no sum has exactly one hidden member.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

SMALL = "<5"
TOTAL = "__total__"


def is_small(count: int) -> bool:
    return 1 <= count <= 4


@dataclass
class SuppressedTable:
    rows: list[Hashable]
    columns: list[Hashable]
    #: (row, column) -> shown text; (row, TOTAL), (TOTAL, column) and (TOTAL, TOTAL) the totals.
    shown: dict[tuple[Hashable, Hashable], str]

    def row(self, row: Hashable) -> list[str]:
        return [self.shown[(row, c)] for c in self.columns] + [self.shown[(row, TOTAL)]]


def suppress(cells: Mapping[tuple[Hashable, Hashable], int], rows: Sequence[Hashable],
             columns: Sequence[Hashable]) -> SuppressedTable:
    value: dict[tuple[Hashable, Hashable], int] = {}
    for r in rows:
        for c in columns:
            value[(r, c)] = int(cells.get((r, c), 0))
        value[(r, TOTAL)] = sum(value[(r, c)] for c in columns)
    for c in columns:
        value[(TOTAL, c)] = sum(value[(r, c)] for r in rows)
    value[(TOTAL, TOTAL)] = sum(value[(r, TOTAL)] for r in rows)

    hidden = {key for key, count in value.items() if is_small(count)}
    lines: list[list[tuple[Hashable, Hashable]]] = []
    for r in [*rows, TOTAL]:
        lines.append([(r, c) for c in columns] + [(r, TOTAL)])
    for c in [*columns, TOTAL]:
        lines.append([(r, c) for r in rows] + [(TOTAL, c)])
    changed = True
    while changed:
        changed = False
        for line in lines:
            members_hidden = [k for k in line if k in hidden]
            if len(members_hidden) != 1:
                continue
            candidates = sorted((value[k], str(k)) for k in line if k not in hidden and value[k] > 0)
            if candidates:
                pick = next(k for k in line if str(k) == candidates[0][1])
            else:  # every other member is 0: the total itself gives the count away
                pick = line[-1] if line[-1] not in hidden else members_hidden[0]
            if pick not in hidden:
                hidden.add(pick)
                changed = True
    shown = {key: (SMALL if key in hidden else str(count)) for key, count in value.items()}
    return SuppressedTable(list(rows), list(columns), shown)
