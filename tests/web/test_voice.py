"""Bridging: the conference TwiML, the agent's join, and the Twilio Voice access token."""

from __future__ import annotations

import base64
import json
from urllib.parse import parse_qs, urlsplit

import jwt

from helpline import create_app
from helpline.extensions import db
from helpline.schema import upgrade
from helpline.services.demo import load_demo_data
from tests.conftest import ALMATY, AUTH_TOKEN, PhoneCall, TwilioDouble, sign_in


def test_an_answered_call_is_bridged_into_its_own_conference(app, phone, make_user, staff_client):
    from helpline.extensions import socketio

    make_user("saule")
    http, _headers = staff_client("saule")
    sio = socketio.test_client(app, namespace="/console", flask_test_client=http)
    sio.emit("set_state", {"state": "available"}, namespace="/console", callback=True)
    call = phone(ALMATY)
    call.dial()
    call.press("3")
    call.press("1")
    leg = parse_qs(urlsplit(call.enqueue.get("waitUrl")).query)["leg"][0]
    offer = [e for e in sio.get_received("/console") if e["name"] == "offer"][0]["args"][0]
    sio.emit("accept", {"offer_id": offer["offer_id"]}, namespace="/console", callback=True)
    doc = call.twilio.twiml(f"/ivr/connect?leg={leg}", call.params)
    dial = doc.find("Dial")
    conference = dial.find("Conference")
    assert conference.text == leg and conference.get("endConferenceOnExit") == "true"
    assert conference.text != offer["call_id"]       # the register id never reaches the carrier
    assert doc.find("Dial").get("action").endswith(f"/ivr/connect/ended?leg={leg}&lang=en&type=child")
    assert conference.get("waitUrl").endswith("/hold.wav")       # music, never silence, until she is in
    assert conference.get("startConferenceOnEnter") == "false"
    # the queue's own action after a redirect also bridges, never says "no one available"
    assert call.queue_result("redirected").find("Dial") is not None


API_KEY, API_SECRET = "SK" + "2" * 32, "an-api-secret-of-at-least-32-bytes!"


def _twilio_app(settings_overrides, clock):
    """The app with the real carrier's settings, and psychologist saule's public id."""
    app = create_app({**settings_overrides, "twilio_account_sid": "AC" + "1" * 32,
                      "twilio_auth_token": AUTH_TOKEN, "twilio_api_key": API_KEY,
                      "twilio_api_secret": API_SECRET, "twilio_twiml_app_sid": "AP" + "3" * 32},
                     environ={}, clock=clock)
    with app.app_context():
        upgrade(db.engine)
        load_demo_data(db.session, clock.now(), with_users=False)
        from helpline.services.accounts import NewUser, create_user

        user = create_user(db.session, NewUser("saule", "correct horse battery", "psychologist", 2),
                           clock.now())
        public_id = user.public_id
        db.session.commit()
    return app, public_id


def test_the_psychologists_voice_token_lets_a_consultation_ring_her_browser(settings_overrides, clock):
    """Warm transfer rings a consulted colleague's browser (``client:<public id>``): her token must
    allow incoming calls, name her only by her opaque id, and carry no phone number."""
    app, public_id = _twilio_app(settings_overrides, clock)
    client = app.test_client()
    sign_in(client, "saule")
    token = client.get("/console/voice-token").get_json()["token"]
    payload = jwt.decode(token, API_SECRET, algorithms=["HS256"])      # signed with our API key's secret
    assert payload["iss"] == API_KEY
    assert payload["grants"] == {          # nothing else: no number, no name
        "identity": public_id,
        "voice": {"incoming": {"allow": True},
                  "outgoing": {"application_sid": "AP" + "3" * 32}},     # her own calls dial out
    }
    assert payload["exp"] - payload["nbf"] <= 600


def test_voice_token_and_agent_join_with_twilio(settings_overrides, clock):
    app, public_id = _twilio_app(settings_overrides, clock)
    client = app.test_client()
    assert client.get("/simulator").status_code == 404
    sign_in(client, "saule")
    token = client.get("/console/voice-token").get_json()["token"]
    payload = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    assert payload["grants"]["identity"] == public_id
    assert payload["grants"]["voice"]["outgoing"]["application_sid"] == "AP" + "3" * 32
    assert payload["exp"] - payload["nbf"] <= 600          # short-lived

    call = PhoneCall(TwilioDouble(app.test_client()), ALMATY)
    call.dial()
    rt = app.extensions["helpline"]
    leg = rt.live.by_sid(call.sid)
    join = rt.live.join_token(leg.call_id)
    not_yet = TwilioDouble(app.test_client()).twiml(
        "/ivr/agent-join", {"CallSid": "CA" + "9" * 32, "From": f"client:{public_id}", "join": join})
    assert not_yet.find("Dial") is None          # only a call the psychologist answered is joined
    with app.app_context():
        from helpline.models import Call

        db.session.get(Call, leg.call_id).state = "answered"
        db.session.commit()
    agent_leg = TwilioDouble(app.test_client()).twiml(
        "/ivr/agent-join", {"CallSid": "CA" + "9" * 32, "From": f"client:{public_id}", "join": join})
    assert agent_leg.find("Dial/Conference").text == leg.leg
    refused = TwilioDouble(app.test_client()).twiml(
        "/ivr/agent-join", {"CallSid": "CA" + "8" * 32, "join": "forged"})
    assert refused.find("Dial") is None and refused.find("Hangup") is not None
