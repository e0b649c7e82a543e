"""No cell of a CSV the product writes runs as a formula; topic codes are identifiers; a console
event with no payload or the wrong shape is answered in words."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from helpline.csvout import FORMULA_STARTS, neutralise
from helpline.extensions import db, socketio
from helpline.models import Call, Centre, Request, Topic
from helpline.services.calls import new_call_id

EVIL = '=2+5+cmd|" /c calc"!a1'
NS = "/console"


def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def _never_a_formula(text: str) -> None:
    cells = _cells(text)
    assert "'" + EVIL in cells, "the code reaches the CSV, as text"
    assert not [cell for cell in cells if cell.startswith(FORMULA_STARTS)]


@pytest.fixture
def evil_topic(app, clock):
    """A topic code (and name) from before codes were checked, used by a request at the Almaty centre, and a
    centre whose name was typed as a formula."""
    with app.app_context():
        db.session.add(Topic(code=EVIL, name_en=EVIL, name_ru=EVIL, name_kk=EVIL, is_active=True))
        now = clock.now()
        db.session.add(Request(centre_id=2, channel="email", received_at=now - timedelta(hours=1),
                               due_at=now + timedelta(days=2), status="open", topics=EVIL,
                               updated_at=now))
        db.session.get(Centre, 2).name = "@SUM(1+1)*cmd"
        db.session.add(Call(id=new_call_id(), centre_id=2, state="ended", started_at=now,
                            ended_at=now, is_urgent=False, menu_path="", outcome="answered"))
        db.session.commit()


def test_the_period_report_csv_writes_a_formula_topic_as_text(evil_topic, signed_in):
    client, _ = signed_in("supervisor")
    response = client.get("/reports?from=2026-03-01&to=2026-03-02&format=csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    _never_a_formula(response.get_data(as_text=True))


def test_the_authoritys_monthly_csv_writes_a_formula_topic_as_text(evil_topic, helpline_cli):
    result = helpline_cli("reports", "monthly", "--month", "2026-03")
    assert result.exit_code == 0, result.output
    _never_a_formula(result.output)
    assert "'@SUM(1+1)*cmd" in _cells(result.output)


def test_the_register_export_writes_a_formula_centre_name_as_text(evil_topic, helpline_cli):
    result = helpline_cli("calls", "export")
    assert result.exit_code == 0, result.output
    cells = _cells(result.output)
    assert "'@SUM(1+1)*cmd" in cells
    assert not [cell for cell in cells if cell.startswith(FORMULA_STARTS)]


def test_cells_are_neutralised_but_numbers_stay_numbers():
    assert [neutralise(v) for v in ("=1", "+1", "-1", "@a", "\tx", "\rx")] == [
        "'=1", "'+1", "'-1", "'@a", "'\tx", "'\rx"]
    assert [neutralise(v) for v in (-3, 2.5, "bullying", "2026-03-01", "<5", "")] == [
        -3, 2.5, "bullying", "2026-03-01", "<5", ""]


def test_a_topic_code_that_is_not_an_identifier_is_refused_with_the_form_kept(app, signed_in):
    client, headers = signed_in("administrator")
    response = client.post("/admin/topics", headers=headers, data={
        "code": EVIL, "name_en": "Calculator", "name_ru": "Калькулятор", "name_kk": "Калькулятор"})
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Code: Only Latin letters, digits and _" in text and 'value="Калькулятор"' in text
    with app.app_context():
        assert db.session.query(Topic).filter(Topic.name_en == "Calculator").count() == 0
    accepted = client.post("/admin/topics", headers=headers, data={
        "code": "online_safety", "name_en": "Online safety", "name_ru": "Безопасность в сети",
        "name_kk": "Желідегі қауіпсіздік"})
    assert accepted.status_code == 303    # See Other: the topics page again, by GET


@pytest.fixture
def console_socket(app, signed_in):
    client, _ = signed_in("psychologist")
    sio = socketio.test_client(app, namespace=NS, flask_test_client=client)
    yield sio
    if sio.is_connected(NS):
        sio.disconnect(namespace=NS)


@pytest.mark.parametrize("event,field", [("set_state", "state"), ("accept", "offer_id"),
                                         ("decline", "offer_id"), ("rejoin", "call_id"),
                                         ("hang_up", "call_id")])
def test_a_console_event_without_its_payload_is_answered_in_words(console_socket, event, field):
    for payload in ((), ([],), (7,), ("text",), ({field: [1]},), ({field: None},)):
        reply = console_socket.emit(event, *payload, namespace=NS, callback=True)
        assert reply["ok"] is False, (payload, reply)
        assert field in reply["error"] and "This was not done" in reply["error"]


def test_a_heartbeat_needs_no_payload(console_socket):
    assert console_socket.emit("heartbeat", namespace=NS, callback=True) == {"ok": True}
    assert console_socket.emit("heartbeat", [1], namespace=NS, callback=True) == {"ok": True}
