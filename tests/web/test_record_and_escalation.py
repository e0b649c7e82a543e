"""The contact record (validated, notes encrypted) and immediate-danger escalation."""

from __future__ import annotations

from helpline.extensions import db, socketio
from helpline.models import ContactRecord
from tests.conftest import ALMATY

NS = "/console"


def answered_call(app, phone, staff_client, clock, username="saule"):
    """A call answered by ``username``: returns (http client, csrf headers, call id, socket)."""
    http, headers = staff_client(username)
    sio = socketio.test_client(app, namespace=NS, flask_test_client=http)
    sio.emit("set_state", {"state": "available"}, namespace=NS, callback=True)
    call = phone(ALMATY)
    call.dial()
    call.press("3")
    call.press("1")
    offers = [e["args"][0] for e in sio.get_received(NS) if e["name"] == "offer"]
    reply = sio.emit("accept", {"offer_id": offers[0]["offer_id"]}, namespace=NS, callback=True)
    return http, headers, reply["call_id"], sio


def request_with_follow_up(app, make_user, staff_client, phone, clock, detail: str,
                          action: str = "meeting"):
    """saule (Almaty) answers a call, saves its record (which opens a request) and adds a
    follow-up with ``detail``: returns (her client, csrf headers, call id, request id)."""
    from helpline.models import Request
    from tests.conftest import csrf_from

    make_user("saule")
    http, headers, call_id, _sio = answered_call(app, phone, staff_client, clock)
    assert http.post(f"/console/calls/{call_id}/record", json=RECORD, headers=headers).status_code == 200
    with app.app_context():
        request_id = db.session.query(Request).one().id
        db.session.remove()
    token = csrf_from(http.get(f"/requests/{request_id}").get_data(as_text=True))
    assert http.post(f"/requests/{request_id}", data={
        "csrf_token": token, "action": action, "detail": detail}).status_code == 303
    return http, headers, call_id, request_id


RECORD = {
    "caller_type": "child", "age_band": "14_15", "gender": "not_said",
    "topics": ["bullying", "cyberbullying"], "risk_level": "medium", "consent": "not_required",
    "referrals": ["advice", "school_psychologist"], "follow_up_needed": True,
    "follow_up_due": "2026-03-04", "notes": "Classmates post mocking pictures in a group chat.",
}


def test_the_record_is_saved_with_notes_encrypted_at_rest(app, make_user, staff_client, phone, clock,
                                                          backend):
    make_user("saule")
    http, headers, call_id, _sio = answered_call(app, phone, staff_client, clock)
    response = http.post(f"/console/calls/{call_id}/record", json=RECORD, headers=headers)
    assert response.status_code == 200 and response.get_json() == {"saved": True, "escalation_id": None}
    again = http.get(f"/console/calls/{call_id}/record").get_json()["record"]
    assert again["notes"] == RECORD["notes"] and again["topics"] == ["bullying", "cyberbullying"]
    with app.app_context():
        record = db.session.query(ContactRecord).one()
        assert RECORD["notes"].encode() not in record.notes_encrypted
        db.session.remove()
    raw = backend.stored_bytes(app)
    assert b"mocking pictures" not in raw


def test_bad_records_get_a_clear_error_and_change_nothing(app, make_user, staff_client, phone, clock):
    make_user("saule")
    http, headers, call_id, _sio = answered_call(app, phone, staff_client, clock)
    cases = [
        ({**RECORD, "risk_level": "apocalyptic"}, "risk_level"),
        ({**RECORD, "consent": None}, "consent"),            # under 16 and a child: rule 15
        ({**RECORD, "follow_up_due": "2026-02-01"}, "follow_up_due"),
        ({**RECORD, "follow_up_due": "tomorrow"}, "follow_up_due"),
        ({**RECORD, "topics": ["astrology"]}, "topics"),
        ({**RECORD, "topics": "bullying"}, "topics"),
    ]
    for body, field in cases:
        response = http.post(f"/console/calls/{call_id}/record", json=body, headers=headers)
        assert response.status_code == 400 and response.get_json()["field"] == field, body
    assert http.post(f"/console/calls/{call_id}/record", data="x", headers=headers).status_code == 400
    assert http.post(f"/console/calls/{call_id}/record", json=RECORD).status_code == 400  # no CSRF
    with app.app_context():
        assert db.session.query(ContactRecord).count() == 0


def test_only_the_answering_psychologist_or_a_supervisor_of_the_centre_may_write(
        app, make_user, staff_client, phone, clock):
    make_user("saule")
    make_user("other")
    make_user("sup.astana", role="supervisor", centre_id=1)
    _http, _h, call_id, _sio = answered_call(app, phone, staff_client, clock)
    other, headers = staff_client("other")
    assert other.post(f"/console/calls/{call_id}/record", json=RECORD, headers=headers).status_code == 403
    sup, headers = staff_client("sup.astana")
    assert sup.get(f"/console/calls/{call_id}/record").status_code == 403


def test_immediate_danger_alerts_supervisors_and_keeps_a_timed_checklist(
        app, make_user, staff_client, phone, clock):
    make_user("saule")
    make_user("sup.almaty", role="supervisor", centre_id=2)
    make_user("sup.astana", role="supervisor", centre_id=1)
    sup_http, sup_headers = staff_client("sup.almaty")
    sup = socketio.test_client(app, namespace=NS, flask_test_client=sup_http)
    astana_http, _ = staff_client("sup.astana")
    astana = socketio.test_client(app, namespace=NS, flask_test_client=astana_http)
    http, headers, call_id, _sio = answered_call(app, phone, staff_client, clock)
    sup.get_received(NS)
    astana.get_received(NS)

    body = {**RECORD, "risk_level": "immediate", "consent": "immediate_threat"}
    saved = http.post(f"/console/calls/{call_id}/record", json=body, headers=headers).get_json()
    escalation_id = saved["escalation_id"]
    assert escalation_id
    alerts = [e["args"][0] for e in sup.get_received(NS) if e["name"] == "escalation"]
    assert alerts and alerts[0]["id"] == escalation_id
    assert alerts[0]["due_at"] == "2026-03-02T19:00:00+00:00"     # midnight in UTC+5: same day
    assert not [e for e in astana.get_received(NS) if e["name"] == "escalation"]

    # the always-visible button does not open a second escalation for the same call
    again = http.post(f"/console/calls/{call_id}/escalate", headers=headers).get_json()
    assert again["escalation_id"] == escalation_id

    board = sup_http.get("/supervisor/board.json").get_json()
    (open_one,) = board["escalations"]
    assert [i["body"] for i in open_one["checklist"]] == ["health", "police", "child_rights",
                                                          "guardianship", "parents"]
    clock.advance(minutes=3)
    ticked = sup_http.post(f"/supervisor/escalations/{escalation_id}/notified",
                           json={"body": "police"}, headers=sup_headers)
    assert ticked.get_json()["notified_at"] == "2026-03-02T10:03:00+00:00"
    assert sup_http.post(f"/supervisor/escalations/{escalation_id}/notified", json={"body": "x"},
                         headers=sup_headers).status_code == 400
    assert astana_http.post(f"/supervisor/escalations/{escalation_id}/close",
                            headers=sup_headers).status_code in (400, 403)
    reasons = {body: "Handled by the school psychologist" for body in
               ("health", "child_rights", "guardianship", "parents")}
    assert sup_http.post(f"/supervisor/escalations/{escalation_id}/close", json={"reasons": reasons},
                         headers=sup_headers).status_code == 200
    assert sup_http.get("/supervisor/board.json").get_json()["escalations"] == []


def test_the_supervisor_board_shows_agents_waiting_and_talking(app, make_user, staff_client, phone,
                                                                 clock):
    make_user("saule")
    make_user("sup.almaty", role="supervisor", centre_id=2)
    _http, _h, call_id, _sio = answered_call(app, phone, staff_client, clock)
    waiting = phone(ALMATY)
    waiting.dial()
    waiting.press("3")
    waiting.press("9")
    clock.advance(seconds=12)
    sup_http, _ = staff_client("sup.almaty")
    board = sup_http.get("/supervisor/board.json").get_json()
    states = {a["name"]: a["state"] for a in board["agents"]}
    assert states == {"saule": "on_call", "sup.almaty": "offline"}
    assert [(c["is_urgent"], c["waited_seconds"]) for c in board["waiting"]] == [(True, 12)]
    assert [c["call_id"] for c in board["in_progress"]] == [call_id]
    assert "+7" not in str(board)


def test_the_escalation_card_names_the_call_and_closing_needs_every_item_ticked_or_explained(
        app, make_user, staff_client, phone, clock):
    from helpline.models import Notification

    make_user("saule")
    make_user("sup.almaty", role="supervisor", centre_id=2)
    sup, headers = staff_client("sup.almaty")
    http, saule_headers, call_id, _sio = answered_call(app, phone, staff_client, clock)
    escalation_id = http.post(f"/console/calls/{call_id}/escalate",
                              headers=saule_headers).get_json()["escalation_id"]
    (card,) = sup.get("/supervisor/board.json").get_json()["escalations"]
    assert card["raised_by"] == "saule"
    assert card["call"]["language"] == "en" and card["call"]["caller_type"] == "child"
    assert card["call"]["started_at"] == "2026-03-02T10:00:00+00:00"
    assert card["due"] == {"day": "today", "time": "23:59", "date": "2026-03-02"}
    for body in ("police", "health"):
        sup.post(f"/supervisor/escalations/{escalation_id}/notified", json={"body": body}, headers=headers)

    url = f"/supervisor/escalations/{escalation_id}/close"
    refused = sup.post(url, headers=headers)
    assert refused.status_code == 400
    assert refused.get_json()["missing"] == ["child_rights", "guardianship", "parents"]
    assert "Child-rights authority, Guardianship body, Parents" in refused.get_json()["error"]
    partly = sup.post(url, json={"reasons": {"child_rights": "Called, line busy; will call at 9",
                                             "guardianship": "   "}}, headers=headers)
    assert partly.status_code == 400 and partly.get_json()["missing"] == ["guardianship", "parents"]
    assert len(sup.get("/supervisor/board.json").get_json()["escalations"]) == 1     # still open
    reasons = {"child_rights": "Called, line busy; will call at 9",
               "guardianship": "Not needed: the mother is present", "parents": "The mother called"}
    assert sup.post(url, json={"reasons": reasons}, headers=headers).status_code == 200
    assert sup.get("/supervisor/board.json").get_json()["escalations"] == []
    with app.app_context():
        kept = {n.body: n.skipped_reason for n in db.session.query(Notification)}
        db.session.remove()
    assert kept == {"health": None, "police": None, **reasons}
