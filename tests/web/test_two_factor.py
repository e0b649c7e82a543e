"""Two-factor sign-in: required for supervisors, enrolment, replay, recovery codes, throttling."""

from __future__ import annotations

import re

import pyotp

from helpline.extensions import db
from helpline.models import User
from tests.conftest import PASSWORD, csrf_from, sign_in, totp_code


def _password_only(client, username: str):
    token = csrf_from(client.get("/login?lang=en").get_data(as_text=True))
    return client.post("/login", data={"username": username, "password": PASSWORD,
                                       "csrf_token": token})


def _post_code(client, path: str, code: str):
    token = csrf_from(client.get(path).get_data(as_text=True))
    return client.post(path, data={"code": code, "csrf_token": token})


def _sign_out(client):
    token = csrf_from(client.get("/supervisor").get_data(as_text=True))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302


def test_a_supervisor_cannot_reach_anything_with_the_password_only(app, client, make_user):
    make_user("sup.almaty", role="supervisor")
    response = _password_only(client, "sup.almaty")
    assert response.status_code == 302 and response.location.endswith("/login/code")
    for path in ("/supervisor", "/console", "/supervisor/board.json", "/rota"):
        assert client.get(path).status_code in (302, 401), path
    assert "/login" in client.get("/supervisor").location
    done = _post_code(client, "/login/code", totp_code(app, "sup.almaty"))
    assert done.status_code == 302 and done.location.endswith("/supervisor")
    assert client.get("/supervisor").status_code == 200


def test_a_code_is_never_accepted_twice(app, client, make_user):
    make_user("sup.almaty", role="supervisor")
    _password_only(client, "sup.almaty")
    code = totp_code(app, "sup.almaty")
    assert _post_code(client, "/login/code", code).status_code == 302
    _sign_out(client)
    _password_only(client, "sup.almaty")
    replay = _post_code(client, "/login/code", code)
    assert replay.status_code == 401 and "Wrong code." in replay.get_data(as_text=True)
    assert client.get("/supervisor").status_code == 302


def test_enrolment_then_recovery_codes_that_work_once(app, client, make_user, clock, backend):
    make_user("sup.almaty", role="supervisor", two_factor=False)
    response = _password_only(client, "sup.almaty")
    assert response.location.endswith("/login/enrol")
    page = client.get("/login/enrol").get_data(as_text=True)
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page).group(1)
    assert "otpauth://totp/Senim:sup.almaty?secret=" + secret in page and "<svg" in page
    assert client.get("/supervisor").status_code == 302            # not before the code
    assert _post_code(client, "/login/enrol", "000000").status_code == 401
    shown = _post_code(client, "/login/enrol", pyotp.TOTP(secret).at(clock.now()))
    codes = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", shown.get_data(as_text=True))
    assert shown.status_code == 200 and len(codes) == 10 and len(set(codes)) == 10
    token = csrf_from(shown.get_data(as_text=True))
    assert client.post("/login/continue", data={"csrf_token": token}).location.endswith("/supervisor")
    with app.app_context():
        db.engine.dispose()
    stored = backend.stored_bytes(app)
    assert secret.encode() not in stored and codes[0].encode() not in stored   # encrypted, hashed

    _sign_out(client)
    _password_only(client, "sup.almaty")
    assert _post_code(client, "/login/code", codes[0]).location.endswith("/supervisor")
    _sign_out(client)
    _password_only(client, "sup.almaty")
    assert _post_code(client, "/login/code", codes[0]).status_code == 401


def test_wrong_codes_are_throttled_like_passwords(app, client, make_user, clock):
    make_user("sup.almaty", role="supervisor")
    _password_only(client, "sup.almaty")
    for _ in range(5):
        assert _post_code(client, "/login/code", "123456").status_code == 401
    assert _post_code(client, "/login/code", totp_code(app, "sup.almaty")).status_code == 429
    clock.advance(seconds=2)
    assert _post_code(client, "/login/code", totp_code(app, "sup.almaty")).status_code == 302


def test_the_code_step_expires(app, client, make_user, clock):
    make_user("sup.almaty", role="supervisor")
    _password_only(client, "sup.almaty")
    token = csrf_from(client.get("/login/code").get_data(as_text=True))
    clock.advance(minutes=6)
    late = client.post("/login/code", data={"code": totp_code(app, "sup.almaty"), "csrf_token": token})
    assert late.status_code == 302 and late.location.endswith("/login")
    assert client.get("/supervisor").status_code == 302


def test_a_psychologist_signs_in_without_a_code_unless_enrolled(app, make_user):
    make_user("aigerim")
    make_user("dmitry", two_factor=True)
    plain = app.test_client()
    assert _password_only(plain, "aigerim").location.endswith("/console")
    enrolled = app.test_client()
    assert _password_only(enrolled, "dmitry").location.endswith("/login/code")
    assert sign_in(app.test_client(), "dmitry").location.endswith("/console")
    with app.app_context():
        assert db.session.query(User).filter_by(username="dmitry").one().totp_last_step is not None


def test_a_psychologist_switches_two_factor_on_for_herself(app, make_user, staff_client, clock):
    make_user("aigerim")
    person, _ = staff_client("aigerim")
    token = csrf_from(person.get("/account/password").get_data(as_text=True))
    assert person.post("/account/two-factor", data={"csrf_token": token}).location.endswith(
        "/login/enrol")
    page = person.get("/login/enrol").get_data(as_text=True)
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page).group(1)
    shown = _post_code(person, "/login/enrol", pyotp.TOTP(secret).at(clock.now()))
    token = csrf_from(shown.get_data(as_text=True))
    assert person.post("/login/continue", data={"csrf_token": token}).location.endswith("/console")
    assert _password_only(app.test_client(), "aigerim").location.endswith("/login/code")
