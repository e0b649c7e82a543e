"""With the real carrier a consulted colleague's browser answers the consultation, and nothing else.

Warm transfer rings the colleague's browser from the line (``client:senim``) into the call's
conference. Her console's Voice SDK device registers for incoming calls and answers one only while
it expects a consultation (after the server's "Consultation from ..." event, within the ring
time); any other incoming call is rejected, never put through to her headset unannounced.

This machine cannot reach Twilio, so Chromium gets a stand-in ``Twilio.Device`` (the SDK keeps a
``Twilio.Device`` the page already has) whose incoming calls the test places; the console page,
its scripts, its token and the server's socket events are the real ones.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from helpline.events import agent_room
from helpline.extensions import db
from helpline.models import User
from tests.browser.test_console import sign_in
from tests.browser.test_voice_device import live_twilio_app  # noqa: F401  (fixture)

STAND_IN_DEVICE = """
window.__calls = [];
window.__registered = false;
class StandInDevice {
  constructor(token) { this.token = token; this.handlers = {}; }
  on(name, fn) { (this.handlers[name] = this.handlers[name] || []).push(fn); }
  emit(name, ...args) { (this.handlers[name] || []).forEach((fn) => fn(...args)); }
  async register() { window.__registered = true; window.__device = this; this.emit("registered"); }
  updateToken(token) { this.token = token; }
  async connect() { throw new Error("no outgoing calls in this test"); }
}
StandInDevice.isSupported = true;
window.Twilio = {Device: StandInDevice};
// The line (or anyone) calls this browser: {outcome} becomes "accepted" or "rejected".
window.__ring = (from) => {
  const handlers = {};
  const call = {
    parameters: {From: from},
    outcome: "ringing",
    on(name, fn) { (handlers[name] = handlers[name] || []).push(fn); },
    accept() { call.outcome = "accepted"; setTimeout(() => (handlers.accept || []).forEach((fn) => fn())); },
    reject() { call.outcome = "rejected"; },
    mute() {},
    disconnect() { call.outcome = "hung up"; },
  };
  window.__calls.push(call);
  window.__device.emit("incoming", call);
  return window.__calls.length - 1;
};
"""


def _outcome(page, index: int, outcome: str) -> None:
    page.wait_for_function(f"() => window.__calls[{index}].outcome === {outcome!r}")


def _tell(app, username: str, event: str, payload: dict) -> None:
    """The server's socket event to her console, as warm transfer sends it."""
    with app.app_context():
        user_id = db.session.scalar(db.select(User.id).where(User.username == username))
    app.extensions["helpline"].dispatcher.publisher.emit(event, payload, agent_room(user_id))


def test_a_consulted_colleague_answers_the_line_only_while_a_consultation_rings(live_twilio_app, page):  # noqa: F811
    base = live_twilio_app.base_url
    page.add_init_script(STAND_IN_DEVICE)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, base, "aigerim")
    expect(page).to_have_url(re.compile(r"/console$"))
    page.get_by_role("button", name="Available").click()
    expect(page.locator("#my-state")).to_have_text("Available")
    page.wait_for_function("() => window.__registered")

    # nobody is consulting her: the line's call is not put through
    _outcome(page, page.evaluate("__ring('client:senim')"), "rejected")

    _tell(live_twilio_app, "aigerim", "consultation", {"call_id": "c-1", "from": "saule", "language": "en",
                                                        "ring_seconds": 20})
    expect(page.locator("#consultation")).to_contain_text("Consultation from saule")
    _outcome(page, page.evaluate("__ring('client:someone')"), "rejected")   # not the line
    _outcome(page, page.evaluate("__ring('client:senim')"), "accepted")     # the consultation

    _tell(live_twilio_app, "aigerim", "consultation_over", {"call_id": "c-1"})
    expect(page.locator("#consultation")).to_be_hidden()
    _outcome(page, page.evaluate("__ring('client:senim')"), "rejected")     # over: nothing rings through
    assert errors == []
