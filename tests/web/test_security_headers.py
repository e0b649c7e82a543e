"""Every response carries the security headers: pages, JSON, files, errors, TwiML, Socket.IO,
for every person; the console cannot be framed and no page runs inline script."""

from __future__ import annotations

import pytest
from werkzeug.routing import IntegerConverter

from helpline import create_app
from tests.conftest import ALMATY, TwilioDouble
from tests.inline_code import inline_code

FILES = {"static", "agent_console.static", "ivr.recorded_prompt"}
SAMPLE_VALUES = {"filename": "x.css", "path": "x", "token": "no-such-feed", "call_id": "no-such-call",
                 "handle": "no-such-call", "language": "kk"}
HSTS = "max-age=31536000; includeSubDomains"
SAMPLE_FILES = {"static": "css/app.css", "agent_console.static": "console.js"}


def get_urls(app) -> dict[str, str]:
    """One URL per GET route of the URL map (ids that name nothing give a 404, which counts)."""
    urls = {}
    with app.test_request_context():
        from flask import url_for

        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods:
                continue
            values = {}
            for name in rule.arguments:
                numeric = isinstance(rule._converters[name], IntegerConverter)
                values[name] = 1 if numeric else SAMPLE_VALUES[name]
            if rule.endpoint in SAMPLE_FILES:
                values["filename"] = SAMPLE_FILES[rule.endpoint]
            urls[rule.endpoint] = url_for(rule.endpoint, **values)
    return urls


def directives(policy: str) -> dict[str, list[str]]:
    parts = (part.split() for part in policy.split(";") if part.strip())
    return {words[0]: words[1:] for words in parts}


def assert_protected(response, what: str, *, microphone: bool = False, file: bool = False) -> None:
    headers = response.headers
    assert headers.get("X-Frame-Options") == "DENY", what
    assert headers.get("X-Content-Type-Options") == "nosniff", what
    assert headers.get("Referrer-Policy") == "no-referrer", what
    assert headers.get("Cross-Origin-Opener-Policy") == "same-origin", what
    policy = directives(headers.get("Content-Security-Policy", ""))
    assert policy.get("frame-ancestors") == ["'none'"], what
    assert not {"'unsafe-inline'", "'unsafe-eval'"} & set(
        policy.get("script-src", policy.get("default-src", ["'unsafe-inline'"]))), what
    assert "Strict-Transport-Security" not in headers, what          # http: no HSTS
    features = headers.get("Permissions-Policy", "")
    assert ("microphone=(self)" if microphone else "microphone=()") in features, what
    assert "camera=()" in features and "geolocation=()" in features, what
    assert ("no-store" in headers.get("Cache-Control", "")) != file, what


@pytest.fixture
def people(make_user, staff_client):
    make_user("saule")
    make_user("sup.almaty", role="supervisor", centre_id=2)
    make_user("root", role="administrator", centre_id=None)
    return {"psychologist": staff_client("saule")[0], "supervisor": staff_client("sup.almaty")[0],
            "administrator": staff_client("root")[0]}


def test_every_get_route_for_everyone_carries_the_headers(app, client, people):
    urls = get_urls(app)
    assert {"console.page", "supervisor.board", "admin.users", "simulator.page", "static"} <= set(urls)
    seen = {}
    for who, browser in {"anonymous": client, **people}.items():
        for endpoint, url in urls.items():
            with browser.get(url) as response:
                what = f"{who} GET {url} -> {response.status_code}"
                assert response.status_code < 500, what
                assert_protected(response, what, microphone=(endpoint == "console.page"),
                                 file=endpoint in FILES and response.status_code == 200)
                if response.mimetype == "text/html":
                    assert inline_code(response.get_data(as_text=True)) == [], what
                seen[(who, endpoint)] = response.status_code
    # the pages themselves were reached, not only the sign-in page
    for who, endpoint in [("anonymous", "auth.login"), ("anonymous", "simulator.page"),
                          ("psychologist", "console.page"), ("psychologist", "register.listing"),
                          ("supervisor", "supervisor.board"), ("supervisor", "reports.page"),
                          ("supervisor", "rota.board"), ("supervisor", "supervisor.wallboard_json"),
                          ("administrator", "admin.users"), ("administrator", "admin.audit_log"),
                          ("anonymous", "static"), ("anonymous", "agent_console.static")]:
        assert seen[(who, endpoint)] == 200, (who, endpoint)


def test_twiml_refusals_json_errors_and_socketio_carry_the_headers(app, client, phone, people):
    unsigned = client.post("/ivr/voice", data={"CallSid": "CA1"}, headers={"X-Twilio-Signature": "x"})
    assert unsigned.status_code == 403
    refused = people["psychologist"].post("/console/calls/x/record", json={})   # no CSRF token
    assert refused.status_code == 400 and refused.is_json
    polling = client.get("/socket.io/?EIO=4&transport=polling")   # answered outside Flask
    twiml = TwilioDouble(app.test_client()).post("/ivr/voice", phone(ALMATY).params)
    assert twiml.status_code == 200 and twiml.mimetype == "application/xml"
    for response in (unsigned, refused, polling, twiml):
        assert_protected(response, response.request.path)


def test_hsts_only_when_the_public_address_is_https(settings_overrides, clock):
    app = create_app({**settings_overrides, "public_base_url": "https://senim.example.kz"},
                     environ={}, clock=clock)
    for url in ("/login", "/static/css/app.css", "/no-such-page"):
        with app.test_client().get(url) as response:
            assert response.headers["Strict-Transport-Security"] == HSTS
            assert "wss://" in response.headers["Content-Security-Policy"]


def test_twilio_voice_hosts_are_allowed_only_with_the_twilio_carrier(settings_overrides, clock, client):
    simulated = directives(client.get("/login").headers["Content-Security-Policy"])
    assert not any("twilio" in source for sources in simulated.values() for source in sources)
    assert simulated["connect-src"] == ["'self'", "ws://localhost"]

    app = create_app({**settings_overrides, "twilio_account_sid": "AC" + "1" * 32},
                     environ={}, clock=clock)
    policy = directives(app.test_client().get("/login").headers["Content-Security-Policy"])
    assert {"wss://*.twilio.com", "https://*.twilio.com"} <= set(policy["connect-src"])
    assert "https://sdk.twilio.com" in policy["media-src"]
    assert policy["script-src"] == ["'self'"] and policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"] and policy["form-action"] == ["'self'"]


def test_a_forged_host_header_cannot_widen_the_policy(client):
    response = client.get("/login", headers={"Host": "evil.example; script-src *"})
    policy = directives(response.headers["Content-Security-Policy"])
    assert policy["connect-src"] == ["'self'"] and policy["script-src"] == ["'self'"]
