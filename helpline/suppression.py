"""Small-number suppression for anything that leaves the centre (rule 14, best interests of
the child): no one may work out a small count from the figures published together.

Labels, each with its own meaning (the legend says the same):

- ``<5``: a count from 1 to 4 (primary suppression);
- ``x``: a count of 5 or more, hidden only so that a ``<5`` cannot be worked out (secondary);
- ``…``: not published, and no range stated: a small count that no labelling could protect
  (three counts of 1 to 4 under a total of 1 to 4 are each 1 or 2), or, as a last resort,
  a whole group of tables.

Zeros are always shown (a zero is not a person). A table is cells (row, column) -> count with
row totals, column totals and a grand total. Tables published together that count the same
things (e.g. requests by channel and requests by age) share their row totals and grand total:
they are suppressed together as one *group*, so a total shown in one table is never the key to
a cell hidden in another.

The guarantee, proved by construction: every hidden figure lies on a *move*, a set of hidden
figures that can all change together by +δ/-δ without changing any published figure (a
rectangle in the table, or across all tables of a group through the shared totals), for three
consecutive values of δ, while each stays within what its label states (1..4 for ``<5``, 5 or
more for ``x``). Whoever combines every published figure therefore still has at least three
possible values for each hidden one. Moves are chosen greedily, hiding as few and as small
figures as possible. A figure with no such move is withheld instead (its range, 0 or more,
then gives the moves room); if even that cannot protect it, the whole group is withheld.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

SMALL = "<5"
HIDDEN = "x"
WITHHELD = "…"
TOTAL = "__total__"
LEGEND = ('<5: a count from 1 to 4. x: a count of 5 or more, hidden so that no "<5" can be '
          "worked out from the totals. …: not published, so that no small count can be worked out.")

# δ ranges giving three values: the hidden figure itself, then the ones each side of it.
_WINDOWS = ((-1, 1), (0, 2), (-2, 0))

Entry = tuple
Term = tuple[Entry, int]


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


def _sign(key: Hashable) -> int:
    return -1 if key == TOTAL else 1


class _Group:
    """Tables sharing their rows, row totals and grand total, and the figures hidden so far."""

    def __init__(self, tables: Sequence[tuple[Mapping, Sequence[Hashable]]], rows: Sequence[Hashable]):
        self.rows = list(rows)
        self.columns = [list(columns) for _cells, columns in tables]
        self.single = len(self.rows) == 1
        self.value: dict[Entry, int] = {}
        for t, (cells, columns) in enumerate(tables):
            for r in self.rows:
                row_sum = 0
                for c in columns:
                    count = int(cells.get((r, c), 0))
                    if count < 0:
                        raise ValueError(f"negative count at {r!r}, {c!r}")
                    self.value[("cell", t, r, c)] = count
                    row_sum += count
                if self.value.setdefault(("row", r), row_sum) != row_sum:
                    raise ValueError(f"linked tables disagree on the total of {r!r}")
            if not self.single:
                for c in columns:
                    self.value[("col", t, c)] = sum(self.value[("cell", t, r, c)] for r in self.rows)
        if not self.single:
            self.value[("grand",)] = sum(self.value[("row", r)] for r in self.rows)
        self.hidden = {e for e, v in self.value.items() if is_small(v)}
        self.withheld = False
        #: figures published as WITHHELD: their stated range is 0 or more
        self.withheld_figures: set[Entry] = set()

    def entry(self, t: int, r: Hashable, c: Hashable) -> Entry:
        if c == TOTAL:
            if self.single:
                return ("row", self.rows[0])
            return ("grand",) if r == TOTAL else ("row", r)
        if r == TOTAL:
            return ("cell", t, self.rows[0], c) if self.single else ("col", t, c)
        return ("cell", t, r, c)

    def position(self, e: Entry) -> tuple[int, Hashable, Hashable]:
        kind = e[0]
        if kind == "cell":
            return e[1], e[2], e[3]
        if kind == "col":
            return e[1], TOTAL, e[2]
        if kind == "row":
            return 0, e[1], TOTAL
        return 0, TOTAL, TOTAL

    def term(self, t: int, r: Hashable, c: Hashable, ext: int) -> Term:
        """A change of ``ext`` in the signed table (totals negated, so every line sums to 0)."""
        return self.entry(t, r, c), ext * _sign(r) * _sign(c)

    # ---- choosing moves

    def fits(self, terms: Sequence[Term], window: tuple[int, int]) -> tuple[int, int, int] | None:
        """The cost of hiding ``terms`` (new figures, new totals, their sum) if every figure stays
        within its label's range for each δ of ``window``; None if one cannot."""
        new = totals = amount = 0
        for e, s in terms:
            v = self.value[e]
            if e not in self.hidden:
                if v == 0:
                    return None
                new, totals, amount = new + 1, totals + (e[0] != "cell"), amount + v
            low, high = self.label_range(e)
            if not all(low <= v + s * d <= high for d in window):
                return None
        return new, totals, amount

    def label_range(self, e: Entry) -> tuple[float, float]:
        if e in self.withheld_figures:
            return 0, math.inf
        return (1, 4) if is_small(self.value[e]) else (5, math.inf)

    def cheapest(self, options, window):
        best = None
        for terms in options:
            cost = self.fits(terms, window)
            if cost is not None and (best is None or cost < best[0]):
                best = (cost, terms)
        return best

    def composite(self, a, b, fixed: dict[int, Hashable], ext: int, window):
        """Moves changing the shared totals of rows ``a`` and ``b``: one column in every table."""
        shared = [self.term(0, a, TOTAL, -ext)] + ([self.term(0, b, TOTAL, ext)] if b is not None else [])
        terms, cost = list(shared), self.fits(shared, window)
        if cost is None:
            return None
        for t, columns in enumerate(self.columns):
            options = []
            for c in ([fixed[t]] if t in fixed else columns):
                pair = [self.term(t, b, c, -ext)] if b is not None else []
                options.append([self.term(t, a, c, ext), *pair])
            best = self.cheapest(options, window)
            if best is None:
                return None
            terms += best[1]
            cost = tuple(x + y for x, y in zip(cost, best[0], strict=True))
        return cost, terms

    def moves(self, e: Entry, window):
        t, a, c = self.position(e)
        partners = [None] if self.single else [r for r in [*self.rows, TOTAL] if r != a]
        for b in partners:
            if c == TOTAL:
                found = self.composite(a, b, {}, -1, window)
                if found:
                    yield found
                continue
            for d in [*self.columns[t], TOTAL]:
                if d == c:
                    continue
                if d == TOTAL:
                    found = self.composite(a, b, {t: c}, 1, window)
                    if found:
                        yield found
                    continue
                terms = [self.term(t, a, c, 1), self.term(t, a, d, -1)]
                if b is not None:
                    terms += [self.term(t, b, c, -1), self.term(t, b, d, 1)]
                cost = self.fits(terms, window)
                if cost is not None:
                    yield cost, terms

    def best_move(self, e: Entry, windows):
        best = None
        for window in windows:
            for cost, terms in self.moves(e, window):
                if best is None or cost < best[0]:
                    best = (cost, terms)
        return best

    def best_hexagon(self, e: Entry):
        """Moves around six figures of one table (three rows, three columns), tried when no
        rectangle will do: they reach cells whose neighbours are zeros or at a label's edge."""
        t, a, c = self.position(e)
        shared_total = len(self.columns) > 1          # then the total column belongs to every table
        if self.single or (c == TOTAL and shared_total):
            return None
        rows = [*self.rows, TOTAL]
        columns = self.columns[t] + ([] if shared_total else [TOTAL])
        best = None
        for window in _WINDOWS:
            start = [self.term(t, a, c, 1)]
            if self.fits(start, window) is None:
                continue
            for d in columns:
                one = [self.term(t, a, d, -1)]
                if d == c or self.fits(one, window) is None:
                    continue
                for b in rows:
                    two = [self.term(t, b, d, 1)]
                    if b == a or self.fits(two, window) is None:
                        continue
                    for f in columns:
                        three = [self.term(t, b, f, -1)]
                        if f in (c, d) or self.fits(three, window) is None:
                            continue
                        for g in rows:
                            if g in (a, b):
                                continue
                            terms = [*start, *one, *two, *three, self.term(t, g, f, 1),
                                     self.term(t, g, c, -1)]
                            cost = self.fits(terms, window)
                            if cost is not None and (best is None or cost < best[0]):
                                best = (cost, terms)
        return best

    def two_moves(self, e: Entry):
        """Two moves giving ``e`` two values each, sharing nothing else: together three values
        for ``e`` (the other figures they hide are protected on their own turn)."""
        options = []
        for window in ((0, 1), (-1, 0)):
            for cost, terms in self.moves(e, window):
                sign = dict(terms)[e]
                options.append((cost, terms, {sign * window[0], sign * window[1]}))
        options.sort(key=lambda option: option[0])
        v, (low, high) = self.value[e], self.label_range(e)
        best = None
        for i, (cost1, terms1, steps1) in enumerate(options):
            others = {entry for entry, _s in terms1} - {e}
            for cost2, terms2, steps2 in options[i + 1:]:
                cost = tuple(x + y for x, y in zip(cost1, cost2, strict=True))
                if best is not None and cost >= best[0]:
                    break
                if others.isdisjoint(entry for entry, _s in terms2) and all(
                        low <= v + a + b <= high for a in steps1 for b in steps2):
                    best = (cost, terms1 + terms2)
        return best

    def protect(self) -> None:
        order = {"cell": 0, "col": 1, "row": 2, "grand": 3}
        pending = sorted(self.hidden, key=lambda e: (order[e[0]], repr(e)))
        protected: set[Entry] = set()
        while pending:
            e = pending.pop(0)
            if e in protected:
                continue
            best = self.best_move(e, _WINDOWS) or self.best_hexagon(e)
            if best is not None:
                self.hidden.update(entry for entry, _s in best[1])
                protected.update(entry for entry, _s in best[1])
                continue
            best = self.two_moves(e)
            if best is None and e not in self.withheld_figures:
                self.withheld_figures.add(e)        # wider range: moves may now reach it
                pending.append(e)
                continue
            if best is None:
                self.withheld = True
                return
            for entry, _s in best[1]:
                if entry not in self.hidden:
                    self.hidden.add(entry)
                    pending.append(entry)
            protected.add(e)

    def label(self, e: Entry) -> str:
        if self.withheld or e in self.withheld_figures:
            return WITHHELD
        if e in self.hidden:
            return SMALL if is_small(self.value[e]) else HIDDEN
        return str(self.value[e])

    def tables(self) -> list[SuppressedTable]:
        out = []
        for t, columns in enumerate(self.columns):
            shown = {(r, c): self.label(self.entry(t, r, c))
                     for r in [*self.rows, TOTAL] for c in [*columns, TOTAL]}
            out.append(SuppressedTable(list(self.rows), list(columns), shown))
        return out


def suppress_linked(tables: Sequence[tuple[Mapping[tuple[Hashable, Hashable], int], Sequence[Hashable]]],
                    rows: Sequence[Hashable]) -> list[SuppressedTable]:
    """Tables published together that count the same things by different columns (the same
    row totals and grand total): ``[(cells, columns), ...]`` -> one suppressed table each."""
    group = _Group(tables, rows)
    group.protect()
    return group.tables()


def suppress(cells: Mapping[tuple[Hashable, Hashable], int], rows: Sequence[Hashable],
             columns: Sequence[Hashable]) -> SuppressedTable:
    return suppress_linked([(cells, columns)], rows)[0]
