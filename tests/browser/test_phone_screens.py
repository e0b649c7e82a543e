"""On a 390 × 844 phone (the supervisor on call at home, a psychologist on a small screen) every
working page fits the screen's width: nothing scrolls sideways, the rota's month reads as a list
of days, and "Sign out" is on the screen."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.axe import sideways
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_accessibility import _demo_rows
from tests.browser.test_console import sign_in

PHONE = {"width": 390, "height": 844}
#: Pages per person, each with the name of its screenshot.
PAGES = {
    "saule": (("/console", "console"), ("/my-shifts", "my-shifts"), ("/requests", "requests")),
    "supervisor.almaty": (("/supervisor", "supervisor"), ("/supervisor/wallboard", "wallboard"),
                          ("/rota", "rota-week"), ("/rota?view=month", "rota-month"),
                          ("/requests", "requests-supervisor"), ("/console?lang=kk", "console-kk")),
}


def test_each_page_fits_a_phone_and_keeps_sign_out_on_screen(live_app, browser):
    base = live_app.base_url
    too_wide = []
    for username, pages in PAGES.items():
        context = browser.new_context(viewport=PHONE)
        context.set_default_timeout(20_000)
        page = context.new_page()
        sign_in(page, base, username)
        for path, name in pages:
            page.goto(base + path)
            sign_out = page.locator("header").get_by_role("button", name="Sign out").or_(
                page.locator("header").get_by_role("button", name="Шығу"))
            expect(sign_out).to_be_in_viewport()
            page.screenshot(path=str(ARTIFACTS / f"phone-{name}.png"), full_page=True)
            too_wide += [f"{path} ({username}): {what}" for what in sideways(page)]
        context.close()
    assert not too_wide, "\n".join(too_wide)


def test_the_rota_month_and_the_requests_read_as_lists_on_a_phone(live_app, browser):
    base = live_app.base_url
    _demo_rows(live_app)
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    sign_in(page, base, "supervisor.almaty")
    page.goto(f"{base}/rota?view=month")
    coverage = page.locator("tr.coverage td")
    count = coverage.count()
    assert count >= 28
    boxes = [coverage.nth(i).bounding_box() for i in range(count)]
    assert all(box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] for box in boxes)
    assert [box["y"] for box in boxes] == sorted(box["y"] for box in boxes)   # one day under another
    assert len({box["y"] for box in boxes}) == count
    label = coverage.first.evaluate("td => getComputedStyle(td, '::before').content")
    assert re.fullmatch(r'"\w{2,3},? \d\d\.\d\d"', label), label           # each day named on screen
    page.screenshot(path=str(ARTIFACTS / "phone-rota-month-days.png"))

    page.goto(f"{base}/requests?lang=ru")
    channel = page.locator("table.requests tbody td").nth(2)
    expect(channel).to_have_text("электронная почта")   # the channel in words, named by its column
    assert channel.evaluate("td => getComputedStyle(td, '::before').content") == '"Канал"'
    assert sideways(page) == []
    page.screenshot(path=str(ARTIFACTS / "phone-requests-ru.png"), full_page=True)
    context.close()
