"""Ask for help and cold transfer to another centre, through the real surface: the console's
HTTP and Socket.IO, the supervisor's board, and signed carrier webhooks for the caller's legs."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from helpline.extensions import db, socketio
from helpline.models import AuditEvent, Call, CallParticipant
from helpline.services.call_staff import staff_of
from tests.conftest import ASTANA, spoken
from tests.web.test_record_and_escalation import answered_call

NS = "/console"
ASTANA_ID, ALMATY_ID = 1, 2


@pytest.fixture(autouse=True)
def redirects(app, monkeypatch) -> list[tuple[str, str]]:
    """The phone network takes the redirects asked of it (these calls are the Twilio double's,
    which the test follows by hand): what was asked."""
    asked: list[tuple[str, str]] = []
    monkeypatch.setattr(app.extensions["helpline"].lifecycle.carrier, "redirect",
                        lambda call_id, path: asked.append((call_id, path)))
    return asked


def received(sio, name):
    return [e["args"][0] for e in sio.get_received(NS) if e["name"] == name]


def talking(app, phone, staff_client):
    """A caller to Almaty talking with saule: (http, headers, socket, call id, phone call)."""
    made = []

    def recorded(to):
        made.append(phone(to))
        return made[-1]

    http, headers, call_id, sio = answered_call(app, recorded, staff_client, None)
    (call,) = made
    call.queue_result("leave")                       # the caller leaves the queue for the conference
    assert call.doc.find("Dial/Conference") is not None
    sio.get_received(NS)
    return http, headers, sio, call_id, call


def leg_of(call) -> str:
    """The caller's leg token, as the carrier's redirect sends it back."""
    action = call.doc.find("Dial").get("action")
    return parse_qs(urlsplit(action).query)["leg"][0]


def test_ask_for_help_alerts_the_supervisor_with_the_risk_so_far_and_on_my_way_reaches_the_console(
        app, make_user, staff_client, phone):
    make_user("saule")
    make_user("sup.almaty", role="supervisor", centre_id=ALMATY_ID)
    make_user("sup.astana", role="supervisor", centre_id=ASTANA_ID)
    sup, sup_headers = staff_client("sup.almaty")
    sup_sio = socketio.test_client(app, namespace=NS, flask_test_client=sup)
    other, other_headers = staff_client("sup.astana")
    other_sio = socketio.test_client(app, namespace=NS, flask_test_client=other)
    http, headers, sio, call_id, _call = talking(app, phone, staff_client)
    draft = {"caller_type": "child", "risk_level": "high", "notes": "Says she cannot go on."}
    assert http.post(f"/console/calls/{call_id}/draft", json=draft, headers=headers).status_code == 200
    sup_sio.get_received(NS)
    other_sio.get_received(NS)

    reply = http.post(f"/console/calls/{call_id}/help", headers=headers)
    assert reply.status_code == 200 and reply.get_json() == {"alerted": ["sup.almaty"]}
    (alert,) = received(sup_sio, "help_request")
    assert (alert["language"], alert["caller_type"], alert["risk_level"]) == ("en", "child", "high")
    assert alert["asked_by"] == "saule" and "cannot go on" not in str(alert)
    assert received(other_sio, "help_request") == []          # another centre's supervisor: nothing

    ack = sup.post(f"/supervisor/calls/{call_id}/help/ack", headers=sup_headers)
    assert ack.status_code == 200
    assert received(sio, "help_acknowledged") == [{"call_id": call_id, "supervisor": "sup.almaty"}]
    assert other.post(f"/supervisor/calls/{call_id}/help/ack", headers=other_headers).status_code == 403
    with app.app_context():
        actions = list(db.session.scalars(select(AuditEvent.action).where(
            AuditEvent.action.startswith("call.help"))))
        assert sorted(actions) == ["call.help_ack", "call.help_request"]
        assert staff_of(db.session, [call_id])[call_id] == ["saule", "sup.almaty"]
        db.session.remove()


def test_help_with_no_supervisor_to_alert_is_refused_in_words(app, make_user, staff_client, phone):
    make_user("saule")
    http, headers, _sio, call_id, _call = talking(app, phone, staff_client)
    reply = http.post(f"/console/calls/{call_id}/help", headers=headers)
    assert reply.status_code == 409 and "no supervisor" in reply.get_json()["error"]


def test_cold_transfer_puts_the_caller_at_the_head_of_the_other_centres_queue_registered_once(
        app, make_user, staff_client, phone, twilio, clock, redirects):
    make_user("saule")
    make_user("aigerim", centre_id=ASTANA_ID, languages=("kk", "ru"))
    http, headers, sio, call_id, call = talking(app, phone, staff_client)
    waiting = phone(ASTANA)                          # a caller already waiting at Astana
    waiting.dial()
    waiting.press("2")
    waiting.press("1")
    clock.advance(seconds=60)

    choices = http.get(f"/console/calls/{call_id}/transfer").get_json()
    assert [c["name"] for c in choices["centres"]] == ["Astana PSC (demo)"]
    refused = http.post(f"/console/calls/{call_id}/transfer", json={"centre_id": ASTANA_ID, "language": "en"},
                        headers=headers)
    assert refused.status_code == 409 and "language" in refused.get_json()["error"]
    reply = http.post(f"/console/calls/{call_id}/transfer", json={"centre_id": ASTANA_ID, "language": "ru"},
                      headers=headers)
    assert reply.status_code == 200 and reply.get_json()["transferred"] is True
    ended = received(sio, "call_ended")
    assert ended[-1]["reason"] == "transferred" and ended[-1]["centre"] == "Astana PSC (demo)"
    assert redirects == [(call_id, "/ivr/transfer?lang=ru&type=child&heard=en")]

    # the carrier follows the redirect: the caller hears why in the language she chose (English),
    # then Astana's words in Russian, and waits in Astana's queue
    doc = twilio.twiml(f"/ivr/transfer?leg={leg_of(call)}&lang=ru&type=child&heard=en", call.params)
    said = spoken(doc)
    assert said[0] == "You are being put through to a psychologist at another centre."
    assert "другого центра" not in " ".join(said) and any("психолог" in words.lower() for words in said[1:])
    assert doc.find("Enqueue").text == f"centre-{ASTANA_ID}"

    aigerim, _ = staff_client("aigerim")
    a_sio = socketio.test_client(app, namespace=NS, flask_test_client=aigerim)
    a_sio.emit("set_state", {"state": "available"}, namespace=NS, callback=True)
    offers = received(a_sio, "offer")
    assert offers[0]["call_id"] == call_id          # before the caller who was already waiting
    assert offers[0]["language"] == "ru" and offers[0]["caller_type"] == "child"
    with app.app_context():
        rows = list(db.session.scalars(select(Call).order_by(Call.started_at)))
        moved = db.session.get(Call, call_id)
        assert len(rows) == 2 and moved.centre_id == ASTANA_ID and moved.transfer_count == 1
        assert moved.caller_type == "child" and moved.state == "queued"
        parts = list(db.session.scalars(select(CallParticipant.part)))
        assert parts == ["transferred"]
        db.session.remove()


def test_a_call_not_yours_can_be_neither_helped_nor_transferred_nor_sent_to_its_own_centre(
        app, make_user, staff_client, phone):
    make_user("saule")
    make_user("dana")
    http, headers, _sio, call_id, _call = talking(app, phone, staff_client)
    dana, dana_headers = staff_client("dana")
    assert dana.post(f"/console/calls/{call_id}/help", headers=dana_headers).status_code == 403
    assert dana.post(f"/console/calls/{call_id}/transfer", json={"centre_id": ASTANA_ID, "language": "ru"},
                     headers=dana_headers).status_code == 403
    same = http.post(f"/console/calls/{call_id}/transfer", json={"centre_id": ALMATY_ID, "language": "ru"},
                     headers=headers)
    assert same.status_code == 409
    bad = http.post(f"/console/calls/{call_id}/transfer", json={"centre_id": "x", "language": "ru"},
                    headers=headers)
    assert bad.status_code == 400
    with app.app_context():
        call = db.session.get(Call, call_id)
        assert (call.transfer_count, call.centre_id, call.state) == (0, ALMATY_ID, "answered")
        assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.action.startswith("call."))) is None
        db.session.remove()


def test_with_nobody_working_at_the_other_centre_the_caller_hears_the_help_numbers_registered_once(
        app, make_user, staff_client, phone, twilio, clock):
    make_user("saule")
    http, headers, sio, call_id, call = talking(app, phone, staff_client)
    assert http.post(f"/console/calls/{call_id}/transfer", json={"centre_id": ASTANA_ID, "language": "ru"},
                     headers=headers).status_code == 200
    call.doc = twilio.twiml(f"/ivr/transfer?leg={leg_of(call)}&lang=ru&type=child", call.params)
    assert sio.emit("set_state", {"state": "break"}, namespace=NS, callback=True)["ok"]

    clock.advance(seconds=46)                     # NO_AGENT_WAIT_SECONDS: nobody is working anywhere
    assert call.wait().find("Leave") is not None
    words = " ".join(spoken(call.queue_result("leave")))
    assert "112" in words or "сто двенадцать" in words.lower()
    call.completed()
    with app.app_context():
        (row,) = db.session.scalars(select(Call)).all()
        assert (row.outcome, row.transfer_count, row.centre_id, row.state) == (
            "no_one_available", 1, ASTANA_ID, "ended")
        db.session.remove()
