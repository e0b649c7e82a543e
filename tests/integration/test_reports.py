"""Monthly figures against a seeded data set whose expected counts the test computes itself;
suppression in everything that leaves the centre; the public page never shows 1 to 4."""

from __future__ import annotations

import csv
import io
import random
import re
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from helpline.extensions import db
from helpline.models import Call, Request
from helpline.services.calls import new_call_id
from scheduling import jobs

OUTCOMES = ["answered", "abandoned_in_menu", "abandoned_in_queue", "no_one_available", "failed",
            "blocked"]


@pytest.fixture
def seeded(app):
    """March 2026: random calls and requests at both demo centres, plus noise outside March."""
    rng = random.Random(2026)
    expected_calls: Counter = Counter()
    expected_caller: Counter = Counter()
    with app.app_context():
        start = datetime(2026, 2, 28, 19, tzinfo=UTC)       # 1 March 00:00 in Almaty
        for _ in range(400):
            at = start + timedelta(minutes=rng.randrange(0, 31 * 24 * 60 + 600) - 300)
            centre = rng.choice([1, 2])
            outcome = rng.choice(OUTCOMES)
            db.session.add(Call(id=new_call_id(), centre_id=centre, state="ended", started_at=at,
                                ended_at=at, is_urgent=False, menu_path="", outcome=outcome))
            caller = rng.choice(["child", "parent", "specialist", None])
            db.session.add(Request(centre_id=centre, channel=rng.choice(["phone", "email"]),
                                   received_at=at, due_at=at + timedelta(days=2), status="open",
                                   caller_type=caller, topics="bullying", updated_at=at))
            in_march = datetime(2026, 2, 28, 19, tzinfo=UTC) <= at < datetime(2026, 3, 31, 19, tzinfo=UTC)
            if in_march:
                kind = "abandoned" if outcome.startswith("abandoned") else outcome
                expected_calls[(centre, kind)] += 1
                expected_caller[(centre, caller or "not_said")] += 1
        db.session.commit()
    return expected_calls, expected_caller


def _blocks(text: str) -> dict[str, list[list[str]]]:
    blocks, current = {}, None
    for row in csv.reader(io.StringIO(text)):
        if not row:
            current = None
        elif current is None and row[0] != "Monthly report to the child-rights authority":
            current = row[0]
            blocks[current] = [row]
        elif current is not None:
            blocks[current].append(row)
    return blocks


def test_monthly_report_figures_match_the_seeded_data(app, seeded, helpline_cli):
    expected_calls, expected_caller = seeded
    out = helpline_cli("reports", "monthly", "--month", "2026-03").output
    blocks = _blocks(out)
    header, almaty, astana, total = blocks["calls"]          # centres in name order
    assert header == ["calls", "answered", "abandoned", "no_one_available", "failed", "blocked", "total"]
    for row, centre in ((astana, 1), (almaty, 2)):
        for column, value in zip(header[1:6], row[1:6], strict=True):
            count = expected_calls[(centre, column)]
            assert value == ("<5" if 1 <= count <= 4 else str(count)) or value == "<5"
        assert row[6] == str(sum(expected_calls[(centre, k)] for k in header[1:6]))
    assert total[6] == str(sum(expected_calls.values()))
    caller_rows = blocks["requests_by_caller_type"]
    assert caller_rows[2][1] == str(expected_caller[(1, "child")])
    single = helpline_cli("reports", "monthly", "--month", "2026-03", "--centre", "1").output
    assert "All centres" not in single.splitlines()[2] and "Astana PSC (demo)" in single


def test_small_counts_are_suppressed_in_the_report_and_on_the_public_page(app, client, clock):
    with app.app_context():
        at = datetime(2026, 3, 10, 5, tzinfo=UTC)
        for centre, outcome, count in ((1, "failed", 3), (1, "answered", 20), (2, "failed", 6),
                                       (2, "answered", 30)):
            for _ in range(count):
                db.session.add(Call(id=new_call_id(), centre_id=centre, state="ended", started_at=at,
                                    ended_at=at, is_urgent=False, menu_path="", outcome=outcome))
        db.session.commit()
    page = client.get("/stats?month=2026-03")
    assert page.status_code == 200
    cells = re.findall(r"<td>([^<]*)</td>", page.get_data(as_text=True))
    assert "<5" in [c.replace("&lt;", "<") for c in cells]
    assert not [c for c in cells if c.strip() in {"1", "2", "3", "4"}]
    assert "59" in cells and "23" in cells               # totals that give nothing away stay
    assert client.get("/stats?month=March").status_code == 400


def test_the_monthly_job_writes_last_months_report(app, settings_overrides, clock):
    rt = app.extensions["helpline"]
    with app.app_context():
        assert jobs.monthly_reports(db.session, clock.now(), rt) == "not the first day of the month"
        first = datetime(2026, 3, 31, 20, tzinfo=UTC)     # 1 April, 01:00 in Almaty
        assert "2026-03" in jobs.monthly_reports(db.session, first, rt)
        db.session.commit()
    path = f"{settings_overrides['helpline_instance_path']}/reports/monthly-2026-03.csv"
    with open(path, encoding="utf-8") as handle:
        assert handle.readline().startswith("Monthly report to the child-rights authority,2026-03")
