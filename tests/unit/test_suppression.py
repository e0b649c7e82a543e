"""Suppression: what is published never lets anyone narrow a hidden figure to fewer than three
values, checked by the disclosure auditor (exact integer bounds) on thousands of random tables."""

from __future__ import annotations

import itertools
import random

import pytest

from helpline.suppression import HIDDEN, SMALL, TOTAL, WITHHELD, suppress, suppress_linked
from tests.disclosure import Published, audit, audit_many, narrowed

COUNTS = [0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 9, 12, 40]


def truth(cells, rows, columns):
    value = {(r, c): cells.get((r, c), 0) for r in rows for c in columns}
    for r in rows:
        value[(r, TOTAL)] = sum(value[(r, c)] for c in columns)
    for c in [*columns, TOTAL]:
        value[(TOTAL, c)] = sum(value[(r, c)] for r in rows)
    return value


def assert_labels_true(table, cells):
    """Every label states the truth: numbers exact, <5 is 1 to 4, x is 5 or more."""
    for key, count in truth(cells, table.rows, table.columns).items():
        text = table.shown[key]
        if text == SMALL:
            assert 1 <= count <= 4, (key, count)
        elif text == HIDDEN:
            assert count >= 5, (key, count)
        elif text != WITHHELD:
            assert text == str(count) and not 1 <= count <= 4, (key, text, count)


def random_table(rng, most_rows=4, most_columns=6):
    rows = [f"r{i}" for i in range(rng.randint(1, most_rows))]
    columns = [f"c{i}" for i in range(rng.randint(1, most_columns))]
    return {(r, c): rng.choice(COUNTS) for r, c in itertools.product(rows, columns)}, rows, columns


def test_the_auditor_finds_the_published_page_that_gave_two_ones_away():
    # Almaty, 2026-11: answered 5, abandoned <5, no one available <5, total 7 -> both are 1
    shown = {("Almaty", "answered"): "5", ("Almaty", "abandoned"): SMALL,
             ("Almaty", "no_one"): SMALL, ("Almaty", TOTAL): "7",
             (TOTAL, "answered"): "5", (TOTAL, "abandoned"): SMALL, (TOTAL, "no_one"): SMALL,
             (TOTAL, TOTAL): "7"}
    found = narrowed(audit([Published("calls", ["Almaty"], ["answered", "abandoned", "no_one"], shown)]))
    assert {(f.label, f.low, f.high) for f in found} == {(SMALL, 1, 1)}


def test_the_same_month_is_now_published_with_three_values_for_every_hidden_figure():
    cells = {("Almaty", "answered"): 5, ("Almaty", "abandoned"): 1, ("Almaty", "no_one"): 1,
             ("Astana", "answered"): 30, ("Astana", "abandoned"): 8, ("Astana", "no_one"): 6}
    rows, columns = ["Almaty", "Astana"], ["answered", "abandoned", "no_one", "failed"]
    table = suppress(cells, rows, columns)
    assert table.row("Almaty")[1:3] == [SMALL, SMALL]
    assert HIDDEN in table.shown.values() and table.shown[("Almaty", "failed")] == "0"
    assert_labels_true(table, cells)
    findings = audit([Published("calls", rows, columns, table.shown)])
    assert findings and not narrowed(findings)


def test_a_figure_hidden_only_to_protect_another_is_labelled_x_never_small():
    cells = {("A", "child"): 3, ("A", "parent"): 20, ("A", "specialist"): 9}
    table = suppress(cells, ["A"], ["child", "parent", "specialist"])
    assert table.row("A") == [SMALL, "20", HIDDEN, "32"]     # 9 hidden too: else 32 - 20 - 9 = 3
    assert not narrowed(audit([Published("t", ["A"], table.columns, table.shown)]))


def test_three_small_counts_under_a_small_total_need_one_of_them_withheld():
    cells = {("all", "bullying"): 2, ("all", "self_harm"): 1, ("all", "divorce"): 1}
    columns = ["bullying", "self_harm", "divorce"]
    as_small = {("all", c): SMALL for c in [*columns, TOTAL]}
    assert narrowed(audit([Published("topics", ["all"], columns, as_small)]))    # each is 1 or 2
    table = suppress(cells, ["all"], columns)
    assert table.row("all").count(WITHHELD) == 1 and table.row("all").count(SMALL) == 3
    assert not narrowed(audit([Published("topics", ["all"], columns, table.shown)]))


def test_thousands_of_random_tables_leave_every_hidden_figure_three_values():
    rng = random.Random(2026)
    cases, withheld = [], 0
    for _ in range(2000):
        cells, rows, columns = random_table(rng)
        table = suppress(cells, rows, columns)
        assert_labels_true(table, cells)
        withheld += WITHHELD in table.shown.values()
        cases.append(([Published("t", rows, columns, table.shown)], []))
    results = audit_many(cases)
    assert sum(map(len, results)) > 5000                    # the auditor had plenty to look at
    assert [(case, bad) for case, result in zip(cases, results, strict=True)
            if (bad := narrowed(result))] == []
    assert withheld < 100                                    # withholding stays the exception


def test_linked_tables_sharing_their_totals_leave_every_hidden_figure_three_values():
    rng = random.Random(264)
    cases = []
    for _ in range(200):
        rows = [f"r{i}" for i in range(rng.randint(1, 4))]
        totals = {r: rng.choice([0, 2, 5, 9, 14, 30]) for r in rows}
        tables = []
        for t in range(rng.randint(2, 4)):
            columns = [f"t{t}c{i}" for i in range(rng.randint(1, 5))]
            cells = {}
            for r in rows:                                   # split each row total at random
                for _ in range(totals[r]):
                    key = (r, rng.choice(columns))
                    cells[key] = cells.get(key, 0) + 1
            tables.append((cells, columns))
        published = suppress_linked(tables, rows)
        for (cells, _columns), table in zip(tables, published, strict=True):
            assert_labels_true(table, cells)
        cases.append(([Published(f"t{i}", rows, table.columns, table.shown)
                       for i, table in enumerate(published)], [list(range(len(published)))]))
    results = audit_many(cases)
    assert [bad for result in results if (bad := narrowed(result))] == []


def test_linked_tables_must_count_the_same_things():
    with pytest.raises(ValueError, match="disagree"):
        suppress_linked([({("A", "x"): 3}, ["x"]), ({("A", "y"): 4}, ["y"])], ["A"])


def test_the_auditor_knows_a_topic_counts_some_of_the_requests():
    requests = Published("requests", ["all"], ["phone", "email"],
                         {("all", "phone"): HIDDEN, ("all", "email"): SMALL, ("all", TOTAL): HIDDEN})
    topics = Published("topics", ["all"], ["bullying"], {("all", "bullying"): "9", ("all", TOTAL): "9"})
    total = [f for f in audit([requests, topics], (), [(1, 0)]) if f.where == "('grand', 0)"]
    assert [(f.low, f.high) for f in total] == [(9, float("inf"))]        # at least the 9 with a topic
