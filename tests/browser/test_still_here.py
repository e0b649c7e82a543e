"""A console left alone signs out (its own heartbeats are not the person's doing), but nobody is
signed out unawares: five minutes before, it asks "Still there?", and "I am here" keeps it."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS
from tests.browser.test_console import sign_in


def test_an_idle_console_asks_before_signing_out_and_i_am_here_keeps_it(live_app, page):
    base = live_app.base_url
    page.clock.install()
    sign_in(page, base, "saule")
    expect(page).to_have_url(re.compile(r"/console$"))
    expect(page.locator("#my-state")).to_have_text("Break")    # connected; nobody touches it
    expect(page.locator("#still-here")).to_be_hidden()

    page.clock.fast_forward("20:00")             # 20 minutes untouched: nothing asked yet
    page.clock.run_for(16000)
    expect(page.locator("#still-here")).to_be_hidden()
    page.clock.fast_forward("05:30")             # 25 and a half minutes with nobody touching it
    page.clock.run_for(16000)
    prompt = page.locator("#still-here")
    expect(prompt).to_be_visible()
    expect(prompt).to_contain_text("Are you still there?")
    expect(page.get_by_role("button", name="I am here")).to_be_focused()
    expect(page).to_have_title(re.compile(r"^Still there\?"))
    page.screenshot(path=str(ARTIFACTS / "console-still-here-en.png"), full_page=True)

    page.get_by_role("button", name="I am here").click()
    expect(prompt).to_be_hidden()
    expect(page).not_to_have_title(re.compile(r"^Still there\?"))
