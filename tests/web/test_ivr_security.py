"""Webhook authentication, idempotency and bad input: 403 or a useful answer, never a 500."""

from __future__ import annotations

import pytest
from twilio.request_validator import RequestValidator

from tests.conftest import (
    ALMATY,
    AUTH_TOKEN,
    TwilioDouble,
    all_calls,
    call_count,
    played,
    spoken,
    verbs,
)

INCOMING = {"CallSid": "CA" + "1" * 32, "From": "+77011234567", "To": ALMATY, "CallStatus": "ringing"}


@pytest.mark.parametrize("endpoint", ["/ivr/voice", "/ivr/status", "/ivr/language?leg=x",
                                      "/ivr/queue/wait?leg=x", "/ivr/fallback"])
def test_unsigned_requests_are_refused_and_write_nothing(client, app, endpoint):
    response = client.post(endpoint, data=INCOMING)
    assert response.status_code == 403
    assert "X-Twilio-Signature" in response.get_data(as_text=True)
    assert call_count(app) == 0


def test_signature_with_another_token_is_refused(client, app):
    forged = TwilioDouble(client, token="not-our-token")
    assert forged.post("/ivr/voice", INCOMING).status_code == 403
    assert call_count(app) == 0


def test_tampered_parameters_are_refused(client, app, twilio):
    signature = RequestValidator(AUTH_TOKEN).compute_signature("http://localhost/ivr/voice", INCOMING)
    tampered = {**INCOMING, "To": "+77172555150"}
    assert twilio.post("/ivr/voice", tampered, signature=signature).status_code == 403
    assert call_count(app) == 0


def test_signature_is_checked_on_the_public_url_behind_a_tls_proxy(settings_overrides, clock):
    from helpline import create_app
    from helpline.extensions import db
    from helpline.schema import upgrade

    public = "https://senim.example.kz"
    app = create_app({**settings_overrides, "public_base_url": public}, environ={}, clock=clock)
    with app.app_context():
        upgrade(db.engine)
    proxied = TwilioDouble(app.test_client(), base_url=public)
    doc = proxied.twiml("/ivr/voice", INCOMING)     # reaches the app as http://localhost
    assert doc.find("Gather").get("action").startswith(public + "/ivr/")
    direct = TwilioDouble(app.test_client())        # signed for the internal URL: refused
    assert direct.post("/ivr/voice", INCOMING).status_code == 403


def test_signature_over_the_url_with_its_default_port_is_accepted(settings_overrides, clock):
    """Twilio may sign ``https://host:443/...`` for ``https://host/...``: still the carrier."""
    from helpline import create_app
    from helpline.extensions import db
    from helpline.schema import upgrade

    public = "https://senim.example.kz"
    app = create_app({**settings_overrides, "public_base_url": public}, environ={}, clock=clock)
    with app.app_context():
        upgrade(db.engine)
    client = app.test_client()
    signature = RequestValidator(AUTH_TOKEN).compute_signature(public + ":443/ivr/voice", INCOMING)
    answered = TwilioDouble(client, base_url=public).post("/ivr/voice", INCOMING, signature=signature)
    assert answered.status_code == 200 and "<Gather" in answered.get_data(as_text=True)
    assert call_count(app) == 1
    wrong = RequestValidator(AUTH_TOKEN).compute_signature(public + ":8443/ivr/voice", INCOMING)
    assert TwilioDouble(client, base_url=public).post(
        "/ivr/voice", INCOMING, signature=wrong).status_code == 403


def test_retried_incoming_webhook_is_one_call(twilio, app):
    first = twilio.twiml("/ivr/voice", INCOMING)
    again = twilio.twiml("/ivr/voice", INCOMING)
    assert call_count(app) == 1
    assert first.find("Gather").get("action") == again.find("Gather").get("action")


def test_retried_menu_and_status_webhooks_change_nothing_twice(phone, app, clock):
    call = phone(ALMATY)
    call.dial()
    gather_doc = call.doc
    call.press("3")
    call.doc = gather_doc
    call.press("3")                                  # the same answer retried
    call.press("1")
    clock.advance(seconds=5)
    call.completed()
    clock.advance(seconds=60)
    call.completed()                                 # duplicate final callback
    (row,) = all_calls(app)
    assert row.menu_path == "language#1:3 caller_type#1:1"
    assert (row.ended_at - row.started_at).total_seconds() == 5
    assert row.outcome == "abandoned_in_queue"


@pytest.mark.parametrize(("params", "centre_id"), [
    ({"CallSid": "CA" + "2" * 32, "From": "anonymous", "To": ALMATY}, 2),
    ({"CallSid": "CA" + "3" * 32, "From": "+266696687", "To": ALMATY}, 2),
    ({"CallSid": "CA" + "4" * 32, "To": ALMATY}, 2),
    ({"CallSid": "CA" + "5" * 32, "From": "not a number", "To": "also not a number"}, 1),
    ({"CallSid": "CA" + "6" * 32, "From": "+77011234567", "To": "+77172999999"}, 1),
    ({"CallSid": "CA" + "7" * 32}, 1),
])
def test_odd_or_missing_numbers_are_still_answered_and_registered(twilio, app, params, centre_id):
    doc = twilio.twiml("/ivr/voice", params)
    assert verbs(doc) == ["Gather", "Redirect"]
    (row,) = all_calls(app)
    # Numbers no centre owns go to the default centre (the first one) and are registered.
    assert row.centre_id == centre_id


def test_call_without_a_call_sid_gets_help_numbers_and_is_registered_failed(twilio, app):
    doc = twilio.twiml("/ivr/voice", {"From": "+77011234567", "To": ALMATY})
    assert verbs(doc)[-1] == "Hangup" and "112" in " ".join(spoken(doc))
    (row,) = all_calls(app)
    assert row.outcome == "failed" and row.state == "ended"


def test_unknown_leg_goes_on_as_a_resumed_call(twilio, app):
    doc = twilio.twiml("/ivr/caller-type?leg=forgotten&attempt=1&lang=en",
                       {"CallSid": "CA" + "8" * 32, "To": ALMATY, "Digits": "1"})
    assert verbs(doc) == ["Say", "Say", "Enqueue"]
    assert "technical problem" in spoken(doc)[0] and "stay on the line" in spoken(doc)[1]
    (row,) = all_calls(app)
    assert row.is_resumed and row.state == "queued" and row.caller_type == "child"


@pytest.mark.parametrize("query", ["attempt=abc", "attempt=-4", "attempt=99999999999999999999"])
def test_garbage_query_parameters_are_tolerated(phone, query):
    call = phone(ALMATY)
    doc = call.dial()
    action = doc.find("Gather").get("action").split("&attempt=")[0] + "&" + query
    doc = call.twilio.twiml(action, {**call.params, "Digits": "1"})
    assert "Gather" in verbs(doc)


def test_a_crashing_handler_still_gives_help_and_registers_the_call(phone, app, monkeypatch):
    from helpline.services import calls as register

    def broken(*args, **kwargs):
        raise RuntimeError("simulated failure")

    monkeypatch.setattr(register, "enqueue", broken)
    call = phone(ALMATY)
    call.dial()
    call.press("3")
    doc = call.press("1")
    said = " ".join(spoken(doc))
    assert "something went wrong" in said and "112 for emergencies" in said
    assert verbs(doc)[-1] == "Hangup"
    (row,) = all_calls(app)
    assert row.outcome == "failed"


def test_a_database_failure_on_arrival_still_gives_help(twilio, app, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from helpline.services import calls as register

    def down(*args, **kwargs):
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(register, "register_call", down)
    response = twilio.post("/ivr/voice", INCOMING)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "112" in text and "<Hangup />" in text


def test_fallback_document_names_help_numbers_in_kazakh_and_russian(twilio, app, kazakh_prompts):
    doc = twilio.twiml("/ivr/fallback", {"CallSid": "CA" + "9" * 32, "ErrorCode": "11200"})
    said = " ".join(spoken(doc))
    assert played(doc)[0].startswith("/ivr/audio/kk/error-112-102-103-111-150-")
    assert "экстренная служба" in said and "150" in said
    assert verbs(doc)[-1] == "Hangup"
    assert call_count(app) == 0
