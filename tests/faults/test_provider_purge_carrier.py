"""Calls through the simulated carrier with the real carrier's code (Twilio's client) pointed at a
stand-in for Twilio driven by Twilio's OpenAPI description: every REST request the line makes
(redirect, hang-up, status fetch, delete, list) matches a spec operation, and afterwards no ended
call, caller's or psychologist's, is left undeleted there, 20009 refusals included."""

from __future__ import annotations

import pytest

from helpline.carrier import SimulatedCarrier
from tests.conftest import ALMATY, AUTH_TOKEN, BASE_URL, wait_until
from tests.faults.conftest import reconcile
from tests.faults.test_carrier_faults import Console
from tests.twilio_mock import MOCK_API_KEY, real_carrier_settings, sweep
from tests.web.test_privacy import WsgiTransport


@pytest.fixture
def settings_overrides(settings_overrides, spec_twilio):
    return {**settings_overrides, **real_carrier_settings(spec_twilio)}


@pytest.fixture
def carrier(app, spec_twilio):
    """The simulated carrier's legs reach the app as Twilio's would, and are calls at the stand-in."""
    return SimulatedCarrier(BASE_URL, AUTH_TOKEN, speed=0.02, transport=WsgiTransport(app.test_client()))


def _dial(carrier, spec_twilio, keys: str = "31"):
    call = carrier.dial(ALMATY, start=False)
    spec_twilio.adopt(call)
    call.start()
    for key in keys:
        assert call.wait_for(lambda c: c.listening or c.finished)
        seen = len(call.events)
        call.press(key)
        assert call.wait_for(lambda c, n=seen: any(e.kind == "http" for e in c.events[n:]))
    assert call.wait_for(lambda c: c.status == "queued" or c.finished)
    return call


def test_every_ended_call_is_deleted_at_twilio_and_every_request_matches_the_spec(
        app, spec_twilio, carrier, make_user, staff_client, clock, backend):
    make_user("saule")
    console = Console(app, staff_client, "saule")
    assert console.emit("set_state", {"state": "available"})["ok"]

    # answered: the accept redirects the caller (REST), the browser's leg joins, she hangs up (REST)
    answered = _dial(carrier, spec_twilio)
    offer = console.wait_for("offer")
    reply = console.emit("accept", {"offer_id": offer["offer_id"], "device_ready": True})
    assert reply["ok"]
    browser = carrier.place_agent_leg(reply["join"], start=False)
    spec_twilio.adopt(browser)
    browser.start()
    assert answered.wait_for(lambda c: c.connected, timeout=15), [e.as_dict() for e in answered.events]
    console.wait_for("caller_joined")
    assert console.emit("hang_up", {"call_id": offer["call_id"]})["ok"]
    assert answered.wait_for(lambda c: c.finished, timeout=15)
    assert browser.wait_for(lambda c: c.finished, timeout=15)

    # silent in the queue: the reconciler asks Twilio for the call's status (REST), then it hangs up
    assert console.emit("set_state", {"state": "break"})["ok"]
    waiting = _dial(carrier, spec_twilio)
    clock.advance(seconds=61)
    reconcile(app)
    waiting.hang_up()
    assert waiting.wait_for(lambda c: c.finished, timeout=15)

    spec_twilio.adopt_all(carrier)
    assert wait_until(lambda: len(spec_twilio.ended_calls()) == 3)
    assert sweep(app).startswith("0 call records deleted")   # within the grace period: nothing yet
    clock.advance(seconds=301)
    spec_twilio.not_final_deletes(2)                                # Twilio has not finalised two yet
    sweep(app)
    assert len(spec_twilio.undeleted_ended_calls()) == 2
    clock.advance(seconds=600)
    sweep(app)
    assert spec_twilio.undeleted_ended_calls() == []

    assert spec_twilio.off_spec() == []
    operations = {r.operation_id for r in spec_twilio.requests}
    assert operations == {"UpdateCall", "FetchCall", "ListCall", "DeleteCall", "ListAlert"}
    updates = [r.form for r in spec_twilio.requests if r.operation_id == "UpdateCall"]
    assert {"Url", "Method"} <= set(updates[0]) and {"Status": ["completed"]} in updates
    assert {r.username for r in spec_twilio.requests} == {MOCK_API_KEY}
    database = backend.stored_bytes(app)
    for sid in spec_twilio.calls:
        assert sid.encode() not in database and sid[2:].encode() not in database
