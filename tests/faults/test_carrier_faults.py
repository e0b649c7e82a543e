"""Cases 5, 7, 8 and 9: a lost status callback, bridging that fails at the real carrier's REST
API, the psychologist's leg dropping, and a browser phone that is not ready.

The simulated carrier runs real calls against the app (signed webhooks through the WSGI stack,
TwiML followed verb by verb); the real-carrier cases run Twilio's own client against a local
stand-in for Twilio's REST API."""

from __future__ import annotations

import time

import pytest

from helpline.extensions import db, socketio
from helpline.models import AgentPresence, Call, Offer
from tests.conftest import ALMATY, AUTH_TOKEN, PhoneCall, TwilioDouble, all_calls, spoken, wait_until
from tests.fake_twilio import FakeTwilio
from tests.faults.conftest import reconcile
from tests.web.test_console_flow import routing_tick
from tests.web.test_privacy import WsgiTransport

NS = "/console"


class Console:
    def __init__(self, app, staff_client, username: str) -> None:
        self.http, self.headers = staff_client(username)
        self.sio = socketio.test_client(app, namespace=NS, flask_test_client=self.http)
        self.received: list[dict] = []

    def emit(self, event: str, data: dict | None = None) -> dict:
        return self.sio.emit(event, data or {}, namespace=NS, callback=True)

    def events(self, name: str) -> list[dict]:
        self.received += self.sio.get_received(NS)
        return [e["args"][0] for e in self.received if e["name"] == name]

    def wait_for(self, name: str, timeout: float = 10.0) -> dict:
        assert wait_until(lambda: self.events(name), timeout), \
            f"no {name} event; got {[e['name'] for e in self.received]}"
        return self.events(name)[-1]


def _state(app, username: str) -> str:
    from sqlalchemy import select

    from helpline.models import User

    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.username == username))
        state = db.session.get(AgentPresence, user_id).state
        db.session.remove()
        return state


# ---------------------------------------------------------------- the simulated carrier

@pytest.fixture
def sim_app(make_app):
    app = make_app(simulator_speed=0.02)
    app.extensions["carrier"]._transport = WsgiTransport(app.test_client())
    return app


def _answered_call(app, console):
    """A simulated caller (English, child) answered by ``console``; returns the carrier's call."""
    carrier = app.extensions["carrier"]
    assert console.emit("set_state", {"state": "available"})["ok"]
    call = carrier.dial(ALMATY)
    for key in "31":
        assert call.wait_for(lambda c: c.listening or c.finished)
        seen = len(call.events)
        call.press(key)
        assert call.wait_for(lambda c, n=seen: any(e.kind == "http" for e in c.events[n:]))
    offer = console.wait_for("offer")
    assert console.emit("accept", {"offer_id": offer["offer_id"]})["ok"]
    assert call.wait_for(lambda c: c.connected and carrier.agent_legs(c.handle), timeout=10), \
        [e.as_dict() for e in call.events]
    console.wait_for("caller_joined")
    return call


def test_a_lost_status_callback_does_not_keep_the_psychologist_on_a_call(
        sim_app, make_user, staff_client, clock):
    make_user("saule")
    console = Console(sim_app, staff_client, "saule")
    carrier = sim_app.extensions["carrier"]
    carrier.faults.no_status_callback = True
    call = _answered_call(sim_app, console)
    clock.advance(seconds=90)
    call.hang_up()
    assert call.wait_for(lambda c: c.finished)
    assert _state(sim_app, "saule") == "on_call"            # nothing told the line yet
    assert "1 ended at the carrier" in reconcile(sim_app)  # the reconciler asks the carrier
    assert _state(sim_app, "saule") == "wrap_up"
    assert console.wait_for("call_ended")["call_id"]
    (row,) = all_calls(sim_app)
    assert (row.state, row.outcome, row.talk_seconds) == ("ended", "answered", 90)


def test_a_psychologist_can_always_end_their_own_call(sim_app, make_user, staff_client, clock):
    make_user("saule")
    console = Console(sim_app, staff_client, "saule")
    carrier = sim_app.extensions["carrier"]
    call = _answered_call(sim_app, console)
    carrier.faults.rest_fails = True                       # the carrier cannot be told
    carrier.faults.no_status_callback = True
    clock.advance(seconds=40)
    reply = console.emit("hang_up", {"call_id": console.events("call_connected")[-1]["call_id"]})
    assert reply == {"ok": True}
    assert _state(sim_app, "saule") == "wrap_up"
    (row,) = all_calls(sim_app)
    assert (row.state, row.outcome, row.talk_seconds) == ("ended", "answered", 40)
    call.hang_up()


def test_the_psychologists_leg_drops_the_caller_waits_and_she_rejoins(
        sim_app, make_user, staff_client, clock):
    make_user("saule")
    console = Console(sim_app, staff_client, "saule")
    carrier = sim_app.extensions["carrier"]
    call = _answered_call(sim_app, console)
    assert carrier.drop_agent(call.handle)
    lost = console.wait_for("agent_leg_lost")
    assert lost["rejoin_seconds"] == 45
    assert call.wait_for(lambda c: any("line to your psychologist was cut" in t for t in c.spoken()))
    assert not call.finished                                  # the caller is still on the line
    reply = console.emit("rejoin", {"call_id": lost["call_id"]})
    assert reply["ok"], reply
    assert call.wait_for(lambda c: c.connected and carrier.agent_legs(c.handle), timeout=10)
    assert _state(sim_app, "saule") == "on_call"
    call.hang_up()
    assert call.wait_for(lambda c: c.finished)
    assert wait_until(lambda: all_calls(sim_app)[0].state == "ended")
    (row,) = all_calls(sim_app)
    assert row.outcome == "answered"


def test_a_reloaded_console_shows_the_dropped_call_and_rejoin(sim_app, make_user, staff_client, clock):
    make_user("saule")
    console = Console(sim_app, staff_client, "saule")
    carrier = sim_app.extensions["carrier"]
    call = _answered_call(sim_app, console)
    call_id = console.events("call_connected")[-1]["call_id"]
    carrier.drop_agent(call.handle)
    console.wait_for("agent_leg_lost")
    console.sio.disconnect(namespace=NS)          # the page is reloaded
    clock.advance(seconds=10)
    reloaded = socketio.test_client(sim_app, namespace=NS, flask_test_client=console.http)
    received = {e["name"]: e["args"][0] for e in reloaded.get_received(NS)}
    assert received["call_connected"]["call_id"] == call_id
    assert received["agent_leg_lost"] == {"call_id": call_id, "rejoin_seconds": 35}
    assert reloaded.emit("rejoin", {"call_id": call_id}, namespace=NS, callback=True)["ok"]
    assert call.wait_for(lambda c: c.connected and carrier.agent_legs(c.handle), timeout=10)
    call.hang_up()
    assert call.wait_for(lambda c: c.finished)
    reloaded.disconnect(namespace=NS)


def test_a_psychologist_who_does_not_come_back_is_replaced(sim_app, make_user, staff_client, clock):
    make_user("saule")
    make_user("dana")
    first = Console(sim_app, staff_client, "saule")
    carrier = sim_app.extensions["carrier"]
    call = _answered_call(sim_app, first)
    second = Console(sim_app, staff_client, "dana")
    assert second.emit("set_state", {"state": "available"})["ok"]
    carrier.drop_agent(call.handle)
    first.wait_for("agent_leg_lost")
    # no rejoin within the wait (45 s): the next person. Her console is heard from on the way,
    # so it is still there (30 s) whenever the caller's next loop of the wait arrives
    clock.advance(seconds=20)
    second.emit("heartbeat")
    clock.advance(seconds=26)
    offer = second.wait_for("offer", timeout=15)
    assert first.wait_for("call_handed_on")["call_id"] == offer["call_id"]
    assert _state(sim_app, "saule") == "wrap_up"
    saved = first.http.post(f"/console/calls/{offer['call_id']}/record", headers=first.headers,
                            json={"caller_type": "child", "topics": ["bullying"], "risk_level": "low",
                                  "notes": "line dropped"})
    assert saved.status_code == 200 and saved.get_json()["saved"]   # she still writes her record
    assert call.wait_for(lambda c: any("technical problem" in t for t in c.spoken()))
    assert second.emit("accept", {"offer_id": offer["offer_id"]})["ok"]
    assert call.wait_for(lambda c: c.connected, timeout=10)
    second.wait_for("caller_joined")
    call.hang_up()
    assert call.wait_for(lambda c: c.finished)
    assert wait_until(lambda: all_calls(sim_app)[0].state == "ended")
    (row,) = all_calls(sim_app)
    assert row.outcome == "answered" and row.agent_id is not None


# ---------------------------------------------------------------- the real carrier's REST API

@pytest.fixture
def twilio_app(make_app):
    """The real carrier's code, its REST requests going to a local stand-in for Twilio."""
    fake = FakeTwilio(account_sid="AC" + "1" * 32, auth_token=AUTH_TOKEN).start()
    app = make_app(twilio_account_sid="AC" + "1" * 32, twilio_api_base=fake.base_url,
                   twilio_timeout_seconds=1, twilio_api_key="", twilio_api_secret="")
    yield app, fake
    fake.stop()


def _queued(app, fake) -> PhoneCall:
    call = PhoneCall(TwilioDouble(app.test_client()), ALMATY)
    fake.add_call(status="in-progress", sid=call.sid)
    call.dial()
    call.press("3")
    call.press("1")
    return call


def test_bridging_survives_a_failing_rest_api(twilio_app, make_user, staff_client, clock):
    app, fake = twilio_app
    make_user("saule")
    console = Console(app, staff_client, "saule")
    assert console.emit("set_state", {"state": "available"})["ok"]
    fake.fail_always(500)
    call = _queued(app, fake)
    offer = console.wait_for("offer")
    started = time.monotonic()
    reply = console.emit("accept", {"offer_id": offer["offer_id"], "device_ready": True})
    assert reply["ok"] and reply["join"]
    assert time.monotonic() - started < 1.0             # the REST request runs off the handler
    hold = call.wait()                                  # until the psychologist's phone is in
    assert [child.tag for child in hold] == ["Say", "Play"] and "stay on the line" in spoken(hold)[0]
    # the browser's phone joins through the TwiML App, as Twilio would post it
    agent = TwilioDouble(app.test_client()).twiml(
        "/ivr/agent-join", {"CallSid": "CA" + "7" * 32, "From": "client:agent", "join": reply["join"]})
    assert agent.find("Dial/Conference") is not None
    assert wait_until(lambda: len(fake.requests_to(call.sid)) == 3)   # bounded retries
    # the caller's next hold loop brings them into the conference all the same
    hold = call.wait()
    assert [child.tag for child in hold] == ["Leave"]
    conference = call.queue_result("leave")
    assert conference.find("Dial/Conference") is not None
    assert console.wait_for("caller_joined")["call_id"] == offer["call_id"]
    assert len(fake.requests_to(call.sid)) == 3         # ... and then it gave up


def test_a_slow_rest_api_never_blocks_the_accept(twilio_app, make_user, staff_client):
    app, fake = twilio_app
    make_user("saule")
    console = Console(app, staff_client, "saule")
    console.emit("set_state", {"state": "available"})
    fake.delay_seconds = 10
    _queued(app, fake)
    offer = console.wait_for("offer")
    started = time.monotonic()
    assert console.emit("accept", {"offer_id": offer["offer_id"]})["ok"]
    assert time.monotonic() - started < 1.0


def test_when_the_psychologists_phone_never_joins_the_caller_goes_back_to_the_head_of_the_queue(
        twilio_app, make_user, staff_client, clock):
    app, fake = twilio_app
    make_user("saule")
    console = Console(app, staff_client, "saule")
    console.emit("set_state", {"state": "available"})
    fake.fail_always(500)
    call = _queued(app, fake)
    offer = console.wait_for("offer")
    assert console.emit("accept", {"offer_id": offer["offer_id"]})["ok"]
    clock.advance(seconds=31)                 # the browser's phone never joined
    routing_tick(app)
    failed = console.wait_for("bridge_failed")
    assert failed == {"call_id": offer["call_id"], "reason": "timeout"}
    assert _state(app, "saule") == "available"
    with app.app_context():
        row = db.session.get(Call, offer["call_id"])
        assert row.state == "queued" and row.dequeued_at is None and row.agent_id is None
        assert db.session.get(Offer, offer["offer_id"]).state == "failed"
        db.session.remove()
    hold = call.wait()                         # the caller waits on, first in line
    assert "number 1 in line" in " ".join(spoken(hold))
    assert console.events("offer") == [offer]  # not offered again to the one it failed with


def test_accept_is_refused_in_words_when_the_browser_phone_is_not_ready(twilio_app, make_user,
                                                                        staff_client):
    app, fake = twilio_app
    make_user("saule")
    console = Console(app, staff_client, "saule")
    console.emit("set_state", {"state": "available"})
    _queued(app, fake)
    offer = console.wait_for("offer")
    reply = console.emit("accept", {"offer_id": offer["offer_id"], "device_ready": False})
    assert reply["ok"] is False and "not ready" in reply["error"]
    with app.app_context():
        assert db.session.get(Offer, offer["offer_id"]).state == "ringing"   # still hers to take
        db.session.remove()
