"""What the scripts draw is in the person's language: the report's chart bars are named in words
(never ``no_one_available``), read from the page, in real Chromium."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect

from helpline.extensions import db
from helpline.models import Call
from helpline.services.calls import new_call_id
from tests.browser.test_console import sign_in


def test_the_report_charts_name_their_bars_in_kazakh(live_app, page):
    now = live_app.extensions["helpline"].clock.now()
    with live_app.app_context():
        for n, outcome in enumerate(("answered", "no_one_available", "abandoned_in_queue")):
            at = now - timedelta(minutes=10 + n)
            db.session.add(Call(id=new_call_id(), centre_id=2, state="ended", started_at=at, ended_at=at,
                                is_urgent=False, menu_path="", outcome=outcome, language="kk",
                                caller_type="child"))
        db.session.commit()
    sign_in(page, live_app.base_url, "supervisor.almaty")
    page.goto(f"{live_app.base_url}/reports?lang=kk")
    expect(page.get_by_role("heading", name="Нәтижесі бойынша қоңыраулар")).to_be_visible()
    bars = page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('canvas[data-section]')]
        .map((c) => [c.dataset.section, Chart.getChart(c).data.labels]))""")
    assert sorted(bars["calls_by_outcome"]) == sorted(["жауап берілген", "бос маман болмады", "тасталған"])
    assert bars["calls_by_language"] == ["Қазақша"]
    assert bars["calls_by_caller_type"] == ["Бала немесе жасөспірім"]
