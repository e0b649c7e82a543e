"""The supervisor's board says why a waiting call is not ringing for each person, hands a call
to a named person, and puts someone on duty now (through the rota's checks); all audited."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from helpline.extensions import db, socketio
from helpline.models import AuditEvent, Call, Centre, Shift, User
from scheduling import service
from tests.conftest import ALMATY, START

NS = "/console"


@pytest.fixture
def almaty(app, make_user, clock):
    """Almaty keeps a rota: timur (kk, ru) is on line duty now, saule (kk, ru, en) is not."""
    people = {"saule": make_user("saule"), "timur": make_user("timur", languages=("kk", "ru")),
              "sup": make_user("sup", role="supervisor", centre_id=2),
              "sup.astana": make_user("sup.astana", role="supervisor", centre_id=1)}
    with app.app_context():
        rt = app.extensions["helpline"]
        service.add_shift(db.session, db.session.get(Centre, 2), db.session.get(User, people["timur"]),
                          "line", START - timedelta(hours=2), START + timedelta(hours=4), None,
                          clock.now(), rt.settings)
        db.session.commit()
    return people


def console(app, staff_client, username, state="available"):
    http, _ = staff_client(username)
    sio = socketio.test_client(app, namespace=NS, flask_test_client=http)
    sio.emit("set_state", {"state": state}, namespace=NS, callback=True)
    sio.get_received(NS)
    return sio


def offers(sio):
    return [e["args"][0] for e in sio.get_received(NS) if e["name"] == "offer"]


def english_call(phone):
    call = phone(ALMATY)
    call.dial()
    call.press("3")          # English
    call.press("1")          # a child
    return call


def reasons(http) -> dict[str, str]:
    (waiting,) = http.get("/supervisor/board.json").get_json()["waiting"]
    return {entry["name"]: entry["reason"] for entry in waiting["not_offered"]}


def audit(app, action):
    with app.app_context():
        rows = [(e.object_type, e.detail) for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == action))]
        db.session.remove()
    return rows


def test_the_board_says_why_a_waiting_call_rings_for_nobody(app, almaty, staff_client, phone):
    saule = console(app, staff_client, "saule")
    timur = console(app, staff_client, "timur")
    english_call(phone)
    assert offers(saule) == [] and offers(timur) == []
    sup, _ = staff_client("sup")
    assert reasons(sup) == {"saule": "not_on_duty", "timur": "language"}
    agents = {a["name"]: a for a in sup.get("/supervisor/board.json").get_json()["agents"]}
    assert agents["saule"]["on_duty"] is False and agents["timur"]["on_duty"] is True


def test_put_on_duty_now_rings_her_at_once_and_is_audited(app, almaty, staff_client, phone, clock):
    saule = console(app, staff_client, "saule")
    english_call(phone)
    sup, headers = staff_client("sup")
    # the end of the current shift period is the end of timur's shift, 19:00 local
    assert sup.get("/supervisor/board.json").get_json()["duty_ends"] == {"2": "19:00"}
    response = sup.post("/supervisor/duty", json={"user_id": almaty["saule"]}, headers=headers)
    assert response.status_code == 200 and response.get_json()["until"] == "19:00"
    assert len(offers(saule)) == 1                       # routing offered her the call at once
    assert reasons(sup)["saule"] == ""
    until = (START + timedelta(hours=4)).isoformat()
    assert audit(app, "rota.duty_now") == [("shift", f"saule until {until}")]
    again = sup.post("/supervisor/duty", json={"user_id": almaty["saule"]}, headers=headers)
    assert again.status_code == 400 and "already" in again.get_json()["error"]


def test_breaking_a_working_time_rule_needs_a_written_reason(app, almaty, staff_client, clock):
    with app.app_context():    # saule worked 06:00-14:00 local: 1 h of rest instead of 12
        service.add_shift(db.session, db.session.get(Centre, 2), db.session.get(User, almaty["saule"]),
                          "line", START - timedelta(hours=9), START - timedelta(hours=1), None,
                          clock.now(), app.extensions["helpline"].settings)
        db.session.commit()
    sup, headers = staff_client("sup")
    refused = sup.post("/supervisor/duty", json={"user_id": almaty["saule"], "until": "18:00"},
                       headers=headers)
    body = refused.get_json()
    assert refused.status_code == 409 and body["needs_reason"] is True
    assert "write a reason" in body["error"] and body["violations"]
    with app.app_context():
        assert db.session.scalars(select(Shift).where(Shift.user_id == almaty["saule"])).all()[-1] \
            .ends_at == START - timedelta(hours=1)             # nothing was added
        db.session.remove()
    assert audit(app, "rota.duty_now") == []
    done = sup.post("/supervisor/duty", json={"user_id": almaty["saule"], "until": "18:00",
                                              "reason": "Night colleague is ill"}, headers=headers)
    assert done.status_code == 200 and done.get_json()["until"] == "18:00"
    with app.app_context():
        shift = db.session.scalars(select(Shift).where(Shift.user_id == almaty["saule"])
                                   .order_by(Shift.id)).all()[-1]
        assert shift.override_reason == "Night colleague is ill"
        assert shift.ends_at == datetime(2026, 3, 2, 13, 0, tzinfo=START.tzinfo)
        db.session.remove()
    assert "Night colleague is ill" in audit(app, "rota.duty_now")[0][1]


def test_only_supervisors_of_her_centre_put_her_on_duty(app, almaty, staff_client, make_user):
    other, headers = staff_client("sup.astana")
    assert other.post("/supervisor/duty", json={"user_id": almaty["saule"]},
                      headers=headers).status_code == 403
    timur, headers = staff_client("timur")
    assert timur.post("/supervisor/duty", json={"user_id": almaty["saule"]},
                      headers=headers).status_code == 403
    make_user("admin", role="administrator", centre_id=None)
    admin, headers = staff_client("admin")
    assert admin.post("/supervisor/duty", json={"user_id": almaty["saule"], "until": "nine"},
                      headers=headers).status_code == 400
    assert admin.post("/supervisor/duty", json={"user_id": almaty["saule"]},
                      headers=headers).status_code == 200


def test_a_call_handed_to_a_named_person_rings_her_and_she_can_answer(app, almaty, staff_client, phone):
    saule = console(app, staff_client, "saule")
    english_call(phone)
    sup, headers = staff_client("sup")
    with app.app_context():
        call_id = db.session.scalar(select(Call.id))
        db.session.remove()
    response = sup.post(f"/supervisor/calls/{call_id}/hand", json={"user_id": almaty["saule"]},
                        headers=headers)
    assert response.status_code == 200
    (offer,) = offers(saule)
    assert offer["call_id"] == call_id
    assert audit(app, "call.handed") == [("call", "saule")]
    reply = saule.emit("accept", {"offer_id": offer["offer_id"]}, namespace=NS, callback=True)
    assert reply["ok"] is True
    gone = sup.post(f"/supervisor/calls/{call_id}/hand", json={"user_id": almaty["saule"]},
                    headers=headers)
    assert gone.status_code == 409 and "no longer waiting" in gone.get_json()["error"]


def test_handing_is_refused_in_words_when_she_is_not_available(app, almaty, staff_client, phone):
    console(app, staff_client, "saule", state="break")
    english_call(phone)
    sup, headers = staff_client("sup")
    with app.app_context():
        call_id = db.session.scalar(select(Call.id))
        db.session.remove()
    refused = sup.post(f"/supervisor/calls/{call_id}/hand", json={"user_id": almaty["saule"]},
                       headers=headers)
    assert refused.status_code == 409
    assert refused.get_json()["error"] == "Not handed: saule is no longer Available."
    assert audit(app, "call.handed") == []
    other, headers = staff_client("sup.astana")
    assert other.post(f"/supervisor/calls/{call_id}/hand", json={"user_id": almaty["saule"]},
                      headers=headers).status_code == 403
    assert sup.post(f"/supervisor/calls/{call_id}/hand", json={"user_id": "x"},
                    headers=headers).status_code == 400
