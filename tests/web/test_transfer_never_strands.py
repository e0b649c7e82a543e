"""The caller is never stranded by a transfer, through a real simulated call: a cold transfer
the carrier could not carry out is undone (the caller stays with the psychologist, who is told
so), and a colleague who never answers a consultation gives the caller back to her."""

from __future__ import annotations

import secrets

from sqlalchemy import func, select

from helpline.extensions import db
from helpline.models import AuditEvent, Call, User
from tests.conftest import wait_until
from tests.web.test_console_flow import routing_tick
from tests.web.test_warm_transfer import _consult, _presence, _row, _steps, _user, warm  # noqa: F401

ASTANA_ID, ALMATY_ID = 1, 2


def test_a_cold_transfer_the_carrier_did_not_make_leaves_the_caller_with_the_psychologist(app, warm):  # noqa: F811
    warm.carrier.faults.rest_fails = True                      # the redirect cannot be made
    reply = warm.post("transfer", {"centre_id": ASTANA_ID, "language": "ru"})
    warm.carrier.faults.rest_fails = False
    assert reply.status_code == 409
    assert reply.get_json()["error"] == ("Not transferred: the phone network did not move the caller. "
                                         "The caller is still with you.")
    assert warm.console.wait_for("transfer_failed")["call_id"] == warm.call_id
    assert warm.console.events("call_ended") == []             # never shown as gone
    with app.app_context():
        call = db.session.get(Call, warm.call_id)
        assert (call.state, call.centre_id, call.language, call.transfer_count) == (
            "answered", ALMATY_ID, "en", 0)
        assert call.bridged_at is not None and call.dequeued_at is not None
        db.session.remove()
    row = _row(app, warm.call_id)
    assert row["agent_id"] == _user(app, "saule")
    assert row["actions"] == ["call.transfer", "call.transfer_failed"]
    assert _presence(app, _user(app, "saule")) == "on_call"
    assert warm.caller.connected and warm.participant("psychologist") is not None
    # and the psychologist can still hang up her call as usual
    assert warm.console.emit("hang_up", {"call_id": warm.call_id})["ok"]
    assert warm.console.wait_for("call_ended")["call_id"] == warm.call_id


def _read(app, query):
    """One value read from the register (``query`` is a select)."""
    with app.app_context():
        found = db.session.scalar(query)
        db.session.remove()
        return found


def _answers(app, call_id):
    return _read(app, select(func.count(AuditEvent.id)).where(
        AuditEvent.object_id == call_id, AuditEvent.action == "call.consult_answered"))


def _public_id(app, user_id):
    return _read(app, select(User.public_id).where(User.id == user_id))


def _ring_unanswered(line):
    line.carrier.colleagues_answer = False                     # her browser rings; nobody picks up
    assert line.post("consult", {"user_id": line.aigul}).status_code == 200
    assert line.colleague.wait_for("consultation")["from"] == "saule"
    assert line.participant("caller").hold and line.participant("colleague") is None


def _given_back(app, line, step):
    """The caller is off hold with the first psychologist, who was told why in words."""
    assert wait_until(lambda: _steps(line) == ["consulting", step])
    assert line.console.events("warm_transfer")[-1]["colleague"] == "aigul"
    assert wait_until(lambda: not line.participant("caller").hold)
    assert line.colleague.wait_for("consultation_over")["call_id"] == line.call_id
    row = _row(app, line.call_id)
    assert row["agent_id"] == _user(app, "saule") and row["actions"] == ["call.consult", "call.consult_lost"]
    assert wait_until(lambda: _presence(app, line.aigul) == "available")
    assert line.caller.connected and line.participant("psychologist") is not None


def test_a_colleague_who_never_answers_gives_the_caller_back_when_the_ring_time_is_over(
        app, warm, clock):  # noqa: F811
    _ring_unanswered(warm)
    ring = app.extensions["helpline"].settings.ring_timeout_seconds
    clock.advance(seconds=ring - 1)
    routing_tick(app)
    assert _steps(warm) == ["consulting"] and warm.participant("caller").hold     # still ringing her
    clock.advance(seconds=2)
    routing_tick(app)
    _given_back(app, warm, "colleague_no_answer")


def test_a_consultation_she_answered_is_not_cut_by_the_ring_time(app, warm, clock):  # noqa: F811
    _consult(warm)
    assert wait_until(lambda: _answers(app, warm.call_id) == 1)
    clock.advance(seconds=app.extensions["helpline"].settings.ring_timeout_seconds * 3)
    routing_tick(app)
    assert _steps(warm) == ["consulting"] and warm.participant("caller").hold
    assert _row(app, warm.call_id)["actions"] == ["call.consult"] and _answers(app, warm.call_id) == 1


def test_the_carrier_saying_she_did_not_answer_gives_the_caller_back_at_once(app, warm, twilio):  # noqa: F811
    _ring_unanswered(warm)
    leg = app.extensions["helpline"].live.by_call(warm.call_id).leg
    status = {"CallSid": "CA" + secrets.token_hex(16), "CallStatus": "no-answer",
              "AccountSid": "AC" + "0" * 32}
    url = f"/ivr/consult/status?leg={leg}&label=colleague-{_public_id(app, warm.aigul)}"
    assert twilio.post(url, status, signature="forged").status_code == 403
    assert twilio.post(url, status, signature="").status_code == 403
    assert _steps(warm) == ["consulting"] and _row(app, warm.call_id)["actions"] == ["call.consult"]
    assert twilio.post(url, status).status_code == 200
    _given_back(app, warm, "colleague_no_answer")
