"""A person places a call on /simulator in headless Chromium: menu, queue, hang up, register."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS
from tests.conftest import all_calls


def test_a_call_walks_the_menu_waits_in_the_queue_and_is_registered(live_app, page):
    page.goto(live_app.base_url + "/simulator")
    page.get_by_label("Number to call").select_option(label="Almaty PSC (demo) · +77273555150")
    page.get_by_role("button", name="Call").click()

    status = page.get_by_role("status")
    expect(status).to_contain_text("press a key")
    expect(page.locator("#transcript")).to_contain_text("For English, press 3.")
    page.get_by_role("button", name="Key 3").click()

    expect(page.locator("#transcript")).to_contain_text("You do not need to give your name")
    expect(status).to_contain_text("press a key")
    page.get_by_role("button", name="Key 1").click()

    expect(status).to_have_text("Waiting in the queue")
    expect(page.locator("#transcript")).to_contain_text("You are number 1 in line.")
    page.screenshot(path=str(ARTIFACTS / "simulator-queue.png"), full_page=True)
    page.get_by_role("button", name="Hang up").click()
    expect(status).to_have_text("Call ended")
    expect(page.get_by_role("button", name="Call")).to_be_enabled()

    (row,) = all_calls(live_app)
    assert (row.language, row.caller_type, row.outcome) == ("en", "child", "abandoned_in_queue")
    assert row.ended_at is not None and row.wait_seconds is not None
    html = page.content()
    assert not re.search(r"\+?7701\d{7}", html)          # the caller's number never reaches a page
    assert not re.search(r"CA[0-9a-f]{32}", html)          # nor the carrier's call id


def test_the_simulator_refuses_a_bad_number_with_a_clear_message(live_app, page):
    page.goto(live_app.base_url + "/simulator")
    page.evaluate("""() => { const o = document.createElement('option'); o.value = '12';
        o.textContent = 'bad'; document.getElementById('to').appendChild(o); }""")
    page.get_by_label("Number to call").select_option(value="12")
    page.get_by_role("button", name="Call").click()
    expect(page.get_by_role("alert")).to_contain_text("not a valid number")
    assert all_calls(live_app) == []
