"""The browser's phone (Twilio Voice SDK) with the real carrier, in headless Chromium.

The app runs in Twilio mode on loopback: the caller's call comes in as signed webhooks, Twilio's
REST API is a closed local port, and this machine cannot reach Twilio at all, so the console's
Twilio.Device can fetch tokens from /console/voice-token but never connect. The console must fetch
a fresh token just before it connects, must keep Accept disabled (with the reason next to it) while
the browser's phone is not ready, and must show a failed connect in words, never as "Connected".
"""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

import tests.browser.conftest as browser_conftest
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_console import sign_in
from tests.conftest import ALMATY, AUTH_TOKEN, PhoneCall
from tests.faults.conftest import HttpTwilio

TWILIO_SETTINGS = {
    "twilio_account_sid": "AC" + "1" * 32,
    "twilio_auth_token": AUTH_TOKEN,                  # HttpTwilio signs the webhooks with it
    "twilio_api_key": "SK" + "2" * 32,
    "twilio_api_secret": "an-api-secret-of-at-least-32-bytes!",
    "twilio_twiml_app_sid": "AP" + "3" * 32,
    "twilio_api_base": "http://127.0.0.1:9",          # closed: the server's REST calls fail fast
}
TOKEN_PATH = "/console/voice-token"
SIGNALLING = re.compile(r"^wss://[^/]*twilio\.com/")   # where Twilio.Device connects
INJECTED_ERROR = "voice token service unavailable"

# Every text the call panel ever shows, transient ones included (a flash of "Connected" counts).
RECORD_CALL_TEXTS = """
window.__shown = new Set();
document.addEventListener("DOMContentLoaded", () => {
  const ids = ["audio-status", "call-status", "console-error", "notice-text"];
  const look = () => ids.forEach((id) => {
    const el = document.getElementById(id);
    if (el && el.textContent) window.__shown.add(id + ": " + el.textContent);
  });
  new MutationObserver(look).observe(document.body, {subtree: true, childList: true, characterData: true});
  look();
});
"""

# The page's Twilio.Device.connect, reported to the test as it is called (the SDK keeps the
# Twilio object the page already has: `Twilio.Device = Twilio.Device || Voice.Device`).
WATCH_CONNECT = """
window.Twilio = {
  set Device(Device) {
    const connect = Device.prototype.connect;
    Device.prototype.connect = function (...args) {
      window.__deviceConnects();
      return connect.apply(this, args);
    };
    this._device = Device;
  },
  get Device() { return this._device; },
};
"""


@pytest.fixture
def live_twilio_app(tmp_path, backend, monkeypatch):
    """``live_app`` (tests/browser/conftest.py ``_serve``) with the real carrier's settings."""
    real_create_app = browser_conftest.create_app

    def create_app(overrides, **kwargs):
        return real_create_app({**overrides, **TWILIO_SETTINGS}, **kwargs)

    monkeypatch.setattr(browser_conftest, "create_app", create_app)
    yield from browser_conftest._serve(tmp_path, backend)


def go_available(page, base: str) -> None:
    sign_in(page, base, "saule")
    expect(page).to_have_url(re.compile(r"/console$"))
    page.get_by_role("button", name="Available").click()
    expect(page.locator("#my-state")).to_have_text("Available")


def queue_a_child_in_english(base: str) -> PhoneCall:
    """A caller dials the Almaty line, chooses English and "child": signed webhooks over HTTP."""
    call = PhoneCall(HttpTwilio(base), ALMATY)
    call.dial()
    call.press("3")
    call.press("1")
    assert call.enqueue is not None          # the caller waits in the queue
    return call


def test_accept_fetches_a_fresh_token_and_a_failed_connect_is_shown_in_words(live_twilio_app, page):
    base = live_twilio_app.base_url
    events: list[tuple[str, object]] = []      # in the order the page did things
    page.on("request", lambda r: events.append(("token request", r)) if TOKEN_PATH in r.url else None)
    page.on("response", lambda r: events.append(("token response", r)) if TOKEN_PATH in r.url else None)
    page.on("websocket", lambda ws: events.append(("signalling", ws)) if SIGNALLING.match(ws.url) else None)
    page.expose_function("__deviceConnects", lambda: events.append(("connect", None)))
    page.add_init_script(RECORD_CALL_TEXTS + WATCH_CONNECT)

    go_available(page, base)
    device_status = page.locator("#device-status")
    # Twilio cannot be reached from here: her own calls may still be tried (each connect reaches
    # for Twilio afresh), but the console says that a colleague's consultation cannot ring here.
    expect(device_status).to_have_text(
        "Call audio is ready for your own calls, but colleagues cannot ring this console for a "
        "consultation now (Connection error, code 31005). Retrying automatically.")
    expect(device_status).to_have_attribute("data-ready", "true")
    page.screenshot(path=str(ARTIFACTS / "voice-not-registered-en.png"))
    queue_a_child_in_english(base)
    expect(page.locator("#offer")).to_be_visible()
    expect(page.locator("#offer-language")).to_have_text("English")
    accept = page.get_by_role("button", name="Accept")
    expect(accept).to_be_enabled()
    expect(page.locator("#accept-reason")).to_have_text("")
    page.wait_for_timeout(1100)          # a token minted now differs from the page-load one
    loaded = [kind for kind, _ in events]
    assert loaded.count("token response") >= 1, loaded
    # registered for a colleague's consultation, the device reaches for Twilio before any call
    assert "signalling" in loaded, "the device did not register for incoming calls"
    assert "connect" not in loaded, loaded

    events.append(("accept clicked", None))
    accept.click()

    expect(page.locator("#my-state")).to_have_text("On a call")     # the server took the call
    error = page.locator("#console-error")
    expect(error).to_have_attribute("role", "alert")
    expect(error).to_have_text("Call audio error: Connection error (code 31005).")
    expect(device_status).to_have_text(
        "Call audio error: Connection error (code 31005). Retrying automatically.")
    page.wait_for_timeout(4000)          # the SDK keeps retrying; nothing may turn into "Connected"
    page.screenshot(path=str(ARTIFACTS / "voice-connect-failed-en.png"), full_page=True)

    # (a) a token fetched after the click, and before the device was asked to connect
    kinds = [kind for kind, _ in events]
    clicked = kinds.index("accept clicked")
    after = kinds[clicked + 1:]
    assert "token request" in after, f"no {TOKEN_PATH} request after Accept: {kinds}"
    assert "connect" in after, f"the device never tried to connect: {kinds}"
    fresh_request = clicked + 1 + after.index("token request")
    first_connect = clicked + 1 + after.index("connect")
    assert fresh_request < first_connect, f"connected before fetching a fresh token: {kinds}"
    fresh = next(r for k, r in events[fresh_request:first_connect] if k == "token response")
    assert fresh.status == 200
    old = next(r for k, r in events[:clicked] if k == "token response")
    assert json.loads(fresh.text())["token"] != json.loads(old.text())["token"]

    # (c) the failure in words, and never "Connected" as if it had worked
    shown = set(page.evaluate("() => Array.from(window.__shown)"))
    assert "console-error: Call audio error: Connection error (code 31005)." in shown, shown
    assert not {"call-status: Connected", "audio-status: Your audio: connected"} & shown, shown
    expect(page.locator("#call-status")).not_to_have_text("Connected")
    expect(page.locator("#audio-status")).not_to_have_text("Your audio: connected")


def test_accept_stays_disabled_with_the_reason_while_no_token_can_be_had(live_twilio_app, page):
    base = live_twilio_app.base_url
    refused: list[str] = []

    def token_fails(route):
        refused.append(route.request.url)
        route.fulfill(status=500, content_type="application/json",
                      body=json.dumps({"error": INJECTED_ERROR}))

    page.route(f"**{TOKEN_PATH}", token_fails)     # the fault, injected at the network surface
    go_available(page, base)
    reason = ("Call audio is not ready: the server did not give access for calls "
              f"({INJECTED_ERROR}). Retrying automatically.")
    expect(page.locator("#device-status")).to_have_text(reason)

    queue_a_child_in_english(base)
    expect(page.locator("#offer")).to_be_visible()
    expect(page.locator("#offer-caller")).to_have_text("Child or teenager")
    accept = page.get_by_role("button", name="Accept")
    expect(accept).to_be_disabled()
    accept_reason = page.locator("#offer #accept-reason")
    expect(accept_reason).to_be_visible()
    expect(accept_reason).to_have_text(reason)
    expect(accept).to_have_accessible_description(reason)
    expect(page.get_by_role("button", name="Decline")).to_be_enabled()
    page.screenshot(path=str(ARTIFACTS / "voice-offer-accept-disabled-en.png"), full_page=True)

    page.wait_for_timeout(2000)          # the retry the offer starts fails too: still disabled
    expect(accept).to_be_disabled()
    expect(accept_reason).to_have_text(reason)
    expect(page.locator("#my-state")).to_have_text("Available")     # the call was not taken
    expect(page.locator("#offer")).to_be_visible()
    assert refused, "the page never asked for a voice token"
