"""The register of requests: other channels, deadlines, lists, follow-ups, calls as requests."""

from __future__ import annotations

from helpline.extensions import db
from helpline.models import Request
from helpline.models.request import FollowUp
from tests.conftest import csrf_from
from tests.web.test_record_and_escalation import RECORD, answered_call


def _post(http, data):
    token = csrf_from(http.get("/requests").get_data(as_text=True))
    return http.post("/requests", data={"csrf_token": token, **data})


def test_a_request_from_another_channel_gets_a_two_working_day_deadline(app, make_user,
                                                                        staff_client, clock):
    from datetime import UTC, datetime

    make_user("saule")
    clock.set(datetime(2026, 3, 5, 8, tzinfo=UTC))
    http, _ = staff_client("saule")
    # Thursday 5 March, 10:00 in Almaty; 7-9 March are days off (weekend, Women's Day moved)
    response = _post(http, {"channel": "email", "received": "2026-03-05T10:00",
                            "caller_type": "parent", "risk_level": "low", "topics": ["bullying"]})
    assert response.status_code == 303
    with app.app_context():
        request = db.session.query(Request).one()
        assert request.due_at.isoformat() == "2026-03-10T19:00:00+00:00"    # end of Tue 10 March
        assert (request.channel, request.status, request.topics) == ("email", "open", "bullying")
        db.session.remove()
    assert "<td>email</td>" in http.get("/requests?view=open").get_data(as_text=True)
    assert "<td>email</td>" not in http.get("/requests?view=overdue").get_data(as_text=True)
    assert "<td>email</td>" in http.get("/requests?view=open&topic=bullying").get_data(as_text=True)
    assert "<td>email</td>" not in http.get("/requests?view=open&topic=cyberbullying").get_data(
        as_text=True)


def test_immediate_threat_is_due_today_and_lists_show_it(app, make_user, staff_client, clock):
    make_user("saule")
    http, _ = staff_client("saule")
    _post(http, {"channel": "messenger", "received": "2026-03-02T14:00", "immediate": "on"})
    page = http.get("/requests?view=due_today").get_data(as_text=True)
    assert "<td>messenger</td>" in page
    clock.advance(hours=10)                                  # 01:00 on 3 March in Almaty
    http, _ = staff_client("saule")                          # the night shift signs in
    assert "<td>messenger</td>" in http.get("/requests?view=overdue").get_data(as_text=True)


def test_bad_requests_are_refused_and_nothing_is_written(app, make_user, staff_client):
    make_user("saule")
    http, _ = staff_client("saule")
    for data in ({"channel": "pigeon", "received": "2026-03-02T10:00"},
                 {"channel": "email", "received": "yesterday"},
                 {"channel": "email", "received": "2026-03-02T10:00", "topics": ["astrology"]},
                 {"channel": "email", "received": "2027-01-01T10:00"}):
        assert _post(http, data).status_code == 400
    assert http.get("/requests?view=sideways").status_code == 400
    with app.app_context():
        assert db.session.query(Request).count() == 0


def test_an_answered_call_with_a_record_is_a_phone_request_with_follow_ups(
        app, make_user, staff_client, phone, clock):
    make_user("saule")
    make_user("sup.astana", role="supervisor", centre_id=1)
    http, headers, call_id, _sio = answered_call(app, phone, staff_client, clock)
    http.post(f"/console/calls/{call_id}/record", json=RECORD, headers=headers)
    with app.app_context():
        request = db.session.query(Request).one()
        request_id = request.id
        assert (request.channel, request.call_id, request.topics) == (
            "phone", call_id, "bullying,cyberbullying")
        db.session.remove()
    page = http.get(f"/requests/{request_id}").get_data(as_text=True)
    token = csrf_from(page)
    assert http.post(f"/requests/{request_id}", data={
        "csrf_token": token, "action": "call_back", "detail": "Arranged a call on Friday"}
    ).status_code == 303
    assert "Arranged a call on Friday" in http.get(f"/requests/{request_id}").get_data(as_text=True)
    with app.app_context():
        follow_up = db.session.query(FollowUp).one()
        assert b"Friday" not in follow_up.detail_encrypted
        assert db.session.get(Request, request_id).status == "in_progress"
        db.session.remove()
    other, _ = staff_client("sup.astana")
    assert other.get(f"/requests/{request_id}").status_code == 403
