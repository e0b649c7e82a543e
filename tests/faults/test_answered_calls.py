"""Answered calls when things fail: a conversation is never cut because the line lost its own
state, a crash never leaves a psychologist On a call, the caller's hang-up is never read as the
psychologist's line dropping, and the carrier's call id is forgotten when the call ends."""

from __future__ import annotations

import pytest

from helpline.extensions import db, socketio
from helpline.models import AgentPresence
from tests.conftest import ALMATY, TwilioDouble, all_calls, spoken, verbs, wait_until
from tests.faults.conftest import reconcile
from tests.web.test_privacy import WsgiTransport

NS = "/console"


def _accepted(app, phone, staff_client):
    """A queued caller (English, child) whose offer "saule" accepted: (call, socket, offer, join)."""
    http, _ = staff_client("saule")
    sio = socketio.test_client(app, namespace=NS, flask_test_client=http)
    sio.emit("set_state", {"state": "available"}, namespace=NS, callback=True)
    call = phone(ALMATY)
    call.dial()
    call.press("3")
    call.press("1")
    offer = next(e["args"][0] for e in sio.get_received(NS) if e["name"] == "offer")
    assert sio.emit("accept", {"offer_id": offer["offer_id"]}, namespace=NS, callback=True)["ok"]
    return call, sio, offer, app.extensions["helpline"].live.join_token(offer["call_id"])


@pytest.fixture
def answered(app, phone, make_user, staff_client):
    """A caller answered by "saule" (webhooks as Twilio posts them, the psychologist's leg
    joining through /ivr/agent-join); returns (call, console, call_id, user_id)."""
    app.extensions["carrier"]._transport = WsgiTransport(app.test_client())
    user_id = make_user("saule")
    call, sio, offer, join = _accepted(app, phone, staff_client)
    agent = TwilioDouble(app.test_client()).twiml(
        "/ivr/agent-join", {"CallSid": "CA" + "7" * 32, "From": "client:agent", "join": join})
    assert agent.find("Dial/Conference") is not None
    assert [c.tag for c in call.wait()] == ["Leave"]
    call.doc = call.queue_result("leave")
    assert call.doc.find("Dial/Conference") is not None
    yield call, sio, offer["call_id"], user_id
    sio.disconnect(namespace=NS)


def _presence(app, user_id: int) -> str:
    with app.app_context():
        state = db.session.get(AgentPresence, user_id).state
        db.session.remove()
        return state


def test_a_conversation_is_not_cut_when_the_line_loses_its_live_state(app, answered, clock, backend):
    call, sio, call_id, user_id = answered
    backend.lose_live_state(app)       # the process (or its Redis) restarted: empty
    clock.advance(seconds=120)
    sio.emit("heartbeat", {}, namespace=NS, callback=True)         # she is still on the call
    assert "0 interrupted" in reconcile(app)
    assert _presence(app, user_id) == "on_call"
    (row,) = all_calls(app)
    assert row.state == "answered"
    # she ends the call herself: closed at once
    assert sio.emit("hang_up", {"call_id": call_id}, namespace=NS, callback=True) == {"ok": True}
    assert _presence(app, user_id) == "wrap_up" and all_calls(app)[0].outcome == "answered"


def test_the_callers_hang_up_is_not_read_as_the_psychologists_line_dropping(app, answered):
    call, sio, call_id, user_id = answered
    sio.get_received(NS)
    doc = call.twilio.twiml(call.doc.find("Dial").get("action"),
                            {**call.params, "CallStatus": "completed", "DialCallStatus": "completed"})
    assert list(doc) == []
    assert not [e for e in sio.get_received(NS) if e["name"] == "agent_leg_lost"]
    call.completed()
    assert _presence(app, user_id) == "wrap_up"


def test_a_crash_at_the_end_of_the_conference_frees_the_psychologist(app, answered, monkeypatch):
    call, sio, call_id, user_id = answered
    from helpline.services.lifecycle import CallLifecycle

    def broken(*args, **kwargs):
        raise RuntimeError("simulated failure")

    monkeypatch.setattr(CallLifecycle, "conference_over", broken)
    doc = call.twilio.twiml(call.doc.find("Dial").get("action"), call.params)
    assert "112" in " ".join(spoken(doc)) and verbs(doc)[-1] == "Hangup"
    (row,) = all_calls(app)
    assert (row.state, row.outcome) == ("ended", "failed")
    assert _presence(app, user_id) == "wrap_up"                 # not On a call for ever


def test_a_failed_agent_join_registers_nothing(app, monkeypatch):
    from helpline.services.lifecycle import CallLifecycle

    def broken(*args, **kwargs):
        raise RuntimeError("simulated failure")

    monkeypatch.setattr(CallLifecycle, "agent_joined", broken)
    doc = TwilioDouble(app.test_client()).twiml(
        "/ivr/agent-join", {"CallSid": "CA" + "6" * 32, "From": "client:agent", "join": "x"})
    assert verbs(doc) == ["Hangup"] and all_calls(app) == []


def test_ending_the_call_from_the_console_forgets_the_carriers_call_id(app, answered):
    call, sio, call_id, user_id = answered
    rt = app.extensions["helpline"]
    assert sio.emit("hang_up", {"call_id": call_id}, namespace=NS, callback=True) == {"ok": True}
    assert wait_until(lambda: rt.live.by_call(call_id) is None)     # forgotten off the request thread
    assert rt.live.by_sid(call.sid).ended


def test_a_psychologist_leg_that_leaves_before_the_caller_arrives_never_leaves_them_in_silence(
        app, phone, make_user, staff_client):
    make_user("saule")
    call, sio, _offer, join = _accepted(app, phone, staff_client)
    twilio = TwilioDouble(app.test_client())
    agent_sid = "CA" + "5" * 32
    agent = twilio.twiml("/ivr/agent-join", {"CallSid": agent_sid, "From": "client:agent", "join": join})
    events_url = agent.find("Dial/Conference").get("statusCallback")
    # her browser's leg leaves at once: Twilio posts the conference's participant-leave
    twilio.twiml(events_url, {"CallSid": agent_sid, "ConferenceSid": "CF" + "1" * 32,
                              "FriendlyName": agent.find("Dial/Conference").text,
                              "StatusCallbackEvent": "participant-leave"})
    assert [e["name"] for e in sio.get_received(NS)].count("agent_leg_lost") == 1
    # the caller then arrives from the queue: told, and waiting for her, not in a silent conference
    assert [c.tag for c in call.wait()] == ["Leave"]
    doc = call.queue_result("leave")
    assert "line to your psychologist was cut" in " ".join(spoken(doc)) and doc.find("Dial") is None
    assert doc.find("Redirect") is not None
    sio.disconnect(namespace=NS)
