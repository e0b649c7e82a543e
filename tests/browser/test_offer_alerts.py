"""A call cannot ring unnoticed at 3 a.m.: the console's title, focus, spoken words and a desktop
notification on every offer; a missed ring said in words with "Available again"; the hint when
she is Available but not on duty; and the whole answer by keyboard alone (headless Chromium)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

import tests.browser.conftest as browser_conftest
from helpline.extensions import db
from helpline.models import Centre, User
from helpline.services.accounts import NewUser, create_user
from helpline.services.demo import DEMO_PASSWORD
from scheduling import service
from tests.browser.conftest import call_almaty_as_a_child
from tests.browser.test_console import sign_in

CONSOLE_TITLE = "Console · Senim"
#: Records every desktop notification the page constructs, and every permission request.
WATCH_NOTIFICATIONS = """
(() => {
  const Real = window.Notification;
  window.__notifications = []; window.__permissionRequests = 0;
  if (!Real) return;
  function Watched(title, options) {
    window.__notifications.push({title, body: (options || {}).body || ""});
    return new Real(title, options);
  }
  Object.defineProperty(Watched, "permission", {get: () => Real.permission});
  Watched.requestPermission = (...args) => {
    window.__permissionRequests += 1;
    return Real.requestPermission(...args);
  };
  window.Notification = Watched;
})();
"""
MISSED = ("You missed a call: it rang for {} s and went back to the queue for the next person. "
          "You are now on Break.")
NOT_ON_DUTY = ("You are not on duty now: calls go to the psychologists on duty. Ask the supervisor "
               "on call to put you on duty.")


@pytest.fixture
def live_app_short_ring(tmp_path, monkeypatch, backend):
    """``live_app`` where an unanswered call rings for 3 s (20 s in service)."""
    real_create_app = browser_conftest.create_app
    monkeypatch.setattr(browser_conftest, "create_app", lambda overrides, **kwargs: real_create_app(
        {**overrides, "ring_timeout_seconds": 3}, **kwargs))
    yield from browser_conftest._serve(tmp_path, backend)


def watched_console(browser_context_factory, base, grant=True):
    context = browser_context_factory()
    if grant:
        context.grant_permissions(["notifications"], origin=base)
    context.add_init_script(WATCH_NOTIFICATIONS)
    return context.new_page()


def notifications(page):
    return page.evaluate("() => window.__notifications")


def test_a_ringing_call_takes_the_title_the_focus_the_words_and_a_desktop_alert(
        live_app, browser_context_factory, tmp_path):
    base = live_app.base_url
    page = watched_console(browser_context_factory, base)
    sign_in(page, base, "saule")
    expect(page.locator("#desktop-alerts-status")).to_have_text("Desktop alerts are on.")
    expect(page.get_by_role("button", name="Allow desktop alerts")).to_be_hidden()
    page.get_by_role("button", name="Available").click()
    expect(page.locator("#my-state")).to_have_text("Available")
    expect(page).to_have_title(CONSOLE_TITLE)

    phone = browser_context_factory().new_page()
    call_almaty_as_a_child(phone, base)
    expect(page.locator("#offer")).to_be_visible()
    expect(page).to_have_title(f"(!) Call ringing — {CONSOLE_TITLE}")
    expect(page.locator("#btn-accept")).to_be_focused()
    announce = page.locator("#offer-announce")
    expect(announce).to_have_attribute("aria-live", "assertive")
    expect(announce).to_have_text(re.compile(r"^Incoming call: English, Child or teenager, waiting \d+ s\.$"))
    (alert,) = notifications(page)
    assert alert["title"] == "Call ringing — Senim"
    assert re.fullmatch(r"Incoming call: English, Child or teenager, waiting \d+ s\. Open the console "
                        r"to answer\.", alert["body"])
    assert not re.search(r"\d{7}", alert["body"])                  # nothing about who calls
    page.screenshot(path=str(tmp_path / "ringing.png"), full_page=True)

    page.keyboard.press("Enter")                                    # on Accept, where focus went
    expect(page.locator("#my-state")).to_have_text("On a call")
    expect(page).to_have_title(CONSOLE_TITLE)                       # restored
    expect(announce).to_have_text("")
    page.get_by_role("button", name="Hang up").click()
    expect(page.locator("#my-state")).to_have_text("Wrap-up")


def test_desktop_alerts_are_asked_for_only_from_the_button(live_app, browser_context_factory):
    base = live_app.base_url
    page = watched_console(browser_context_factory, base, grant=False)
    sign_in(page, base, "saule")
    allow = page.get_by_role("button", name="Allow desktop alerts")
    expect(allow).to_be_visible()
    expect(page.locator("#my-state")).to_have_text("Break")
    assert page.evaluate("() => window.__permissionRequests") == 0  # never on page load
    allow.click()
    page.wait_for_function("() => window.__permissionRequests === 1")


def test_a_missed_ring_is_said_in_words_until_she_is_available_again(
        live_app_short_ring, browser_context_factory, tmp_path):
    base = live_app_short_ring.base_url
    page = watched_console(browser_context_factory, base)
    sign_in(page, base, "saule")
    page.get_by_role("button", name="Available").click()
    expect(page.locator("#my-state")).to_have_text("Available")
    phone = browser_context_factory().new_page()
    call_almaty_as_a_child(phone, base)
    expect(page.locator("#offer")).to_be_visible()

    missed = page.locator("#missed-text")                           # 3 s later, unanswered
    expect(missed).to_have_text(re.compile("^" + re.escape(MISSED).replace(r"\{\}", r"\d+") + "$"))
    seconds = int(re.search(r"rang for (\d+) s", missed.inner_text()).group(1))
    assert seconds >= 3                                             # the whole ring, then on
    expect(page.locator("#offer")).to_be_hidden()
    expect(page.locator("#my-state")).to_have_text("Break")
    expect(page).to_have_title(f"(!) Missed call — {CONSOLE_TITLE}")
    again = page.get_by_role("button", name="Available again")
    expect(again).to_be_focused()
    assert [n["title"] for n in notifications(page)] == ["Call ringing — Senim", "Missed call — Senim"]
    page.screenshot(path=str(tmp_path / "missed.png"), full_page=True)

    again.click()
    expect(page.locator("#my-state")).to_have_text("Available")    # the server's word
    expect(page.locator("#missed")).to_be_hidden()
    expect(page).not_to_have_title(re.compile("Missed call"))
    expect(page.locator("#offer")).to_be_visible()                  # the caller still waits: rings again
    page.get_by_role("button", name="Accept").click()
    expect(page.locator("#my-state")).to_have_text("On a call")
    expect(phone.get_by_role("status")).to_have_text("Talking to a psychologist")


def test_available_but_not_on_duty_is_told_until_the_rota_puts_her_on(
        live_app_monday, page, tmp_path):
    app = live_app_monday
    base = app.base_url
    now = app.extensions["helpline"].clock.now()                    # Monday 15:00 in Almaty

    def line_shift(username, start, hours):
        with app.app_context():
            almaty = db.session.query(Centre).filter_by(name="Almaty PSC (demo)").one()
            user = db.session.query(User).filter_by(username=username).one_or_none() or create_user(
                db.session, NewUser(username, DEMO_PASSWORD, "psychologist", almaty.id, ("kk", "ru", "en"),
                                    "en"), now)
            service.add_shift(db.session, almaty, user, "line", start, start + timedelta(hours=hours), None,
                              now, app.extensions["helpline"].settings)
            db.session.commit()
            db.session.remove()

    line_shift("timur", now - timedelta(hours=2), 12)               # on duty now; saule is not
    sign_in(page, base, "saule")
    hint = page.locator("#duty-hint")
    expect(page.locator("#my-state")).to_have_text("Break")
    expect(hint).to_be_hidden()
    page.get_by_role("button", name="Available").click()
    expect(page.locator("#my-state")).to_have_text("Available")
    expect(hint).to_have_text(NOT_ON_DUTY)
    page.screenshot(path=str(tmp_path / "not-on-duty.png"), full_page=True)

    line_shift("saule", now - timedelta(minutes=10), 8)             # the supervisor puts her on duty
    expect(hint).to_be_hidden()                                     # the next heartbeat says so
    page.get_by_role("button", name="Break").click()
    expect(page.locator("#my-state")).to_have_text("Break")
    expect(hint).to_be_hidden()


def test_a_call_is_answered_and_ended_with_tab_and_enter_alone(live_app, page, browser_context_factory,
                                                              tmp_path):
    base = live_app.base_url
    sign_in(page, base, "saule")
    available = page.locator("#btn-available")
    expect(available).to_be_enabled()                               # connected: the server spoke

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.screenshot(path=str(tmp_path / "skip-link.png"))
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(available).to_be_focused()                               # 2 Tabs from the top
    page.keyboard.press("Enter")
    expect(page.locator("#my-state")).to_have_text("Available")

    phone = browser_context_factory().new_page()
    call_almaty_as_a_child(phone, base)
    expect(page.locator("#btn-accept")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#my-state")).to_have_text("On a call")
    expect(phone.get_by_role("status")).to_have_text("Talking to a psychologist")
    expect(page.locator("#call-title")).to_be_focused()             # the call, not the top of the page

    page.keyboard.press("Tab")
    expect(page.locator("#btn-mute")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator("#btn-hangup")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#my-state")).to_have_text("Wrap-up")
    expect(phone.get_by_role("status")).to_have_text("Call ended")
    page.screenshot(path=str(tmp_path / "keyboard-wrap-up.png"), full_page=True)


def test_a_call_answered_in_one_tab_stops_ringing_in_her_other_tabs(live_app, browser_context_factory):
    base = live_app.base_url
    context = browser_context_factory()
    first = context.new_page()
    sign_in(first, base, "saule")
    second = context.new_page()                      # the same person's console in a second tab
    second.goto(f"{base}/console")
    first.get_by_role("button", name="Available").click()
    expect(second.locator("#my-state")).to_have_text("Available")

    call_almaty_as_a_child(browser_context_factory().new_page(), base)
    expect(first.locator("#offer")).to_be_visible()
    expect(second.locator("#offer")).to_be_visible()
    first.get_by_role("button", name="Accept").click()
    expect(first.locator("#my-state")).to_have_text("On a call")
    expect(second.locator("#offer")).to_be_hidden()   # no Accept left ringing beside the live call
    expect(second).to_have_title(CONSOLE_TITLE)
