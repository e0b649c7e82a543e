"""The disclosure auditor: what someone holding every figure published together can work out.

It knows exactly what the labels state: a number is that number, "<5" is 1 to 4, "x" is 5 or
more, "…" is any count. Linked tables (the same things counted by different columns) share
their row totals and grand total. For every hidden figure it computes, with an exact integer
program (scipy's HiGHS), the smallest and largest value consistent with all of that, and then
how many values in between are possible.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from helpline.suppression import HIDDEN, SMALL, TOTAL, WITHHELD

BIG = 10**6             # stands for "no upper limit" (the solver wants finite bounds)
RANGES = {SMALL: (1, 4), HIDDEN: (5, BIG), WITHHELD: (0, BIG)}


@dataclass
class Published:
    """One published table: rows (without the all-rows line), columns, shown text by (row, column)
    with TOTAL for the totals. A table with one row publishes no column totals."""
    name: str
    rows: list[Hashable]
    columns: list[Hashable]
    shown: dict[tuple[Hashable, Hashable], str]


@dataclass
class Finding:
    where: str
    label: str
    low: int
    high: float
    possible: float          # how many integer values the figure can still take


def _key(tables: Sequence[Published], group_of: dict[int, int], t: int, r, c):
    table = tables[t]
    single = len(table.rows) == 1
    if c == TOTAL:
        return ("grand", group_of[t]) if r == TOTAL or single else ("row", group_of[t], r)
    if r == TOTAL:
        return ("cell", t, table.rows[0], c) if single else ("col", t, c)
    return ("cell", t, r, c)


@dataclass
class _Problem:
    keys: list[tuple]
    labels: list[str]
    rows: list[np.ndarray]
    rhs: list[int]
    #: per row: the lower side (rhs for an equation, -inf for "at most")
    lhs: list[float]


def _problem(tables: Sequence[Published], links: Sequence[Sequence[int]],
             at_most: Sequence[tuple[int, int]] = ()) -> _Problem:
    group_of = {t: t for t in range(len(tables))}
    for group in links:
        for t in group:
            group_of[t] = group[0]
    labels: dict[tuple, str] = {}
    lines: list[tuple[list[tuple], tuple, bool]] = []      # members, total, members may fall short
    for t, table in enumerate(tables):
        single = len(table.rows) == 1
        for r in table.rows if single else [*table.rows, TOTAL]:
            for c in [*table.columns, TOTAL]:
                key, text = _key(tables, group_of, t, r, c), table.shown[(r, c)]
                assert labels.setdefault(key, text) == text, f"{table.name}: {key} shown two ways"
            lines.append(([_key(tables, group_of, t, r, c) for c in table.columns],
                          _key(tables, group_of, t, r, TOTAL), False))
        if not single:
            for c in [*table.columns, TOTAL]:
                lines.append(([_key(tables, group_of, t, r, c) for r in table.rows],
                              _key(tables, group_of, t, TOTAL, c), False))
    for a, b in at_most:      # each figure of table a counts some of the things counted by b
        assert tables[a].rows == tables[b].rows
        for r in tables[a].rows if len(tables[a].rows) == 1 else [*tables[a].rows, TOTAL]:
            for c in tables[a].columns:
                lines.append(([_key(tables, group_of, a, r, c)], _key(tables, group_of, b, r, TOTAL), True))
    keys = sorted((k for k, v in labels.items() if not v.isdigit()), key=repr)
    index = {k: i for i, k in enumerate(keys)}
    rows, rhs, lhs = [], [], []
    for members, total, short in lines:
        coefficients, constant = np.zeros(len(keys)), 0
        for key, sign in [*((m, 1) for m in members), (total, -1)]:
            if key in index:
                coefficients[index[key]] += sign
            else:
                constant += sign * int(labels[key])
        if coefficients.any():
            rows.append(coefficients)
            rhs.append(-constant)
            lhs.append(-math.inf if short else -constant)
        else:
            assert constant <= 0 if short else constant == 0, f"figures do not add up: {members} -> {total}"
    return _Problem(keys, [labels[k] for k in keys], rows, rhs, lhs)


class _Batch:
    """Independent problems side by side in one integer program: minimising one unknown of
    each at once gives each its own minimum (the solver is called a few times, not thousands)."""

    def __init__(self, problems: list[_Problem]):
        self.problems = problems
        self.offset, n = [], 0
        for p in problems:
            self.offset.append(n)
            n += len(p.keys)
        self.size = n
        blocks = [sparse.csr_matrix(np.array(p.rows).reshape(len(p.rows), len(p.keys)))
                  for p in problems]
        self.matrix = sparse.block_diag(blocks, format="csr") if blocks else None
        self.rhs = np.array([v for p in problems for v in p.rhs], dtype=float)
        self.lhs = np.array([v for p in problems for v in p.lhs], dtype=float)
        self.low = np.array([RANGES[x][0] for p in problems for x in p.labels], dtype=float)
        self.high = np.array([RANGES[x][1] for p in problems for x in p.labels], dtype=float)

    def solve(self, objective, low=None, high=None):
        """An optimal integer point: the linear relaxation first (exact whenever its answer is
        integral, as it is for a single table's sums), the integer program otherwise."""
        constraints = [LinearConstraint(self.matrix, self.lhs, self.rhs)] if len(self.rhs) else []
        bounds = Bounds(self.low if low is None else low, self.high if high is None else high)
        for integrality in (np.zeros(self.size), np.ones(self.size)):
            result = milp(objective, constraints=constraints, integrality=integrality, bounds=bounds)
            if result.status != 0:
                return None
            if np.abs(result.x - np.round(result.x)).max() < 1e-6:
                return np.round(result.x)
        raise AssertionError("the integer program returned a fractional point")

    def feasible(self, fixes: dict[int, int]) -> bool:
        low, high = self.low.copy(), self.high.copy()
        for i, v in fixes.items():
            low[i] = high[i] = v
        return self.solve(np.zeros(self.size), low, high) is not None

    def findings(self) -> list[list[Finding]]:
        out: list[list[Finding]] = [[] for _ in self.problems]
        for j in range(max((len(p.keys) for p in self.problems), default=0)):
            # the j-th unknown of every problem that has one, solved side by side
            members = [k for k, p in enumerate(self.problems) if j < len(p.keys)]
            batch = _Batch([self.problems[k] for k in members])
            for k, finding in zip(members, batch.round(j), strict=True):
                out[k].append(finding)
        return out

    def round(self, j: int) -> list[Finding]:
        chosen = list(enumerate(self.offset[k] + j for k in range(len(self.problems))))
        objective = np.zeros(self.size)
        for _k, i in chosen:
            objective[i] = 1
        smallest, largest = self.solve(objective), self.solve(-objective)
        assert smallest is not None, "the published figures admit no table at all"
        spans = {}
        for k, i in chosen:
            low, high = round(smallest[i]), round(largest[i])
            spans[k] = (i, low, math.inf if high >= BIG - 10**4 else high)
        # both ends are possible; a third value needs one middle value to be possible too
        missing = {k for k, (i, low, high) in spans.items() if 2 <= high - low < BIG}
        step = 1
        while missing:
            tries = {k: (spans[k][0], spans[k][1] + step) for k in missing
                     if spans[k][1] + step < spans[k][2]}
            if not tries:
                break
            missing = self.infeasible(tries) | (missing - set(tries))
            step += 1
        findings = []
        for k, (_i, low, high) in spans.items():
            possible = math.inf if high == math.inf else min(3, high - low + 1) - (k in missing)
            p = self.problems[k]
            findings.append(Finding(repr(p.keys[j]), p.labels[j], low, high, possible))
        return findings

    def infeasible(self, fixes: dict[int, tuple[int, int]]) -> set[int]:
        """Problems whose fixed value is impossible, found by halving the set of fixes."""
        if not fixes or self.feasible(dict(fixes.values())):
            return set()
        if len(fixes) == 1:
            return set(fixes)
        items = sorted(fixes.items())
        half = len(items) // 2
        return self.infeasible(dict(items[:half])) | self.infeasible(dict(items[half:]))


def audit_many(cases: Sequence[tuple]) -> list[list[Finding]]:
    """:func:`audit` for many independent publications at once: ``[(tables, links), ...]``."""
    return _Batch([_problem(*case) for case in cases]).findings()


def audit(tables: Sequence[Published], links: Sequence[Sequence[int]] = (),
          at_most: Sequence[tuple[int, int]] = ()) -> list[Finding]:
    """Every hidden figure of ``tables`` with the values it can take (counted up to 3). ``links``
    lists groups of table indices sharing row totals and grand total; ``at_most`` pairs (a, b)
    where every figure of table a is at most the matching total of b (requests with a topic are
    some of the requests)."""
    return audit_many([(tables, links, at_most)])[0]


def narrowed(findings: list[Finding], at_least: int = 3) -> list[Finding]:
    return [f for f in findings if f.possible < at_least]
