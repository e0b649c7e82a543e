"""The supervisor sees why a waiting call is not ringing for an Available psychologist, hands it
to her by name, and reads an escalation card that says which call it is about and when it is
due, closing it only with the unticked bodies explained (headless Chromium)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from helpline.extensions import db
from helpline.models import Centre, User
from scheduling import service
from tests.browser.conftest import ARTIFACTS, call_almaty_as_a_child
from tests.browser.test_console import answer_a_child, sign_in


@pytest.fixture
def live_overrides():
    return {"no_agent_wait_seconds": 600}     # the caller waits while the supervisor acts


def saule_available_off_the_rota_and_a_call_waiting(live_app, page, browser_context_factory):
    """Almaty keeps a rota with saule not on it now; she is Available and an English-speaking
    child's call waits. Returns the simulated phone's page."""
    rt = live_app.extensions["helpline"]
    with live_app.app_context():
        now = rt.clock.now()
        on_duty = db.session.scalar(select(User).where(User.username == "supervisor.almaty"))
        service.add_shift(db.session, db.session.get(Centre, on_duty.centre_id), on_duty, "line",
                          now - timedelta(hours=1), now + timedelta(hours=3), None, now, rt.settings)
        db.session.commit()
    base = live_app.base_url
    sign_in(page, base, "saule")
    page.get_by_role("button", name="Available").click()
    expect(page.locator("#my-state")).to_have_text("Available")
    phone = browser_context_factory().new_page()
    call_almaty_as_a_child(phone, base)
    return phone


def test_the_supervisor_sees_why_and_hands_the_call_to_her(live_app, page, browser_context_factory):
    phone = saule_available_off_the_rota_and_a_call_waiting(live_app, page, browser_context_factory)
    base = live_app.base_url
    boss = browser_context_factory().new_page()
    sign_in(boss, base, "supervisor.almaty")
    boss.goto(f"{base}/supervisor")
    waiting = boss.locator("#waiting li.waiting-call")
    expect(waiting).to_have_count(1)
    expect(waiting.locator('li[data-reason="not_on_duty"]')).to_have_text(
        "saule: not on duty now by the rota Put on duty now")
    expect(boss.locator("#agents tr", has_text="saule").locator("td").nth(4)).to_contain_text("not on duty")
    boss.screenshot(path=str(ARTIFACTS / "supervisor-why-not-offered-en.png"), full_page=True)
    expect(page.locator("#offer")).to_be_hidden()

    waiting.get_by_label("Offer this call to").select_option(label="saule")
    waiting.get_by_role("button", name="Ring her now").click()
    expect(boss.locator("#hand-done")).to_have_text("Ringing for saule now.")
    expect(page.locator("#offer")).to_be_visible()
    expect(boss.locator('#waiting li[data-reason=""]')).to_contain_text("saule: it is ringing for her")
    boss.screenshot(path=str(ARTIFACTS / "supervisor-handed-en.png"), full_page=True)
    page.get_by_role("button", name="Accept").click()
    expect(page.locator("#my-state")).to_have_text("On a call")
    expect(boss.locator("#waiting li")).to_have_count(0)
    phone.close()


def test_the_escalation_card_names_the_call_and_asks_why_before_closing(
        live_app, page, browser_context_factory):
    base = live_app.base_url
    boss = browser_context_factory().new_page()
    sign_in(boss, base, "supervisor.almaty")
    answer_a_child(page, base, browser_context_factory)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Immediate danger").click()
    card = boss.locator(".escalation")
    expect(card.locator(".escalation-call")).to_contain_text("English · Child or teenager · raised by saule")
    expect(card.locator(".escalation-call")).to_contain_text("Call at ")
    expect(card.locator(".escalation-due")).to_have_text("due by 23:59 today")
    expect(card).not_to_contain_text("00:00")

    boss.get_by_label("Police").check()
    expect(card.get_by_label("Police")).to_be_disabled()
    card.get_by_role("button", name="Close escalation").click()
    reasons = card.get_by_label("Why was this not notified?")
    expect(reasons).to_have_count(4)
    reasons.nth(0).fill("Ambulance not needed: no injury")
    reasons.nth(1).fill("Called at 16:05, line busy; calling again")
    card.get_by_role("button", name="Close with these reasons").click()
    expect(boss.locator("#action-error")).to_have_text(
        "Not closed: tick each body notified, or write why it was not notified: "
        "Guardianship body, Parents.")
    expect(reasons.nth(1)).to_have_value("Called at 16:05, line busy; calling again")
    reasons.nth(2).fill("Guardianship not needed: the mother protects the child")
    reasons.nth(3).fill("The mother is the caller's contact")
    boss.screenshot(path=str(ARTIFACTS / "supervisor-escalation-card-en.png"), full_page=True)
    card.get_by_role("button", name="Close with these reasons").click()
    expect(boss.locator("#escalations")).to_have_text("None")
    expect(boss.locator("#action-error")).to_have_text("")


def test_the_supervisor_puts_her_on_duty_now_and_the_call_rings_her(
        live_app, page, browser_context_factory):
    phone = saule_available_off_the_rota_and_a_call_waiting(live_app, page, browser_context_factory)
    boss = browser_context_factory().new_page()
    sign_in(boss, live_app.base_url, "supervisor.almaty")
    boss.goto(f"{live_app.base_url}/supervisor")
    boss.locator("#agents tr", has_text="saule").get_by_role("button", name="Put on duty now").click()
    panel = boss.locator("#duty-panel")
    expect(panel.locator("#duty-title")).to_have_text("Put saule on duty now")
    until = panel.get_by_label("On duty until").input_value()
    assert until                          # the end of the current shift period, as proposed
    panel.get_by_role("button", name="Put on duty", exact=True).click()
    expect(boss.locator("#duty-done")).to_have_text(f"saule is on duty until {until}.")
    expect(panel).to_be_hidden()
    expect(page.locator("#offer")).to_be_visible()          # routing offered her the call at once
    expect(boss.locator("#agents tr", has_text="saule").locator("td").nth(4)).to_have_text("on duty")
    boss.screenshot(path=str(ARTIFACTS / "supervisor-duty-now-en.png"), full_page=True)
    phone.close()
