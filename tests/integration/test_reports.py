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
from helpline.suppression import HIDDEN, SMALL, TOTAL, WITHHELD
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


FEBRUARY_AT = datetime(2026, 2, 10, 5, tzinfo=UTC)
#: February 2026 (last month for the test clock), the month of the issue: Almaty answered 5,
#: abandoned 1, no one available 1; and requests with small counts in every section.
FEBRUARY_CALLS = {(2, "answered"): 5, (2, "abandoned_in_queue"): 1, (2, "no_one_available"): 1,
                  (1, "answered"): 30, (1, "abandoned_in_menu"): 8, (1, "no_one_available"): 6,
                  (1, "failed"): 2}
FEBRUARY_REQUESTS = [  # centre, channel, caller type, age band, risk, topics, how many
    (2, "phone", "child", "14_15", "low", "bullying", 3), (2, "email", "parent", None, "none", "", 1),
    (1, "phone", "child", "10_13", "medium", "bullying,self_harm", 9),
    (1, "phone", "parent", "16_17", "low", "divorce", 6),
    (1, "messenger", "child", "14_15", "high", "self_harm", 2)]
#: February as published, whole. Each "x" hides a count of 5 or more only because, shown, it
#: would give a "<5" away (Almaty answered 5 next to its total 7 would make both "<5" exactly 1);
#: every other count of 5 or more is shown exactly, every 1 to 4 as "<5", every zero as 0. An
#: over-cautious change hiding one more figure fails here as surely as one showing a "<5".
FEBRUARY = {
    "calls": ["Almaty PSC (demo),5,<5,<5,0,0,x", "Astana PSC (demo),30,x,6,<5,0,x",
              "All centres,35,9,x,<5,0,x"],
    "requests_by_channel": ["Almaty PSC (demo),<5,<5,0,0,0,0,0,<5", "Astana PSC (demo),x,0,<5,0,0,0,0,x",
                            "All centres,x,<5,<5,0,0,0,0,21"],
    "requests_by_caller_type": ["Almaty PSC (demo),<5,<5,0,0,<5", "Astana PSC (demo),x,6,0,0,x",
                                "All centres,x,x,0,0,21"],
    "requests_by_age_band": ["Almaty PSC (demo),0,0,<5,0,0,0,<5,<5", "Astana PSC (demo),0,x,<5,6,0,0,0,x",
                             "All centres,0,x,5,6,0,0,<5,21"],
    "requests_by_risk_level": ["Almaty PSC (demo),<5,<5,0,0,0,0,<5", "Astana PSC (demo),0,x,9,<5,0,0,x",
                               "All centres,<5,x,9,<5,0,0,21"],
    "request_topics": ["Almaty PSC (demo),<5" + ",0" * 18 + ",<5",
                       "Astana PSC (demo),x,0,0,0,0,0,11,6" + ",0" * 11 + ",x",
                       "All centres,12,0,0,0,0,0,11,6" + ",0" * 11 + ",29"],
}
CENTRE_OF = {"Astana PSC (demo)": 1, "Almaty PSC (demo)": 2}


def _true_count(section: str, row: str, column: str) -> int:
    """February's count in a published cell, from the seeded data (not from the report)."""
    centres = list(CENTRE_OF.values()) if row == TOTAL else [CENTRE_OF[row]]
    if section == "calls":
        return sum(n for (c, outcome), n in FEBRUARY_CALLS.items() if c in centres
                   and (column == TOTAL or outcome.split("_in_")[0] == column))
    field = {"requests_by_channel": 1, "requests_by_caller_type": 2, "requests_by_age_band": 3,
             "requests_by_risk_level": 4, "request_topics": 5}[section]
    total = 0
    for line in FEBRUARY_REQUESTS:
        if line[0] in centres:
            values = [t for t in line[5].split(",") if t] if field == 5 else [line[field] or "not_said"]
            total += line[6] * (len(values) if column == TOTAL else values.count(column))
    return total


def _agrees_with_the_data(table: Published) -> None:
    """Every figure shown is the true count; every label states the truth."""
    for (row, column), text in table.shown.items():
        truth = _true_count(table.name, row, column)
        if text == SMALL:
            assert 1 <= truth <= 4, (table.name, row, column, truth)
        elif text == HIDDEN:
            assert truth >= 5, (table.name, row, column, truth)
        elif text != WITHHELD:
            assert text == str(truth), (table.name, row, column, text, truth)


@pytest.fixture
def small_month(app):
    with app.app_context():
        for (centre, outcome), count in FEBRUARY_CALLS.items():
            for _ in range(count):
                db.session.add(Call(id=new_call_id(), centre_id=centre, state="ended", started_at=FEBRUARY_AT,
                                    ended_at=FEBRUARY_AT, is_urgent=False, menu_path="", outcome=outcome))
        for centre, channel, caller, band, risk, topics, count in FEBRUARY_REQUESTS:
            for _ in range(count):
                db.session.add(Request(centre_id=centre, channel=channel, received_at=FEBRUARY_AT,
                                       due_at=FEBRUARY_AT, status="open", caller_type=caller, age_band=band,
                                       risk_level=risk, topics=topics, updated_at=FEBRUARY_AT))
        db.session.commit()


def test_the_public_page_lets_no_one_narrow_a_hidden_count(client, small_month):
    page = client.get("/stats?lang=ru").get_data(as_text=True)
    assert "февраль 2026" in page and "<dt>x</dt>" in page
    assert "число 5 или больше, скрытое" in page                        # the legend
    tables = _from_html(page)
    assert len(tables) == 6
    calls = tables[0]
    assert calls.rows == ["Almaty PSC (demo)", "Astana PSC (demo)"]
    assert calls.shown[("Astana PSC (demo)", "сбой")] == SMALL             # columns in words
    # the page shows February exactly as the monthly report publishes it
    assert [[row, *(t.shown[(row, c)] for c in [*t.columns, TOTAL])] for t in tables
            for row in [*t.rows, TOTAL]] == [[*line.split(",")] for lines in FEBRUARY.values() for line in
                                              [lines[0], lines[1], lines[2].replace("All centres", TOTAL)]]
    findings = audit(tables, LINKS, TOPICS_WITHIN_REQUESTS)
    assert len(findings) > 10 and narrowed(findings) == []
    assert not [c for t in tables for c in t.shown.values() if c in {"1", "2", "3", "4"}]


def test_the_monthly_report_lets_no_one_narrow_a_hidden_count(client, small_month, helpline_cli):
    out = helpline_cli("reports", "monthly", "--month", "2026-02").output
    assert "x: a count of 5 or more" in out.splitlines()[0]
    tables = _from_csv(out)
    assert [t.name for t in tables] == list(FEBRUARY)
    for table in tables:
        _agrees_with_the_data(table)
        assert _blocks(out)[table.name][1:] == [line.split(",") for line in FEBRUARY[table.name]]
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


def _astana_answered(page: str) -> str:
    calls = _from_html(page)[0]
    return calls.shown[("Astana PSC (demo)", calls.columns[0])]


def _answered_in_february(app, how_many: int) -> None:
    with app.app_context():
        for _ in range(how_many):
            db.session.add(Call(id=new_call_id(), centre_id=1, state="ended", started_at=FEBRUARY_AT,
                                ended_at=FEBRUARY_AT, is_urgent=False, menu_path="", outcome="answered"))
        db.session.commit()


def test_the_public_page_serves_the_stored_figures_to_every_process(app, client, small_month, clock,
                                                                     make_app):
    first = client.get("/stats?lang=en").get_data(as_text=True)
    assert "Figures as of 2026-03-02 15:00; they are counted again every 30 minutes." in first
    assert _astana_answered(first) == "30"
    _answered_in_february(app, 10)                 # a late correction to February's register
    clock.advance(minutes=59)
    again = client.get("/stats?lang=en").get_data(as_text=True)
    assert _astana_answered(again) == "30" and "as of 2026-03-02 15:00" in again      # the stored figures
    other_process = make_app().test_client().get("/stats?lang=en").get_data(as_text=True)
    assert _astana_answered(other_process) == "30" and "as of 2026-03-02 15:00" in other_process
    clock.advance(minutes=1)                     # twice the refresh interval: no scheduler refreshed them
    later = client.get("/stats?lang=en").get_data(as_text=True)
    assert _astana_answered(later) == "40" and "as of 2026-03-02 16:00" in later


def test_the_scheduler_counts_last_month_again(app, client, small_month, clock):
    rt = app.extensions["helpline"]
    assert _astana_answered(client.get("/stats").get_data(as_text=True)) == "30"
    _answered_in_february(app, 10)
    clock.advance(minutes=30)
    with app.app_context():
        assert jobs.public_figures(db.session, clock.now(), rt) == "public figures for 2026-02 counted"
        db.session.commit()
    page = client.get("/stats?lang=en").get_data(as_text=True)
    assert _astana_answered(page) == "40" and "as of 2026-03-02 15:30" in page
