"""Case 1: the live-call state is lost (the process restarted, or Redis restarted empty) while a
caller waits.  The caller stays on the line as a resumed call; the orphaned entry is closed as
``interrupted``; its ringing offer is withdrawn without putting anyone on Break; no ghost is
ever offered."""

from __future__ import annotations

import secrets
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import text

from helpline.extensions import db
from helpline.models import AgentPresence, Call, Offer
from tests.conftest import ALMATY, PhoneCall, TwilioDouble, all_calls, spoken, verbs, wait_until
from tests.faults.conftest import HttpTwilio, reconcile


def _params(to: str = ALMATY) -> dict[str, str]:
    return {"AccountSid": "AC" + "0" * 32, "CallSid": "CA" + secrets.token_hex(16),
            "From": "+77051234567", "To": to, "Direction": "inbound", "CallStatus": "in-progress",
            "ApiVersion": "2010-04-01"}


def _rows(backend, instance) -> list[tuple]:
    """The register as another process reads it."""
    with backend.other_process(instance) as con:
        return [tuple(row) for row in con.execute(text(
            "SELECT state, outcome, is_resumed, language, caller_type, queued_at "
            "FROM calls ORDER BY started_at"))]


def test_a_process_killed_and_restarted_keeps_the_waiting_caller(server_process, tmp_path, backend):
    # the reconciler closes a ghost once it has been silent this long (60 s in production)
    server = server_process({"CARRIER_SILENCE_SECONDS": "2", "RECONCILE_INTERVAL_SECONDS": "1"})
    server.command("db", "upgrade")
    server.command("demo-data")
    server.start()
    twilio = HttpTwilio(server.base_url)
    params = _params()
    doc = twilio.twiml("/ivr/voice", params)
    doc = twilio.twiml(doc.find("Gather").get("action"), {**params, "Digits": "3"})    # English
    doc = twilio.twiml(doc.find("Gather").get("action"), {**params, "Digits": "1"})    # a child
    enqueue = doc.find("Enqueue")
    hold = twilio.twiml(enqueue.get("waitUrl"), {**params, "QueuePosition": "1", "QueueTime": "5"})
    assert verbs(hold)[-1] == "Play"

    server.kill()                       # SIGKILL: the process's live-call map is gone
    backend.flush_live_state()          # with Redis, the machine and its Redis died together
    server.start()                      # the same database, an empty live-call map

    hold = twilio.twiml(enqueue.get("waitUrl"), {**params, "QueuePosition": "1", "QueueTime": "40"})
    said = " ".join(spoken(hold))
    assert "technical problem" in said and "keep your place" in said and "number 1 in line" in said
    assert verbs(hold)[-1] == "Play"    # still waiting, not <Leave/>
    instance = tmp_path / "instance"
    assert wait_until(lambda: _rows(backend, instance)[0][0] == "ended", timeout=20)   # the reconciler ran
    first, resumed = _rows(backend, instance)
    assert first[:3] == ("ended", "interrupted", 0)           # closed by the reconciler
    assert resumed[:5] == ("queued", None, 1, "en", "child")   # the caller goes on, same choices

    # the queue's action for a caller who hangs up, then the status callback: closed once
    twilio.twiml(enqueue.get("action"), {**params, "QueueResult": "hangup", "QueueTime": "50"})
    twilio.twiml("/ivr/status", {**params, "CallStatus": "completed", "CallDuration": "60"})
    assert [row[:2] for row in _rows(backend, instance)] == [("ended", "interrupted"),
                                                   ("ended", "abandoned_in_queue")]


@pytest.fixture
def redis_app(redis_server, make_app):
    return make_app(redis_url=redis_server.url, socketio_message_queue=False)


def test_redis_restarted_empty_keeps_the_caller_and_closes_the_ghost(redis_app, redis_server, clock):
    call = PhoneCall(TwilioDouble(redis_app.test_client()), ALMATY)
    call.dial()
    call.press("3")
    call.press("2")
    wait_url = call.enqueue.get("waitUrl")
    assert parse_qs(urlsplit(wait_url).query)["type"] == ["parent"]

    redis_server.stop()
    redis_server.start()               # empty: every live mapping is gone
    clock.advance(seconds=20)
    hold = call.twilio.twiml(wait_url, {**call.params, "QueuePosition": "1", "QueueTime": "20"})
    assert "technical problem" in spoken(hold)[0] and verbs(hold)[-1] == "Play"
    clock.advance(seconds=41)          # the orphaned entry has been silent for a minute
    assert "1 interrupted" in reconcile(redis_app)
    first, resumed = all_calls(redis_app)
    assert (first.state, first.outcome) == ("ended", "interrupted")
    assert resumed.is_resumed and resumed.state == "queued" and resumed.caller_type == "parent"
    assert (clock.now() - resumed.queued_at).total_seconds() == 20 + 41   # keeps its place in line


def test_a_ghost_offer_is_withdrawn_without_a_break_and_never_offered_again(
        redis_app, redis_server, clock, make_user, staff_client):
    from helpline.extensions import socketio

    make_user("saule")
    http, _ = staff_client("saule")
    sio = socketio.test_client(redis_app, namespace="/console", flask_test_client=http)
    assert sio.emit("set_state", {"state": "available"}, namespace="/console", callback=True)["ok"]
    call = PhoneCall(TwilioDouble(redis_app.test_client()), ALMATY)
    call.dial()
    call.press("3")
    call.press("1")
    offers = [e["args"][0] for e in sio.get_received("/console") if e["name"] == "offer"]
    assert len(offers) == 1

    redis_server.stop()
    redis_server.start()               # the caller's live state is gone while it rings
    from tests.web.test_console_flow import routing_tick

    clock.advance(seconds=21)          # the ring times out: withdrawn, and no Break for a ghost
    sio.emit("heartbeat", {}, namespace="/console", callback=True)
    routing_tick(redis_app)
    received = sio.get_received("/console")
    withdrawn = [e["args"][0] for e in received if e["name"] == "offer_withdrawn"]
    assert withdrawn == [{"offer_id": offers[0]["offer_id"], "reason": "caller_lost"}]
    clock.advance(seconds=40)          # silent for a minute: the reconciler closes it
    sio.emit("heartbeat", {}, namespace="/console", callback=True)
    assert "1 interrupted" in reconcile(redis_app)
    routing_tick(redis_app)
    with redis_app.app_context():
        assert db.session.get(AgentPresence, _user_id(redis_app, "saule")).state == "available"
        assert db.session.query(Offer).count() == 1          # ... and the ghost is never offered again
        assert db.session.query(Call).one().outcome == "interrupted"
    # accepting the old offer is refused in words
    reply = sio.emit("accept", {"offer_id": offers[0]["offer_id"]}, namespace="/console", callback=True)
    assert reply["ok"] is False and "no longer ringing" in reply["error"]
    sio.disconnect(namespace="/console")


def test_accepting_a_ghost_while_it_rings_closes_it_and_says_why(redis_app, redis_server, make_user,
                                                                 staff_client):
    from helpline.extensions import socketio

    make_user("saule")
    http, _ = staff_client("saule")
    sio = socketio.test_client(redis_app, namespace="/console", flask_test_client=http)
    sio.emit("set_state", {"state": "available"}, namespace="/console", callback=True)
    call = PhoneCall(TwilioDouble(redis_app.test_client()), ALMATY)
    call.dial()
    call.press("3")
    call.press("1")
    (offer,) = [e["args"][0] for e in sio.get_received("/console") if e["name"] == "offer"]
    redis_server.stop()
    redis_server.start()               # the caller's live state is gone while it rings
    reply = sio.emit("accept", {"offer_id": offer["offer_id"]}, namespace="/console", callback=True)
    assert reply["ok"] is False and "line was lost" in reply["error"]
    with redis_app.app_context():      # the refusal kept what it found: closed, nobody on it
        assert db.session.query(Call).one().outcome == "interrupted"
        assert db.session.get(Offer, offer["offer_id"]).state == "withdrawn"
        assert db.session.get(AgentPresence, _user_id(redis_app, "saule")).state == "available"
    sio.disconnect(namespace="/console")


def _user_id(app, username: str) -> int:
    from sqlalchemy import select

    from helpline.models import User

    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == username))
