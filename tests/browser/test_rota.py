"""A supervisor builds the week from a template, sees a gap, fixes it; a call rings only the
psychologist on duty."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from helpline.extensions import db
from helpline.services.accounts import NewUser, create_user
from tests.browser.conftest import ARTIFACTS, call_almaty_as_a_child
from tests.browser.test_console import sign_in


def test_template_gap_fix_and_a_call_rings_only_who_is_on_duty(live_app_monday, page,
                                                               browser_context_factory):
    app = live_app_monday
    base = app.base_url
    with app.app_context():
        now = app.extensions["helpline"].clock.now()
        for name in ("timur", "dias"):
            create_user(db.session, NewUser(name, "senim-demo-2026", "psychologist", 2,
                                            ("kk", "ru", "en"), "en"), now)
        db.session.commit()
        db.session.remove()

    sign_in(page, base, "supervisor.almaty")
    page.goto(f"{base}/rota?start=2026-03-02")
    expect(page.locator("h1")).to_contain_text("Almaty PSC (demo)")
    page.get_by_label("Template").select_option("2x12")
    template = page.locator("form[action$='/rota/template']")
    template.get_by_label("saule").check()
    template.get_by_label("timur").check()
    template.get_by_label("First day").fill("2026-03-02")
    template.get_by_label("Last day").fill("2026-03-02")
    page.get_by_role("button", name="Apply template").click()
    expect(page.get_by_role("status").first).to_contain_text("2 shifts added from the template")
    monday = page.locator("tr.coverage td").first
    expect(monday).to_have_class(re.compile("gap"))
    expect(monday).to_contain_text("gap 00:00–08:00")          # nobody before the first shift
    page.screenshot(path=str(ARTIFACTS / "rota-gap.png"), full_page=True)

    add = page.locator("form[action$='/rota/shifts']")
    add.get_by_label("Person").select_option(label="dias")
    add.get_by_label("Day").fill("2026-03-02")
    add.get_by_label("From").fill("00:00")
    add.get_by_label("To").fill("08:00")
    page.get_by_role("button", name="Save shift").click()
    expect(page.get_by_role("status").first).to_contain_text("Shift saved.")
    expect(page.locator("tr.coverage td").first).not_to_contain_text("gap 00:00–08:00")
    page.screenshot(path=str(ARTIFACTS / "rota-fixed.png"), full_page=True)

    consoles = {}
    for name in ("saule", "timur"):
        console = browser_context_factory().new_page()
        sign_in(console, base, name)
        console.get_by_role("button", name="Available").click()
        expect(console.locator("#my-state")).to_have_text("Available")
        consoles[name] = console

    phone = browser_context_factory().new_page()
    call_almaty_as_a_child(phone, base)
    expect(consoles["saule"].locator("#offer")).to_be_visible()     # 08:00-20:00: on duty now
    expect(consoles["timur"].locator("#offer")).to_be_hidden()      # 20:00-08:00: not yet
    consoles["saule"].get_by_role("button", name="Accept").click()
    expect(phone.get_by_role("status")).to_have_text("Talking to a psychologist")
    expect(consoles["timur"].locator("#offer")).to_be_hidden()
