"""Presence, offers and answering through the real Socket.IO test client, with the IVR driven by
signed webhooks and a controlled clock."""

from __future__ import annotations

import pytest

from helpline.extensions import db, socketio
from tests.conftest import ALMATY, all_calls, spoken, verbs

NS = "/console"


@pytest.fixture
def console(app, staff_client):
    """``console("aigerim")`` -> a signed-in Socket.IO client with helpers."""
    opened = []

    class Console:
        def __init__(self, username):
            self.http, self.headers = staff_client(username)
            self.sio = socketio.test_client(app, namespace=NS, flask_test_client=self.http)
            self.buffer = []
            opened.append(self)

        def events(self, name=None):
            """Events received so far named ``name`` (all if None); they are taken off the list."""
            self.buffer += self.sio.get_received(NS)
            taken = [e for e in self.buffer if name is None or e["name"] == name]
            self.buffer = [e for e in self.buffer if e not in taken]
            return [e["args"][0] for e in taken]

        def emit(self, event, data=None):
            return self.sio.emit(event, data or {}, namespace=NS, callback=True)

    yield Console
    for c in opened:
        if c.sio.is_connected(NS):
            c.sio.disconnect(namespace=NS)


def routing_tick(app):
    """One run of the scheduler's routing job (ring timeouts, wrap-up ends, offers)."""
    from scheduling.jobs import routing_tick as job

    runtime = app.extensions["helpline"]
    with app.app_context():
        job(db.session, runtime.clock.now(), runtime)
        db.session.commit()
        db.session.remove()


def two_available(console, make_user, clock):
    """Two psychologists Available, the first idle 30 s longer than the second."""
    make_user("first")
    make_user("second")
    a = console("first")
    a.emit("set_state", {"state": "available"})
    clock.advance(seconds=30)
    b = console("second")
    b.emit("set_state", {"state": "available"})
    return a, b


def queued_call(phone, digits=("3", "1")):
    call = phone(ALMATY)
    call.dial()
    for d in digits:
        call.press(d)
    return call


def test_a_console_must_be_signed_in(app):
    sio = socketio.test_client(app, namespace=NS)
    assert not sio.is_connected(NS)


def test_available_agent_gets_the_offer_accepts_and_the_call_is_answered(app, make_user, console,
                                                                         phone, clock):
    make_user("saule")
    agent = console("saule")
    assert agent.events("presence")[-1] == {"state": "break"}
    assert agent.emit("set_state", {"state": "available"}) == {"ok": True, "state": "available"}
    agent.events()

    call = queued_call(phone)
    (offer,) = agent.events("offer")
    assert offer["language"] == "en" and offer["caller_type"] == "child"
    assert offer["is_urgent"] is False and offer["ring_seconds"] == 20
    assert not any(k in str(offer) for k in ("From", call.params["From"][1:], call.sid))

    clock.advance(seconds=7)
    reply = agent.emit("accept", {"offer_id": offer["offer_id"]})
    assert reply["ok"] and reply["call_id"] == offer["call_id"]
    assert agent.events("call_connected")[0]["call_id"] == offer["call_id"]

    clock.advance(seconds=95)
    call.completed()
    ended = agent.events("call_ended")
    assert ended[0]["talk_seconds"] == 95
    (row,) = all_calls(app)
    assert (row.outcome, row.wait_seconds, row.talk_seconds) == ("answered", 7, 95)
    assert row.agent_id is not None
    assert agent.events("presence")[-1] == {"state": "wrap_up"}


def test_wrap_up_ends_by_itself_then_available_again(app, make_user, console, phone, clock):
    make_user("saule")
    agent = console("saule")
    agent.emit("set_state", {"state": "available"})
    call = queued_call(phone)
    offer = agent.events("offer")[0]
    agent.emit("accept", {"offer_id": offer["offer_id"]})
    call.completed()
    clock.advance(seconds=61)
    agent.events()
    agent.emit("heartbeat")
    routing_tick(app)
    assert agent.events("presence")[-1] == {"state": "available"}


def test_the_longest_idle_agent_is_offered_first_and_a_decline_moves_on(make_user, console, phone,
                                                                          clock):
    a, b = two_available(console, make_user, clock)
    queued_call(phone)
    assert len(a.events("offer")) == 1 and b.events("offer") == []
    reply = a.emit("decline", {"offer_id": 1})
    assert reply == {"ok": True}
    assert len(b.events("offer")) == 1


def test_a_ring_not_answered_in_time_goes_to_the_next_agent(app, make_user, console, phone, clock):
    a, b = two_available(console, make_user, clock)
    queued_call(phone)
    (offer,) = a.events("offer")
    clock.advance(seconds=21)
    b.emit("heartbeat")
    routing_tick(app)                               # the routing tick expires the ring
    assert len(b.events("offer")) == 1
    assert {"offer_id": offer["offer_id"], "reason": "timeout"} in a.events("offer_withdrawn")
    assert a.events("presence")[-1]["state"] == "break"     # missed a ring: not Available
    late = a.emit("accept", {"offer_id": offer["offer_id"]})
    assert late["ok"] is False and "no longer ringing" in late["error"]


def test_a_closed_console_is_unavailable_and_its_ringing_call_moves_on(app, make_user, console,
                                                                       phone, clock):
    a, b = two_available(console, make_user, clock)
    queued_call(phone)
    assert len(a.events("offer")) == 1
    a.sio.disconnect(namespace=NS)
    assert len(b.events("offer")) == 1


def test_urgent_calls_are_offered_before_earlier_ones(make_user, console, phone, clock):
    queued_call(phone)
    clock.advance(seconds=20)
    queued_call(phone, digits=("3", "9"))
    make_user("saule")
    agent = console("saule")
    agent.emit("set_state", {"state": "available"})
    (offer,) = agent.events("offer")
    assert offer["is_urgent"] is True


def test_only_agents_speaking_the_language_are_offered(make_user, console, phone):
    make_user("kazakh.only", languages=("kk",))
    agent = console("kazakh.only")
    agent.emit("set_state", {"state": "available"})
    queued_call(phone)                        # an English call
    assert agent.events("offer") == []


def test_other_centres_back_up_after_the_maximum_wait(app, make_user, console, phone, clock):
    make_user("astana.agent", centre_id=1, languages=("kk", "ru", "en"))
    agent = console("astana.agent")
    agent.emit("set_state", {"state": "available"})
    call = queued_call(phone)                 # an Almaty call
    assert agent.events("offer") == []
    clock.advance(seconds=300)                # Almaty's maximum wait
    agent.emit("heartbeat")
    routing_tick(app)
    (offer,) = agent.events("offer")
    assert offer["is_backup"] is True
    assert verbs(call.wait())[-1] == "Play"      # still waiting: national backup
    clock.advance(seconds=121)
    agent.emit("heartbeat")
    routing_tick(app)
    assert verbs(call.wait()) == ["Leave"]    # then the no-one-available path


def test_the_caller_hanging_up_stops_the_ringing(make_user, console, phone):
    make_user("saule")
    agent = console("saule")
    agent.emit("set_state", {"state": "available"})
    call = queued_call(phone)
    (offer,) = agent.events("offer")
    call.queue_result("hangup")
    assert {"offer_id": offer["offer_id"], "reason": "caller_left"} in agent.events("offer_withdrawn")


def test_hang_up_from_the_console_without_a_live_carrier_call_closes_it(app, make_user, console,
                                                                         phone, clock):
    make_user("saule")
    agent = console("saule")
    agent.emit("set_state", {"state": "available"})
    queued_call(phone)
    offer = agent.events("offer")[0]
    agent.emit("accept", {"offer_id": offer["offer_id"]})
    clock.advance(seconds=40)
    assert agent.emit("hang_up", {"call_id": offer["call_id"]}) == {"ok": True}
    (row,) = all_calls(app)
    assert row.outcome == "answered" and row.talk_seconds == 40


def test_bad_payloads_get_clear_errors(make_user, console):
    make_user("saule")
    agent = console("saule")
    assert agent.emit("set_state", {"state": "dancing"})["ok"] is False
    refused = agent.emit("accept", {"offer_id": "x"})
    assert refused["ok"] is False and "offer_id must be a number" in refused["error"]
    assert agent.emit("accept", {"offer_id": 999})["error"] == "This call was not offered to you."
    assert agent.emit("hang_up", {"call_id": "nope"})["error"] == "You are not on this call."


def test_when_nobody_is_signed_in_the_caller_waits_briefly(phone, clock):
    call = queued_call(phone)
    clock.advance(seconds=46)
    assert verbs(call.wait()) == ["Leave"]
    assert "150" in " ".join(spoken(call.queue_result("leave")))
