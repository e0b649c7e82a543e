"""Suppression: small counts hidden, and nothing hidden can be recomputed from the totals."""

from __future__ import annotations

import itertools
import random

from helpline.suppression import SMALL, TOTAL, suppress


def lines(table):
    rows, cols = [*table.rows, TOTAL], [*table.columns, TOTAL]
    for r in rows:
        yield [(r, c) for c in cols]
    for c in cols:
        yield [(r, c) for r in rows]


def assert_safe(table, cells):
    for key, text in table.shown.items():
        if key[0] != TOTAL and key[1] != TOTAL and 1 <= cells.get(key, 0) <= 4:
            assert text == SMALL, key
    for line in lines(table):
        hidden = [k for k in line if table.shown[k] == SMALL]
        assert len(hidden) != 1, (line, table.shown)


def test_small_counts_are_hidden_and_a_second_cell_protects_them():
    cells = {("A", "child"): 3, ("A", "parent"): 20, ("A", "specialist"): 9}
    table = suppress(cells, ["A"], ["child", "parent", "specialist"])
    assert table.row("A") == [SMALL, "20", SMALL, "32"]     # 9 hidden too: else 32 - 20 - 9 = 3
    assert_safe(table, cells)


def test_a_small_total_is_hidden():
    table = suppress({("A", "child"): 3}, ["A"], ["child", "parent"])
    assert table.row("A") == [SMALL, "0", SMALL]


def test_centre_totals_cannot_be_recovered_from_the_all_centres_total():
    cells = {("A", "x"): 2, ("B", "x"): 40, ("C", "x"): 60}
    table = suppress(cells, ["A", "B", "C"], ["x"])
    assert table.shown[("A", "x")] == SMALL and table.shown[("B", "x")] == SMALL
    assert_safe(table, cells)


def test_random_tables_never_leave_a_single_hidden_member():
    rng = random.Random(7)
    for _ in range(300):
        rows, cols = list(range(rng.randint(1, 5))), list("abcdef"[: rng.randint(1, 6)])
        cells = {(r, c): rng.choice([0, 0, 1, 2, 3, 4, 5, 7, 12, 40]) for r, c in
                 itertools.product(rows, cols)}
        assert_safe(suppress(cells, rows, cols), cells)
