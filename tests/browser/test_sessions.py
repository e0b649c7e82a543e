"""Signing out in one tab stops the console open in another, in words."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.test_console import sign_in


def test_signing_out_in_another_tab_stops_the_open_console(live_app, browser_context_factory):
    base = live_app.base_url
    context = browser_context_factory()
    console = context.new_page()
    sign_in(console, base, "saule")
    expect(console).to_have_url(re.compile(r"/console$"))
    console.get_by_role("button", name="Available").click()
    expect(console.locator("#my-state")).to_have_text("Available")

    other = context.new_page()                     # the same browser, another tab
    other.goto(f"{base}/my-shifts")
    other.get_by_role("button", name="Sign out").click()
    expect(other).to_have_url(re.compile(r"/login"))

    expect(console.locator("#console-error")).to_have_text(re.compile("You are signed out"))
    expect(console.get_by_role("button", name="Available")).to_be_disabled()
    expect(console.locator("#my-state")).to_have_text("Offline")
    console.reload()
    expect(console).to_have_url(re.compile(r"/login"))
