""""Immediate danger" is never lost quietly: while the alert cannot reach the server the console
says so, keeps trying and names the supervisor to reach meanwhile; once through, it says so."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import func, select

from helpline.extensions import db
from helpline.models import Escalation
from tests.browser.conftest import ARTIFACTS, SERVED
from tests.browser.test_console import answer_a_child, sign_in


def test_an_alert_that_fails_is_retried_and_names_the_supervisor(live_app, page, browser_context_factory):
    base = live_app.base_url
    answer_a_child(page, base, browser_context_factory)

    failures = {"left": 2}

    def flaky(route):                    # the network drops the first two alerts
        if failures["left"]:
            failures["left"] -= 1
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route(re.compile(r".*/escalate$"), flaky)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Immediate danger").click()

    status = page.locator("#danger-status")
    expect(status).to_contain_text("NOT SENT")
    expect(status).to_contain_text("supervisor.almaty")      # whom to reach meanwhile
    page.screenshot(path=str(ARTIFACTS / "console-danger-not-sent-en.png"), full_page=True)
    expect(status).to_contain_text("Supervisors alerted (after 3 tries)", timeout=30000)
    app = SERVED[base]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Escalation)) == 1


def test_a_checklist_tick_that_did_not_reach_the_server_is_not_shown_as_done(
        live_app, page, browser_context_factory):
    base = live_app.base_url
    supervisor = browser_context_factory().new_page()
    sign_in(supervisor, base, "supervisor.almaty")
    answer_a_child(page, base, browser_context_factory)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Immediate danger").click()
    expect(supervisor.locator(".escalation")).to_be_visible()

    supervisor.route(re.compile(r".*/notified$"), lambda route: route.abort("connectionreset"))
    supervisor.get_by_label("Police").check()
    expect(supervisor.locator("#action-error")).to_contain_text("This was not done")
    expect(supervisor.get_by_label("Police")).not_to_be_checked()     # the board is the server's
    supervisor.screenshot(path=str(ARTIFACTS / "supervisor-tick-not-done-en.png"), full_page=True)

    supervisor.unroute(re.compile(r".*/notified$"))
    supervisor.get_by_label("Police").check()
    expect(supervisor.locator(".checklist")).to_contain_text("notified")
    expect(supervisor.locator("#action-error")).to_be_empty()
