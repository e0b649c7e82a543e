"""A console action that did not happen is never shown as done: an open console keeps working
through a whole shift, and a signed-out or refused save is answered in words (JSON), never with
the sign-in page that the browser's fetch would follow and read as success."""

from __future__ import annotations

from itsdangerous.timed import TimestampSigner

from helpline.extensions import db
from helpline.models import ContactRecord
from tests.web.test_record_and_escalation import RECORD, answered_call


def _records(app) -> int:
    with app.app_context():
        return db.session.query(ContactRecord).count()


def test_an_open_console_still_saves_and_escalates_after_an_hour(app, make_user, staff_client, phone,
                                                                 clock, monkeypatch):
    make_user("saule")
    http, headers, call_id, _sio = answered_call(app, phone, staff_client, clock)
    real = TimestampSigner.get_timestamp
    # 61 minutes later, same page, same CSRF token from its first load
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: real(self) + 61 * 60)
    saved = http.post(f"/console/calls/{call_id}/record", json=RECORD, headers=headers)
    assert saved.status_code == 200 and saved.get_json()["saved"] is True
    danger = http.post(f"/console/calls/{call_id}/escalate", json={}, headers=headers)
    assert danger.status_code == 200 and danger.get_json()["escalation_id"]


def test_a_save_after_idle_sign_out_says_so_and_stores_nothing(app, make_user, staff_client, phone,
                                                               clock):
    make_user("saule")
    http, headers, call_id, sio = answered_call(app, phone, staff_client, clock)
    assert sio.emit("hang_up", {"call_id": call_id}, namespace="/console", callback=True)["ok"]
    clock.advance(minutes=31)                                # idle longer than the limit
    response = http.post(f"/console/calls/{call_id}/record", json=RECORD, headers=headers)
    assert response.status_code == 401 and response.is_json
    assert "signed out" in response.get_json()["error"]
    assert _records(app) == 0


def test_a_refused_security_token_is_said_in_words(app, make_user, staff_client, phone, clock):
    make_user("saule")
    http, _headers, call_id, _sio = answered_call(app, phone, staff_client, clock)
    response = http.post(f"/console/calls/{call_id}/record", json=RECORD,
                         headers={"X-CSRFToken": "not-the-token"})
    assert response.status_code == 400 and response.is_json
    assert "Reload the page" in response.get_json()["error"]
    assert _records(app) == 0
