"""Ids too large for any row, JSON bodies that are not objects, socket numbers out of range: each
is refused in words (4xx, the field named), never a 500, and nothing is written; and opening a
page never writes."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from helpline.extensions import db, socketio
from helpline.models import Absence, AuditEvent, Request, Shift, SwapRequest, User
from tests.web.test_record_and_escalation import answered_call

HUGE = str(10**30)
NS = "/console"


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _supervisor_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.role == "supervisor"))


@pytest.mark.parametrize("query", [f"centre={HUGE}", "centre=-1", f"centre={2**63}"])
def test_the_register_refuses_a_centre_id_no_centre_can_have(signed_in, query):
    client, _ = signed_in("administrator")
    response = client.get(f"/requests?{query}")
    assert response.status_code == 400
    assert "Centre: choose one from the list" in response.get_data(as_text=True)


def test_a_request_for_a_huge_centre_is_refused_on_the_form_and_not_saved(app, signed_in):
    client, headers = signed_in("administrator")
    response = client.post("/requests", headers=headers, data={
        "centre": HUGE, "channel": "email", "received": "2026-03-01T10:00"})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Centre: choose one from the list" in text and 'value="2026-03-01T10:00"' in text
    assert _count(app, Request) == 0


def test_the_rota_refuses_a_huge_centre_and_shows_a_centre_it_has(signed_in):
    client, _ = signed_in("administrator")
    response = client.get(f"/rota?centre={HUGE}")
    assert response.status_code == 400
    assert "Centre: choose one from the list" in response.get_data(as_text=True)


@pytest.mark.parametrize("path,form,model", [
    ("/rota/shifts", {"day": "2026-03-02", "from": "08:00", "to": "20:00"}, Shift),
    ("/rota/absences", {"first": "2026-03-02", "last": "2026-03-03", "kind": "leave"}, Absence),
])
@pytest.mark.parametrize("user_id", [HUGE, "-1", str(2**63)])
def test_the_rota_refuses_a_person_id_no_one_can_have(app, signed_in, path, form, model, user_id):
    client, headers = signed_in("supervisor")
    response = client.post(path, headers=headers, data={"centre": "2", "user_id": user_id, **form})
    assert response.status_code == 400
    assert "Person: choose one from the list" in response.get_data(as_text=True)
    assert _count(app, model) == 0


def test_a_template_for_a_huge_person_id_is_refused(app, signed_in):
    client, headers = signed_in("supervisor")
    response = client.post("/rota/template", headers=headers, data={
        "centre": "2", "pattern": "2x12", "people": [str(_supervisor_id(app)), HUGE],
        "first": "2026-03-02", "last": "2026-03-08", "start_hour": "8"})
    assert response.status_code == 400
    assert "People, in turn: choose one from the list" in response.get_data(as_text=True)
    assert _count(app, Shift) == 0


def test_a_swap_with_a_huge_colleague_id_is_refused_in_words(app, signed_in):
    sup, sup_headers = signed_in("supervisor")
    psych, headers = signed_in("psychologist")
    with app.app_context():
        psych_id = db.session.scalar(select(User.id).where(User.role == "psychologist"))
    assert sup.post("/rota/shifts", headers=sup_headers, data={
        "centre": "2", "user_id": str(psych_id), "day": "2026-03-04", "from": "08:00",
        "to": "20:00"}).status_code == 303
    with app.app_context():
        shift_id = db.session.scalar(select(Shift.id))
    response = psych.post(f"/my-shifts/{shift_id}/swap", headers=headers,
                          data={"colleague_id": HUGE})
    assert response.status_code == 303
    page = psych.get(response.location).get_data(as_text=True)
    assert "Colleague: choose one from the list" in page
    assert _count(app, SwapRequest) == 0


def test_ticking_an_escalation_with_a_body_that_is_not_an_object_is_refused(
        app, make_user, staff_client, phone, clock):
    make_user("saule")
    make_user("sup.almaty", role="supervisor", centre_id=2)
    http, headers, call_id, _sio = answered_call(app, phone, staff_client, clock)
    escalation_id = http.post(f"/console/calls/{call_id}/escalate",
                              headers=headers).get_json()["escalation_id"]
    sup, sup_headers = staff_client("sup.almaty")
    for body in ([1], "police", 7):
        response = sup.post(f"/supervisor/escalations/{escalation_id}/notified", json=body,
                            headers=sup_headers)
        assert response.status_code == 400 and response.get_json()["error"], body
    board = sup.get("/supervisor/board.json").get_json()
    assert not [i for i in board["escalations"][0]["checklist"] if i.get("notified_at")]


@pytest.mark.parametrize("event", ["accept", "decline"])
@pytest.mark.parametrize("offer_id", [10**30, 2**31, 0, -1])
def test_an_offer_id_out_of_range_is_refused_naming_the_field(app, signed_in, event, offer_id, caplog):
    client, _ = signed_in("psychologist")
    sio = socketio.test_client(app, namespace=NS, flask_test_client=client)
    reply = sio.emit(event, {"offer_id": offer_id}, namespace=NS, callback=True)
    sio.disconnect(namespace=NS)
    assert reply["ok"] is False
    assert "offer_id" in reply["error"] and "problem on the server" not in reply["error"]
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


def test_opening_my_shifts_writes_nothing_until_the_person_asks_for_an_address(app, signed_in):
    client, headers = signed_in("psychologist")
    page = client.get("/my-shifts").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(User.calendar_token).where(User.role == "psychologist")) is None
    assert 'id="feed"' not in page and "Make my calendar address" in page
    response = client.post("/my-shifts/calendar-feed", headers=headers)
    assert response.status_code == 303
    page = client.get(response.location).get_data(as_text=True)
    with app.app_context():
        token = db.session.scalar(select(User.calendar_token).where(User.role == "psychologist"))
        assert db.session.query(AuditEvent).filter_by(action="calendar_feed.create").count() == 1
    assert token and f"/calendar/{token}.ics" in page
    assert "Make a new address" in page
