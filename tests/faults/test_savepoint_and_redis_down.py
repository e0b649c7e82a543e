"""Case 6: a savepoint rolled back in a routing pass (another process offered a call first)
no longer drops the offers the same pass made.  Case 3: Redis is down at the first webhook:
the call is still answered, registered and can be answered by a psychologist."""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from helpline.extensions import socketio
from helpline.models import Call, Offer, User
from tests.conftest import ALMATY, PhoneCall, TwilioDouble, all_calls, spoken, verbs
from tests.web.test_console_flow import routing_tick

NS = "/console"


def _console(app, staff_client, username: str):
    http, _ = staff_client(username)
    sio = socketio.test_client(app, namespace=NS, flask_test_client=http)
    assert sio.emit("set_state", {"state": "available"}, namespace=NS, callback=True)["ok"]
    sio.get_received(NS)
    return sio


def _offers(sio) -> list[dict]:
    return [e["args"][0] for e in sio.get_received(NS) if e["name"] == "offer"]


def test_a_rolled_back_savepoint_keeps_the_offers_of_the_same_routing_pass(
        app, make_user, staff_client, clock, settings_overrides, backend):
    make_user("first")
    make_user("second")
    first = _console(app, staff_client, "first")
    clock.advance(seconds=30)
    second = _console(app, staff_client, "second")
    rt = app.extensions["helpline"]
    clock.advance(seconds=31)          # both consoles silent for a moment: no offers while callers arrive
    for keys in (("3", "9"), ("3", "1")):          # an urgent caller first, then a child
        call = PhoneCall(TwilioDouble(app.test_client()), ALMATY)
        call.dial()
        for key in keys:
            call.press(key)
    for sio in (first, second):          # both consoles are back: one routing pass, two offers
        sio.emit("heartbeat", {}, namespace=NS, callback=True)
        sio.get_received(NS)

    # Another process offers "second" a call at the same moment: its ringing offer reaches the
    # database between this pass's read and its insert, so this pass's savepoint for "second"
    # rolls back on the unique index.
    instance = Path(settings_overrides["helpline_instance_path"])
    original = rt.dispatcher.may_receive

    def other_process_offers_first(session, user_ids, now):
        allowed = original(session, user_ids, now)
        with backend.other_process(instance) as other:
            second_id = other.scalar(select(User.id).where(User.username == "second"))
            ghost = "f" + secrets.token_hex(15)
            other.execute(insert(Call).values(id=ghost, state="queued", started_at=now, is_urgent=False,
                                              menu_path="", is_resumed=False))
            other.execute(insert(Offer).values(call_id=ghost, user_id=second_id, offered_at=now,
                                               expires_at=now + timedelta(days=1), state="ringing",
                                               is_backup=False))
        rt.dispatcher.may_receive = original
        return allowed

    rt.dispatcher.may_receive = other_process_offers_first
    routing_tick(app)
    offers = _offers(first)
    assert len(offers) == 1 and offers[0]["is_urgent"], "the first offer of the pass was lost"
    assert _offers(second) == []        # its offer came from the other process
    first.disconnect(namespace=NS)
    second.disconnect(namespace=NS)


@pytest.fixture
def redis_down_app(redis_server, make_app):
    app = make_app(redis_url=redis_server.url, socketio_message_queue=False)
    redis_server.stop()
    return app


def test_with_redis_down_the_call_is_answered_registered_and_taken(redis_down_app, make_user,
                                                                    staff_client, clock):
    app = redis_down_app
    make_user("saule")
    sio = _console(app, staff_client, "saule")
    call = PhoneCall(TwilioDouble(app.test_client()), ALMATY)
    doc = call.dial()
    assert verbs(doc) == ["Gather", "Redirect"] and "English" in " ".join(spoken(doc))
    call.press("3")
    call.press("1")
    assert call.enqueue is not None
    (offer,) = _offers(sio)
    reply = sio.emit("accept", {"offer_id": offer["offer_id"]}, namespace=NS, callback=True)
    assert reply["ok"], reply
    conference = call.queue_result("leave")          # the hold loop brings the caller in
    assert conference.find("Dial/Conference") is not None
    clock.advance(seconds=60)
    call.completed()
    (row,) = all_calls(app)
    assert (row.state, row.outcome, row.talk_seconds) == ("ended", "answered", 60)
    sio.disconnect(namespace=NS)
