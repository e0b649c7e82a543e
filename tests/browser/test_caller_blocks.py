"""With caller tokens on: the console shows the caller's earlier calls in words, and a supervisor
blocks, then lifts, the caller of a recent call from the live view (headless Chromium)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, call_almaty_as_a_child
from tests.browser.test_console import sign_in
from tests.conftest import all_calls, wait_until


@pytest.fixture
def live_overrides():
    return {"caller_token_enabled": True, "caller_token_secret": "line-secret"}


def test_console_history_and_a_supervisor_block_in_the_browser(live_app, page, browser_context_factory):
    base = live_app.base_url
    sign_in(page, base, "saule")
    page.get_by_role("button", name="Available").click()
    expect(page.locator("#my-state")).to_have_text("Available")

    phone = browser_context_factory().new_page()
    call_almaty_as_a_child(phone, base)
    history = "No earlier calls from this caller in the last 30 days. Counts start again each month."
    expect(page.locator("#offer-history")).to_have_text(history)
    page.get_by_role("button", name="Accept").click()
    expect(page.locator("#call-history")).to_have_text(history)
    page.get_by_role("button", name="Hang up").click()
    expect(page.locator("#my-state")).to_have_text("Wrap-up")
    assert wait_until(lambda: all_calls(live_app)[0].state == "ended")

    boss = browser_context_factory().new_page()
    sign_in(boss, base, "supervisor.almaty")
    boss.goto(f"{base}/supervisor")
    row = boss.locator("#blocks-calls li").first
    expect(row).to_contain_text("answered")
    row.get_by_label("How long").select_option("7d")
    row.get_by_label("Reason").select_option("prank")
    boss.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Block caller").click()
    expect(boss.locator("#blocks-list li")).to_contain_text(re.compile(r"until .* prank calls"))
    expect(boss.locator("#blocks-calls li").first).to_contain_text("blocked")
    boss.screenshot(path=str(ARTIFACTS / "supervisor-caller-blocks-en.png"), full_page=True)
    boss.get_by_role("button", name="Lift block").click()
    expect(boss.locator("#blocks-list li")).to_have_text("None")
    expect(boss.locator("#blocks-error")).to_have_text("")
