"""Warm transfer through the console's HTTP API and a real simulated call (signed webhooks,
TwiML, a conference): the caller holds while the psychologist consults a colleague, then is
handed over or taken back, and is never lost when the colleague's leg drops."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from helpline.extensions import db
from helpline.models import AgentPresence, AuditEvent, Call, User
from helpline.services import call_staff
from tests.conftest import wait_until
from tests.faults.test_carrier_faults import Console, _answered_call
from tests.web.test_privacy import WsgiTransport


@pytest.fixture
def warm(app, make_user, staff_client):
    """A simulated caller answered by psychologist "saule"; colleague "aigul" available."""
    carrier = app.extensions["carrier"]
    carrier.speed = 0.02
    carrier._transport = WsgiTransport(app.test_client())
    make_user("saule")
    make_user("aigul")
    console = Console(app, staff_client, "saule")
    caller = _answered_call(app, console)
    colleague = Console(app, staff_client, "aigul")
    assert colleague.emit("set_state", {"state": "available"})["ok"]

    class Warm:
        call_id = console.events("call_connected")[-1]["call_id"]

        def post(self, what, body=None, who=console):
            return who.http.post(f"/console/calls/{self.call_id}/{what}", json=body or {},
                                 headers=who.headers)

        def participant(self, role):
            view = caller.conference
            return next((p for p in view.participants if p.role == role), None) if view else None

    found = Warm()
    found.caller, found.console, found.colleague, found.carrier = caller, console, colleague, carrier
    found.aigul = _user(app, "aigul")
    yield found
    caller.hang_up()
    caller.wait_for(lambda c: c.finished)


def _user(app, username):
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.username == username))
        db.session.remove()
        return user_id


def _row(app, call_id):
    with app.app_context():
        call = db.session.get(Call, call_id)
        actions = db.session.scalars(select(AuditEvent.action).where(   # her answer: whenever it came
            AuditEvent.object_id == call_id, AuditEvent.action.like("call.%"),
            AuditEvent.action != "call.consult_answered").order_by(AuditEvent.id)).all()
        staff = call_staff.staff_of(db.session, [call_id])[call_id]
        found = {"agent_id": call.agent_id, "transfers": call.transfer_count, "lost": call.agent_lost_at,
                 "actions": actions, "staff": staff}
        db.session.remove()
        return found


def _presence(app, user_id):
    with app.app_context():
        state = db.session.get(AgentPresence, user_id).state
        db.session.remove()
        return state


def _steps(warm):
    return [e["step"] for e in warm.console.events("warm_transfer")]


def _consult(warm):
    reply = warm.post("consult", {"user_id": warm.aigul})
    assert reply.status_code == 200, reply.get_json()
    assert reply.get_json()["colleague"] == "aigul"
    consultation = warm.colleague.wait_for("consultation")
    assert consultation["from"] == "saule"                                # her console rings
    assert consultation["ring_seconds"] == 20          # as long as the line rings her, no longer
    assert warm.participant("caller").hold
    assert any(e.text == "On hold, music" for e in warm.caller.events)
    assert warm.participant("colleague") is not None
    view = warm.caller.conference
    caller = warm.participant("caller")
    assert view.hears(caller.handle) == []                              # the caller hears only music
    assert sorted(view.hears(warm.participant("psychologist").handle)) == ["colleague"]


def test_hand_over_makes_the_colleague_the_calls_psychologist(app, warm):
    _consult(warm)
    reply = warm.post("handover")
    assert reply.status_code == 200 and reply.get_json()["handed_over"] == "aigul"
    ended = warm.console.wait_for("call_ended")
    assert ended["reason"] == "handed_over" and ended["colleague"] == "aigul"
    assert warm.colleague.wait_for("handed_over")["call_id"] == warm.call_id
    assert warm.colleague.events("call_connected")[-1]["call_id"] == warm.call_id   # her call now
    assert wait_until(lambda: warm.participant("psychologist") is None)
    assert warm.participant("caller") is not None                      # the caller stays on
    assert not warm.participant("caller").hold and warm.participant("colleague") is not None
    assert warm.caller.connected and not warm.caller.finished
    row = _row(app, warm.call_id)
    assert row["agent_id"] == warm.aigul and row["transfers"] == 1 and row["lost"] is None
    assert row["actions"] == ["call.consult", "call.handover"]
    assert sorted(row["staff"]) == ["aigul", "saule"]                   # both took part
    assert _presence(app, _user(app, "saule")) == "wrap_up"
    assert _presence(app, warm.aigul) == "on_call"


def test_take_back_lets_the_colleague_go_and_the_caller_off_hold(app, warm):
    _consult(warm)
    assert warm.post("take-back").status_code == 200
    assert wait_until(lambda: _steps(warm) == ["consulting", "taken_back"])
    assert wait_until(lambda: warm.participant("colleague") is None)
    assert not warm.participant("caller").hold
    assert any(e.text == "Off hold: back in the conversation" for e in warm.caller.events)
    row = _row(app, warm.call_id)
    assert row["agent_id"] == _user(app, "saule") and row["transfers"] == 0 and row["lost"] is None
    assert row["actions"] == ["call.consult", "call.take_back"]
    assert _presence(app, warm.aigul) == "available"
    assert warm.caller.connected and not warm.caller.finished


def test_a_colleague_who_drops_gives_the_caller_back_to_the_first_psychologist(app, warm):
    _consult(warm)
    warm.carrier.get(warm.participant("colleague").handle).leave()     # her line drops
    assert wait_until(lambda: _steps(warm) == ["consulting", "colleague_lost"])
    assert warm.console.events("warm_transfer")[-1]["colleague"] == "aigul"   # told in words
    assert wait_until(lambda: not warm.participant("caller").hold)
    row = _row(app, warm.call_id)
    assert row["agent_id"] == _user(app, "saule") and row["lost"] is None
    assert row["actions"] == ["call.consult", "call.consult_lost"]
    assert wait_until(lambda: _presence(app, warm.aigul) == "available")
    assert warm.caller.connected and not warm.caller.finished
    assert warm.participant("psychologist") is not None


def test_what_cannot_be_done_is_refused_in_words(app, warm, make_user, staff_client):
    assert warm.post("handover").status_code == 409                     # nobody consulted yet
    assert "no colleague" in warm.post("take-back").get_json()["error"]
    make_user("erlan")
    nobody = _user(app, "erlan")                                         # signed out: not available
    reply = warm.post("consult", {"user_id": nobody})
    assert reply.status_code == 409 and "available" in reply.get_json()["error"]
    assert warm.post("consult", {}).status_code == 400
    assert warm.post("consult", {"user_id": warm.aigul}, who=warm.colleague).status_code == 403
    assert not warm.participant("caller").hold and warm.participant("colleague") is None
    assert _row(app, warm.call_id)["actions"] == []


def test_a_psychologist_who_drops_while_the_caller_holds_sends_the_caller_to_the_queue(app, warm, clock):
    _consult(warm)
    assert warm.carrier.drop_agent(warm.caller.handle)                  # her line drops
    assert warm.caller.wait_for(lambda c: any(e.kind == "http" and "/ivr/agent-lost" in e.text
                                              for e in c.events)), _tail(warm)   # told, kept on the line
    assert wait_until(lambda: _presence(app, warm.aigul) == "available")   # the colleague let go
    assert warm.colleague.wait_for("consultation_over")["call_id"] == warm.call_id
    clock.advance(seconds=app.extensions["helpline"].settings.agent_rejoin_seconds + 1)
    assert wait_until(lambda: _state(app, warm.call_id) == "queued", timeout=15), _tail(warm)
    assert warm.caller.wait_for(lambda c: c.status == "queued", timeout=15), _tail(warm)
    assert not warm.caller.finished                                     # waiting, not dropped
    assert "call.consult_lost" in _row(app, warm.call_id)["actions"]


def test_a_caller_who_hangs_up_during_a_consultation_frees_the_colleague(app, warm):
    _consult(warm)
    warm.caller.hang_up()
    assert warm.caller.wait_for(lambda c: c.finished)
    assert warm.colleague.wait_for("consultation_over")["call_id"] == warm.call_id
    assert wait_until(lambda: _presence(app, warm.aigul) == "available")
    assert wait_until(lambda: _state(app, warm.call_id) == "ended")


def _tail(warm):
    return "\n".join(str(e.as_dict()) for e in warm.caller.events[-8:])


def _state(app, call_id):
    with app.app_context():
        state = db.session.get(Call, call_id).state
        db.session.remove()
        return state
