"""Warm transfer through the simulator, in real Chromium: the caller holds (hearing music) while
the psychologist consults a colleague of another centre, then is handed over, taken back, or
comes back on their own when the colleague's line drops."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import select

from helpline.extensions import db
from helpline.models import Call, User
from tests.browser.conftest import ARTIFACTS, SERVED
from tests.browser.test_console import answer_a_child, sign_in


def _consult(live_app, page, browser_context_factory):
    """saule answers a child and consults aigerim (Astana) with the caller on hold."""
    base = live_app.base_url
    colleague = browser_context_factory().new_page()
    sign_in(colleague, base, "aigerim")
    colleague.locator("#btn-available").click()
    phone = answer_a_child(page, base, browser_context_factory)
    expect(page.locator("#call-status")).to_have_text("Connected")
    page.get_by_role("button", name="Find colleagues to consult").click()
    page.get_by_label("Colleague to consult").select_option(label="aigerim")
    page.get_by_role("button", name="Hold the caller and consult").click()
    expect(page.locator("#warm-status")).to_contain_text("The caller is on hold, hearing music. "
                                                         "You are talking to aigerim.")
    expect(colleague.locator("#consultation")).to_contain_text("Consultation from saule")
    expect(phone.locator("#on-line")).to_contain_text("(on hold, music)")
    expect(phone.locator("#caller-hears")).to_contain_text("on hold, music")
    expect(phone.locator("#transcript")).to_contain_text("On hold, music")
    return phone, colleague


def test_a_warm_transfer_hands_the_caller_to_the_colleague(live_app, page, browser_context_factory):
    phone, colleague = _consult(live_app, page, browser_context_factory)
    page.screenshot(path=str(ARTIFACTS / "console-warm-consulting-en.png"), full_page=True)
    phone.screenshot(path=str(ARTIFACTS / "simulator-warm-on-hold.png"), full_page=True)
    colleague.screenshot(path=str(ARTIFACTS / "console-warm-consultation-en.png"), full_page=True)

    page.get_by_role("button", name="Hand the caller over").click()
    expect(page.locator("#warm-done")).to_contain_text("The caller is now with aigerim.")
    expect(page.locator("#my-state")).to_have_text("Wrap-up")
    expect(colleague.locator("#consultation")).to_contain_text("saule handed the caller over to you")
    expect(colleague.locator("#my-state")).to_have_text("On a call")
    expect(colleague.locator("#record")).to_be_visible()
    expect(phone.locator("#on-line")).not_to_contain_text("on hold")
    expect(phone.locator("#on-line")).not_to_contain_text("the psychologist")
    expect(phone.locator("#transcript")).to_contain_text("Off hold: handed over to another psychologist")
    phone.screenshot(path=str(ARTIFACTS / "simulator-warm-handed-over.png"), full_page=True)
    colleague.screenshot(path=str(ARTIFACTS / "console-warm-handed-over-en.png"), full_page=True)
    page.screenshot(path=str(ARTIFACTS / "console-warm-handed-on-en.png"), full_page=True)

    app = SERVED[live_app.base_url]
    with app.app_context():
        (call,) = db.session.scalars(select(Call)).all()
        assert (call.transfer_count, db.session.get(User, call.agent_id).username) == (1, "aigerim")
        db.session.remove()


def test_a_warm_transfer_taken_back_keeps_the_caller(live_app, page, browser_context_factory):
    phone, colleague = _consult(live_app, page, browser_context_factory)
    page.get_by_role("button", name="Take the caller back").click()
    expect(page.locator("#warm-status")).to_have_text("The caller is back with you, off hold.")
    expect(page.get_by_role("button", name="Hand the caller over")).to_be_hidden()
    expect(colleague.locator("#consultation")).to_be_hidden()
    expect(colleague.locator("#my-state")).to_have_text("Available")
    expect(phone.locator("#on-line")).not_to_contain_text("on hold")
    expect(phone.locator("#caller-hears")).to_contain_text("the psychologist")
    expect(page.locator("#my-state")).to_have_text("On a call")
    page.screenshot(path=str(ARTIFACTS / "console-warm-taken-back-en.png"), full_page=True)
    phone.screenshot(path=str(ARTIFACTS / "simulator-warm-taken-back.png"), full_page=True)


def test_a_colleague_who_drops_gives_the_caller_back(live_app, page, browser_context_factory):
    phone, colleague = _consult(live_app, page, browser_context_factory)
    phone.get_by_role("button", name="Drop the colleague's line").click()
    expect(page.locator("#warm-status")).to_contain_text("aigerim's line dropped: the caller is back with "
                                                         "you, off hold.")
    expect(page.get_by_role("button", name="Take the caller back")).to_be_hidden()
    expect(phone.locator("#on-line")).not_to_contain_text("on hold")
    expect(phone.locator("#caller-hears")).to_contain_text("the psychologist")
    expect(colleague.locator("#my-state")).to_have_text("Available")
    page.screenshot(path=str(ARTIFACTS / "console-warm-colleague-dropped-en.png"), full_page=True)
    phone.screenshot(path=str(ARTIFACTS / "simulator-warm-colleague-dropped.png"), full_page=True)
