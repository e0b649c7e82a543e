"""The header keeps every link and "Sign out" on the screen, whatever the language and role: the
longest (an administrator in Kazakh, with "Keep this language" shown) wraps instead of running
off the edge."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS
from tests.browser.test_console import sign_in


def test_an_administrator_in_kazakh_sees_sign_out(live_app, page):
    base = live_app.base_url
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page, base, "admin")
    page.goto(f"{base}/admin/users?lang=kk")                  # page language differs from the saved one
    header = page.locator("header")
    sign_out = header.get_by_role("button", name="Шығу")
    expect(sign_out).to_be_visible()
    expect(header.get_by_role("button", name="Осы тілді сақтау")).to_be_visible()
    width = page.evaluate("document.documentElement.clientWidth")
    for item in header.locator("a, button").all():
        box = item.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, item.inner_text()
    page.screenshot(path=str(ARTIFACTS / "header-admin-kk.png"))
