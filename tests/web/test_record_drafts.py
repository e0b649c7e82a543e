"""Contact records that are never lost: the draft kept (encrypted) as one types, restored and
deleted on save; the required fields; no next call while the last call's record is unsaved
unless "Save later" was chosen; My calls shows only one's own calls."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from helpline.extensions import db, socketio
from helpline.models import AuditEvent, ContactRecord, RecordDraft
from tests.conftest import ALMATY
from tests.web.test_console_flow import routing_tick
from tests.web.test_record_and_escalation import RECORD

NS = "/console"
NOTES = "Her stepfather shouts at night; she hides in the bathroom."


class Psychologist:
    """A signed-in psychologist's browser: HTTP client, CSRF headers and console socket."""

    def __init__(self, app, staff_client, username):
        self.http, self.headers = staff_client(username)
        self.sio = socketio.test_client(app, namespace=NS, flask_test_client=self.http)

    def emit(self, event, data=None):
        return self.sio.emit(event, data or {}, namespace=NS, callback=True)

    def offers(self):
        return [e["args"][0] for e in self.sio.get_received(NS) if e["name"] == "offer"]

    def draft(self, call_id, body):
        return self.http.post(f"/console/calls/{call_id}/draft", json=body, headers=self.headers)

    def save(self, call_id, body):
        return self.http.post(f"/console/calls/{call_id}/record", json=body, headers=self.headers)

    def record(self, call_id):
        return self.http.get(f"/console/calls/{call_id}/record").get_json()["record"]


def caller_waits(phone):
    call = phone(ALMATY)
    call.dial()
    call.press("3")
    call.press("1")
    return call


def talk(app, psychologist, phone, *, end=True):
    """A caller reaches ``psychologist`` (accepted, bridged into the conference), then hangs up."""
    call = caller_waits(phone)
    (offer,) = psychologist.offers()
    reply = psychologist.emit("accept", {"offer_id": offer["offer_id"]})
    assert reply["ok"], reply
    leg = parse_qs(urlsplit(call.enqueue.get("waitUrl")).query)["leg"][0]
    call.twilio.twiml(f"/ivr/conference/events?leg={leg}",
                      {**call.params, "StatusCallbackEvent": "participant-join"})
    if end:
        call.completed()
    return reply["call_id"]


@pytest.fixture
def saule(app, make_user, staff_client):
    make_user("saule")
    person = Psychologist(app, staff_client, "saule")
    assert person.emit("set_state", {"state": "available"})["ok"]
    return person


def count(app, model) -> int:
    with app.app_context():
        n = db.session.scalar(select(func.count()).select_from(model))
        db.session.remove()
        return n


def test_the_draft_is_kept_encrypted_restored_after_a_reload_and_deleted_on_save(
        app, saule, phone, backend):
    call_id = talk(app, saule, phone)
    typed = {"caller_type": "child", "topics": ["bullying"], "notes": NOTES}
    response = saule.draft(call_id, typed)
    assert response.status_code == 200 and response.get_json()["saved"] is True

    raw = backend.stored_bytes(app)
    assert b"stepfather shouts" not in raw and b"bathroom" not in raw
    assert count(app, RecordDraft) == 1

    # the console reloads: the draft comes back, said to be a draft
    restored = saule.record(call_id)
    assert restored["draft"] is True and restored["notes"] == NOTES
    assert restored["caller_type"] == "child" and restored["topics"] == ["bullying"]

    # typed again: still one draft per call and person, holding the latest text
    saule.draft(call_id, {**typed, "notes": NOTES + " Again."})
    assert count(app, RecordDraft) == 1 and saule.record(call_id)["notes"] == NOTES + " Again."

    assert saule.save(call_id, {**RECORD, "notes": NOTES}).status_code == 200
    assert count(app, RecordDraft) == 0
    saved = saule.record(call_id)
    assert "draft" not in saved and saved["notes"] == NOTES


def test_caller_type_and_risk_level_are_required_and_an_empty_record_is_refused(app, saule, phone):
    call_id = talk(app, saule, phone)
    empty = saule.save(call_id, {})
    assert empty.status_code == 400 and empty.get_json()["field"] == "caller_type"
    assert "empty" in empty.get_json()["error"]
    blank_form = {"caller_type": "", "age_band": "", "gender": "not_said", "topics": [],
                  "risk_level": "", "consent": "", "referrals": [], "follow_up_needed": False,
                  "follow_up_due": "", "notes": ""}
    assert saule.save(call_id, blank_form).get_json()["field"] == "caller_type"
    for missing in ("caller_type", "risk_level"):
        response = saule.save(call_id, {**RECORD, missing: ""})
        assert response.status_code == 400 and response.get_json()["field"] == missing
    assert count(app, ContactRecord) == 0


def test_available_is_refused_until_the_record_is_saved_or_put_off(app, saule, phone):
    call_id = talk(app, saule, phone)
    saule.draft(call_id, {"notes": NOTES})

    refused = saule.emit("set_state", {"state": "available"})
    assert refused["ok"] is False and refused["unsaved_call_id"] == call_id
    assert "Save the record of your last call first" in refused["error"]

    # "Save later": the draft is kept, the choice audited, and the call is listed as incomplete
    assert saule.http.post(f"/console/calls/{call_id}/finish-later",
                           headers=saule.headers).get_json() == {"deferred": True}
    assert saule.emit("set_state", {"state": "available"})["ok"] is True
    assert saule.record(call_id)["notes"] == NOTES
    with app.app_context():
        actions = list(db.session.scalars(select(AuditEvent.action)))
        db.session.remove()
    assert "contact_record.deferred" in actions
    page = saule.http.get("/console/my-calls").get_data(as_text=True)
    assert f'data-call-id="{call_id}" data-status="incomplete"' in page


def test_saving_the_record_lets_her_take_calls_again(app, saule, phone):
    call_id = talk(app, saule, phone)
    assert saule.emit("set_state", {"state": "available"})["ok"] is False
    assert saule.save(call_id, RECORD).status_code == 200
    assert saule.emit("set_state", {"state": "available"})["ok"] is True
    page = saule.http.get("/console/my-calls").get_data(as_text=True)
    assert f'data-call-id="{call_id}" data-status="complete"' in page


def test_a_new_call_cannot_be_accepted_while_the_last_record_is_unsaved(app, saule, phone, clock):
    first = talk(app, saule, phone)
    clock.advance(seconds=61)          # the wrap-up ends by itself: Available again
    saule.emit("heartbeat")
    routing_tick(app)
    caller_waits(phone)
    (offer,) = saule.offers()
    refused = saule.emit("accept", {"offer_id": offer["offer_id"]})
    assert refused["ok"] is False and refused["unsaved_call_id"] == first
    assert saule.save(first, RECORD).status_code == 200
    assert saule.emit("accept", {"offer_id": offer["offer_id"]})["ok"] is True   # still ringing


def test_a_caller_who_never_reached_her_needs_no_record(app, saule, phone):
    call = caller_waits(phone)
    (offer,) = saule.offers()
    saule.emit("accept", {"offer_id": offer["offer_id"]})
    call.completed()                   # gone before the bridge: nothing was said to record
    assert saule.emit("set_state", {"state": "available"})["ok"] is True


def test_my_calls_lists_only_her_own_calls_and_the_centres_for_its_supervisor(
        app, saule, phone, make_user, staff_client):
    call_id = talk(app, saule, phone)
    saule.draft(call_id, {"notes": NOTES})
    mine = saule.http.get("/console/my-calls").get_data(as_text=True)
    assert f'data-call-id="{call_id}" data-status="draft"' in mine
    assert "02.03.2026 15:00" in mine            # answered 10:00 UTC, shown in Asia/Almaty
    assert "English" in mine and "Child or teenager" in mine
    assert NOTES not in mine

    make_user("aliya")                 # a colleague at the same centre
    colleague, colleague_headers = staff_client("aliya")
    assert call_id not in colleague.get("/console/my-calls").get_data(as_text=True)
    assert colleague.get(f"/console/my-calls/{call_id}").status_code == 403
    assert colleague.post(f"/console/calls/{call_id}/draft", json={"notes": "x"},
                          headers=colleague_headers).status_code == 403

    make_user("supervisor.almaty", role="supervisor")
    supervisor, _headers = staff_client("supervisor.almaty")
    assert call_id in supervisor.get("/console/my-calls").get_data(as_text=True)
    assert saule.http.get(f"/console/my-calls/{call_id}").status_code == 200


def test_bad_drafts_get_a_clear_error_and_change_nothing(app, saule, phone):
    call_id = talk(app, saule, phone)
    for body, field in (({"notes": ["a"]}, "notes"), ({"notes": "x" * 4001}, "notes"),
                        ({"topics": "bullying"}, "topics"),
                        ({"follow_up_needed": "yes"}, "follow_up_needed")):
        response = saule.draft(call_id, body)
        assert response.status_code == 400 and response.get_json()["field"] == field
    not_json = saule.http.post(f"/console/calls/{call_id}/draft", data="x", headers=saule.headers)
    assert not_json.status_code == 400
    assert saule.http.post(f"/console/calls/{call_id}/draft", json={"notes": "x"}).status_code == 400  # CSRF
    assert saule.draft("no-such-call", {"notes": "x"}).status_code == 404
    assert count(app, RecordDraft) == 0
