"""The two-factor sign-in page in Chromium: a wrong code is said in words, the right one opens
the supervisor's screen."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from helpline.services.demo import DEMO_PASSWORD
from tests.browser.conftest import ARTIFACTS
from tests.conftest import totp_code


def test_a_supervisor_signs_in_with_a_code(live_app, page):
    base = live_app.base_url
    page.goto(f"{base}/login?lang=en")
    page.get_by_label("Username").fill("supervisor.almaty")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/login/code$"))
    expect(page.get_by_role("heading", name="Sign-in code")).to_be_visible()
    page.goto(f"{base}/supervisor")                         # nothing else is reachable yet
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.goto(f"{base}/login/code")
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("alert")).to_have_text("Wrong code.")
    page.screenshot(path=str(ARTIFACTS / "sign-in-code-en.png"), full_page=True)
    page.get_by_label("Code").fill(totp_code(live_app, "supervisor.almaty"))
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/supervisor$"))


def test_a_new_administrator_sets_up_two_factor_sign_in(live_app, page):
    import pyotp

    from helpline.extensions import db
    from helpline.services.accounts import NewUser, create_user

    base = live_app.base_url
    with live_app.app_context():
        create_user(db.session, NewUser("erlan", DEMO_PASSWORD, "administrator", None),
                    live_app.extensions["helpline"].clock.now())
        db.session.commit()
        db.session.remove()
    page.goto(f"{base}/login?lang=en")
    page.get_by_label("Username").fill("erlan")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/login/enrol$"))
    expect(page.locator(".qr svg")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "sign-in-enrol-en.png"), full_page=True)
    secret = page.locator("#totp-secret").inner_text()
    page.get_by_label("Code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Switch on two-factor sign-in").click()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    page.get_by_role("button", name="I have saved them: continue").click()
    expect(page).to_have_url(re.compile(r"/admin/users$"))
