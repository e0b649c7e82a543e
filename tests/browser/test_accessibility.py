"""axe-core finds nothing on any page, for each role and each language: headings, landmarks,
names of controls and regions, table headers, contrast. One browser; one profile per role,
reused for its three languages. A failure lists each rule, page and element."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect

from helpline.extensions import db
from helpline.models import Centre, User
from helpline.services.requests import RequestInput, register
from scheduling.service import add_shift
from tests.browser.axe import sideways, violations
from tests.browser.conftest import ARTIFACTS, call_almaty_as_a_child
from tests.browser.test_console import sign_in

LANGUAGES = ("kk", "ru", "en")
#: Pages per role (None: not signed in); {request} and {user} are filled in with demo rows.
PAGES = {
    None: ("/", "/login", "/stats", "/simulator", "/no-such-page"),
    "saule": ("/console", "/my-shifts", "/requests", "/requests/{request}", "/account/password",
              "/console/my-calls"),
    "supervisor.almaty": ("/supervisor", "/supervisor/wallboard", "/reports", "/rota",
                          "/rota?view=month", "/requests", "/requests/{request}", "/console/my-calls"),
    "admin": ("/admin/users", "/admin/users/{user}", "/admin/topics", "/admin/audit",
              "/admin/provider-purge", "/requests"),
}


def _with_lang(path: str, lang: str) -> str:
    return f"{path}{'&' if '?' in path else '?'}lang={lang}"


def _demo_rows(app) -> dict[str, int]:
    """A request registered at the Almaty centre and a shift on its rota (the demo data has
    neither), and a user to edit."""
    with app.app_context():
        rt = app.extensions["helpline"]
        now = rt.clock.now()
        centre = db.session.query(Centre).filter_by(name="Almaty PSC (demo)").one()
        saule = db.session.query(User).filter_by(username="saule").one()
        start = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        add_shift(db.session, centre, saule, "line", start, start + timedelta(hours=8), None, now,
                  rt.settings)
        request = register(db.session, centre, RequestInput(
            "email", now - timedelta(hours=3), "parent", "10_13", "medium", ("bullying",)),
            saule, now, ())
        db.session.commit()
        ids = {"request": request.id, "user": saule.id}
        db.session.remove()
    return ids


def _profile(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    context.set_default_timeout(20_000)
    return context


def test_every_page_in_every_language_for_every_role(live_app, browser):
    base = live_app.base_url
    rows = _demo_rows(live_app)
    found: list[str] = []
    for username, paths in PAGES.items():
        context = _profile(browser)
        page = context.new_page()
        if username:
            sign_in(page, base, username)
            expect(page.locator("header .who")).to_have_text(username)
        for lang in LANGUAGES:
            for path in paths:
                url = _with_lang(path.format(**rows), lang)
                page.goto(base + url)
                found += violations(page, f"{url} ({username or 'anonymous'})")
        context.close()
    assert not found, "\n".join(found)


def test_signing_in_with_a_code_and_a_call_on_the_simulator(live_app, browser):
    base = live_app.base_url
    context = _profile(browser)
    page = context.new_page()
    found: list[str] = []
    for lang in LANGUAGES:
        page.goto(f"{base}/login?lang={lang}")
        page.locator("#username").fill("supervisor.almaty")
        page.locator("#password").fill("senim-demo-2026")
        page.locator("form button[type=submit]").click()
        expect(page).to_have_url(re.compile(r"/login/code"))
        found += violations(page, f"/login/code?lang={lang}")
        page.goto(f"{base}/login?lang={lang}")
    call_almaty_as_a_child(page, base)
    found += violations(page, "/simulator during a call")
    context.close()
    assert not found, "\n".join(found)


def test_the_console_while_a_call_rings_and_during_the_call(live_app, browser):
    """Three tabs of one psychologist, one per language, all ringing, then all on the call."""
    base = live_app.base_url
    agent_context, phone_context = _profile(browser), _profile(browser)
    tabs = {}
    sign_in(agent_context.new_page(), base, "saule")
    for lang in LANGUAGES:
        tabs[lang] = agent_context.new_page()
        tabs[lang].goto(f"{base}/console?lang={lang}")
    tabs["en"].get_by_role("button", name="Available").click()
    expect(tabs["en"].locator("#my-state")).to_have_text("Available")
    call_almaty_as_a_child(phone_context.new_page(), base)
    found: list[str] = []
    for lang, tab in tabs.items():
        expect(tab.locator("#offer")).to_be_visible()
        found += violations(tab, f"/console?lang={lang} (a call ringing)")
    tabs["en"].get_by_role("button", name="Accept").click()
    for lang, tab in tabs.items():
        expect(tab.locator("#btn-hangup")).to_be_visible()
        found += violations(tab, f"/console?lang={lang} (on a call)")
    tabs["kk"].set_viewport_size({"width": 390, "height": 844})      # on a phone, in Kazakh
    found += [f"/console?lang=kk (on a call, 390 px): {what}" for what in sideways(tabs["kk"])]
    tabs["kk"].screenshot(path=str(ARTIFACTS / "phone-console-on-call-kk.png"), full_page=True)
    agent_context.close()
    phone_context.close()
    assert not found, "\n".join(found)
