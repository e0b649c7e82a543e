"""Monthly figures against a seeded data set whose expected counts the test computes itself;
the public page and the monthly report, as published, audited: no hidden count can be narrowed."""

from __future__ import annotations

import csv
import html
import io
import random
import re
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from helpline.extensions import db
from helpline.models import Call, Request
from helpline.services.calls import new_call_id
from helpline.suppression import HIDDEN, SMALL, TOTAL
from scheduling import jobs
from tests.disclosure import Published, audit, narrowed

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


def _published(name: str, header: list[str], body: list[list[str]]) -> Published:
    """A table as published: header [title, *columns, total], rows [name, *values], the last
    row the all-centres line."""
    columns, rows = header[1:-1], [line[0] for line in body[:-1]]
    shown = {}
    for line, row in zip(body, [*rows, TOTAL], strict=True):
        for column, text in zip([*columns, TOTAL], line[1:], strict=True):
            shown[(row, column)] = text
    return Published(name, rows, columns, shown)


def _from_html(page: str) -> list[Published]:
    tables = []
    for section in re.findall(r'<section class="card table-wrap">(.*?)</section>', page, re.S):
        title = re.search(r"<h2>(.*?)</h2>", section).group(1)
        header = [html.unescape(h) for h in re.findall(r"<th>(.*?)</th>", section.split("</thead>")[0])]
        body = [[html.unescape(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", line)]
                for line in re.findall(r"<tr[^>]*>(.*?)</tr>", section.split("<tbody>")[1], re.S)]
        tables.append(_published(title, [title, *header[1:]], body))
    return tables


def _from_csv(text: str) -> list[Published]:
    return [_published(name, block[0], block[1:]) for name, block in _blocks(text).items()]


#: calls; requests by channel, by who called, by age, by risk (every request once each: their
#: centre totals and grand total are the same figures); topics, each counting some requests.
LINKS = [[1, 2, 3, 4]]
TOPICS_WITHIN_REQUESTS = [(5, 1)]


def test_monthly_report_figures_match_the_seeded_data(app, seeded, helpline_cli):
    expected_calls, expected_caller = seeded
    out = helpline_cli("reports", "monthly", "--month", "2026-03").output
    blocks = _blocks(out)
    header, almaty, astana, total = blocks["calls"]          # centres in name order
    assert header == ["calls", "answered", "abandoned", "no_one_available", "failed", "blocked", "total"]
    for row, centre in ((astana, 1), (almaty, 2)):           # no count is small: all shown exactly
        assert row[1:6] == [str(expected_calls[(centre, column)]) for column in header[1:6]]
        assert row[6] == str(sum(expected_calls[(centre, k)] for k in header[1:6]))
    assert total[6] == str(sum(expected_calls.values()))
    caller_rows = blocks["requests_by_caller_type"]
    assert caller_rows[2][1:5] == [str(expected_caller[(1, k)])
                                   for k in ("child", "parent", "specialist", "not_said")]
    single = helpline_cli("reports", "monthly", "--month", "2026-03", "--centre", "1").output
    assert "All centres" not in single.splitlines()[2] and "Astana PSC (demo)" in single


@pytest.fixture
def small_month(app):
    """February 2026 (last month for the test clock), the month of the issue: Almaty answered 5,
    abandoned 1, no one available 1; and requests with small counts in every section."""
    at = datetime(2026, 2, 10, 5, tzinfo=UTC)
    calls = {(2, "answered"): 5, (2, "abandoned_in_queue"): 1, (2, "no_one_available"): 1,
             (1, "answered"): 30, (1, "abandoned_in_menu"): 8, (1, "no_one_available"): 6, (1, "failed"): 2}
    requests = [  # centre, channel, caller type, age band, risk, topics, how many
        (2, "phone", "child", "14_15", "low", "bullying", 3), (2, "email", "parent", None, "none", "", 1),
        (1, "phone", "child", "10_13", "medium", "bullying,self_harm", 9),
        (1, "phone", "parent", "16_17", "low", "divorce", 6),
        (1, "messenger", "child", "14_15", "high", "self_harm", 2)]
    with app.app_context():
        for (centre, outcome), count in calls.items():
            for _ in range(count):
                db.session.add(Call(id=new_call_id(), centre_id=centre, state="ended", started_at=at,
                                    ended_at=at, is_urgent=False, menu_path="", outcome=outcome))
        for centre, channel, caller, band, risk, topics, count in requests:
            for _ in range(count):
                db.session.add(Request(centre_id=centre, channel=channel, received_at=at, due_at=at,
                                       status="open", caller_type=caller, age_band=band, risk_level=risk,
                                       topics=topics, updated_at=at))
        db.session.commit()


def test_the_public_page_lets_no_one_narrow_a_hidden_count(client, small_month):
    page = client.get("/stats?lang=ru").get_data(as_text=True)
    assert "февраль 2026" in page and "<dt>x</dt>" in page
    assert "число 5 или больше, скрытое" in page                        # the legend
    tables = _from_html(page)
    assert len(tables) == 6
    calls = tables[0]
    assert calls.rows == ["Almaty PSC (demo)", "Astana PSC (demo)"]
    almaty = [calls.shown[("Almaty PSC (demo)", c)] for c in calls.columns]
    assert almaty[1:3] == [SMALL, SMALL] and almaty[0] in ("5", HIDDEN)
    assert calls.shown[("Astana PSC (demo)", "сбой")] == SMALL             # columns in words
    assert HIDDEN in calls.shown.values()                     # a secondary is shown as x, not <5
    findings = audit(tables, LINKS, TOPICS_WITHIN_REQUESTS)
    assert len(findings) > 10 and narrowed(findings) == []
    assert not [c for t in tables for c in t.shown.values() if c in {"1", "2", "3", "4"}]


def test_the_monthly_report_lets_no_one_narrow_a_hidden_count(client, small_month, helpline_cli):
    out = helpline_cli("reports", "monthly", "--month", "2026-02").output
    assert "x: a count of 5 or more" in out.splitlines()[0]
    tables = _from_csv(out)
    assert [t.name for t in tables][:2] == ["calls", "requests_by_channel"] and len(tables) == 6
    findings = audit(tables, LINKS, TOPICS_WITHIN_REQUESTS)
    assert findings and narrowed(findings) == []
    page = _from_html(client.get("/stats?month=2026-02").get_data(as_text=True))
    # one publication, one set of figures (the page names the columns in words, the file in codes)
    assert [list(t.shown.values()) for t in page] == [list(t.shown.values()) for t in tables]


def test_a_month_is_published_once_it_has_ended(client):
    assert client.get("/stats?month=March").status_code == 400
    running = client.get("/stats?month=2026-03&lang=ru")              # the test clock is 2 March
    assert running.status_code == 400 and "после его окончания" in running.get_data(as_text=True)


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
