"""The steps between the password and a session: what a promotion, a copied cookie, an
enrolment page read in advance or an unreadable key can and cannot do."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from helpline.extensions import db, socketio
from helpline.models import AuditEvent, StaffSession, User
from helpline.services import two_factor
from helpline.services.cipher import new_key
from helpline.services.contacts import NotesCipher
from tests.conftest import PASSWORD, csrf_from, wait_until
from tests.web.test_account_admin import _user
from tests.web.test_staff_sessions import _copy_of
from tests.web.test_two_factor import _password_only, _post_code

NS = "/console"


def _enrolment_secret(client) -> str:
    page = client.get("/login/enrol").get_data(as_text=True)
    return re.search(r'id="totp-secret">([A-Z2-7]+)<', page).group(1)


def _admin_action(app, staff_client, user_id: int, action: str) -> None:
    admin, _ = staff_client("root")
    token = csrf_from(admin.get(f"/admin/users/{user_id}").get_data(as_text=True))
    assert admin.post(f"/admin/users/{user_id}/{action}", data={"csrf_token": token}).status_code in (
        200, 303)


def test_a_promotion_signs_the_person_out_and_asks_for_two_factor(app, make_user, staff_client):
    make_user("root", role="administrator", centre_id=None)
    uid = make_user("aigerim", centre_id=2)
    person, _ = staff_client("aigerim")
    sio = socketio.test_client(app, namespace=NS, flask_test_client=person)
    assert sio.is_connected(NS)
    admin, _ = staff_client("root")
    token = csrf_from(admin.get(f"/admin/users/{uid}").get_data(as_text=True))
    languages_only = admin.post(f"/admin/users/{uid}", data={
        "csrf_token": token, "role": "psychologist", "centre_id": "2", "languages": ["kk"],
        "ui_language": "en"})
    assert languages_only.status_code == 303
    assert person.get("/console").status_code == 200           # nothing about rights changed
    promoted = admin.post(f"/admin/users/{uid}", data={
        "csrf_token": token, "role": "supervisor", "centre_id": "2", "languages": ["kk"],
        "ui_language": "en"}, follow_redirects=True)
    assert "signed out everywhere" in promoted.get_data(as_text=True)
    assert "/login" in person.get("/supervisor").location       # no supervisor rights by the old session
    assert "/login" in person.get("/console").location
    assert wait_until(lambda: not sio.is_connected(NS))
    again = app.test_client()
    assert _password_only(again, "aigerim").location.endswith("/login/enrol")   # 2FA first
    assert again.get("/supervisor").status_code == 302


def test_moving_a_supervisor_to_another_centre_ends_her_sessions(app, make_user, staff_client):
    make_user("root", role="administrator", centre_id=None)
    uid = make_user("sup.almaty", role="supervisor", centre_id=2)
    person, _ = staff_client("sup.almaty")
    sio = socketio.test_client(app, namespace=NS, flask_test_client=person)
    assert sio.is_connected(NS)
    admin, _ = staff_client("root")
    token = csrf_from(admin.get(f"/admin/users/{uid}").get_data(as_text=True))
    assert admin.post(f"/admin/users/{uid}", data={"csrf_token": token, "role": "supervisor",
                                                   "centre_id": "1", "languages": ["kk"],
                                                   "ui_language": "en"}).status_code == 303
    assert "/login" in person.get("/supervisor").location
    assert wait_until(lambda: not sio.is_connected(NS))         # out of the old centre's rooms
    with app.app_context():
        ended = db.session.scalars(select(StaffSession.end_reason).where(
            StaffSession.user_id == uid)).all()
        assert ended == ["role or centre changed"]


def test_the_enrolment_secret_is_fresh_per_sign_in_and_stored_only_when_confirmed(app, make_user,
                                                                                  clock):
    import pyotp

    make_user("sup.almaty", role="supervisor", two_factor=False)
    early = app.test_client()                      # someone who has the password only
    assert _password_only(early, "sup.almaty").location.endswith("/login/enrol")
    read_early = _enrolment_secret(early)
    assert _enrolment_secret(early) == read_early  # the same one throughout this sign-in
    assert _user(app, "sup.almaty").totp_secret is None       # a GET writes nothing
    owner = app.test_client()
    _password_only(owner, "sup.almaty")
    secret = _enrolment_secret(owner)
    assert secret != read_early
    refused = _post_code(owner, "/login/enrol", pyotp.TOTP(read_early).at(clock.now()))
    assert refused.status_code == 401
    shown = _post_code(owner, "/login/enrol", pyotp.TOTP(secret).at(clock.now()))
    assert shown.status_code == 200 and "<code>" in shown.get_data(as_text=True)
    stored = _user(app, "sup.almaty")
    with app.app_context():
        cipher = NotesCipher(app.extensions["helpline"].settings.notes_key)
        assert stored.totp_enabled and two_factor.secret_of(stored, cipher) == secret
    assert early.get("/login/enrol").location.endswith("/login")   # enrolled: nothing to do there


def _at_recovery_codes(app, client, clock, username: str):
    """Sign in with the password and enrol; returns the recovery-codes page."""
    import pyotp

    _password_only(client, username)
    return _post_code(client, "/login/enrol", pyotp.TOTP(_enrolment_secret(client)).at(clock.now()))


def test_a_copied_pending_sign_in_completes_only_once(app, make_user, clock):
    make_user("sup.almaty", role="supervisor", two_factor=False)
    owner = app.test_client()
    shown = _at_recovery_codes(app, owner, clock, "sup.almaty")
    token = csrf_from(shown.get_data(as_text=True))
    thief = _copy_of(owner, app)
    assert owner.post("/login/continue", data={"csrf_token": token}).location.endswith("/supervisor")
    replay = thief.post("/login/continue", data={"csrf_token": token})
    assert replay.status_code == 302 and replay.location.endswith("/login")
    assert "/login" in thief.get("/supervisor").location
    assert owner.get("/supervisor").status_code == 200


@pytest.mark.parametrize("action", ["revoke-sessions", "reset-password", "reset-two-factor"])
def test_a_pending_sign_in_ends_with_an_administrators_action(app, make_user, staff_client, clock,
                                                              action):
    make_user("root", role="administrator", centre_id=None)
    uid = make_user("sup.almaty", role="supervisor", two_factor=False)
    owner = app.test_client()
    token = csrf_from(_at_recovery_codes(app, owner, clock, "sup.almaty").get_data(as_text=True))
    thief = _copy_of(owner, app)
    _admin_action(app, staff_client, uid, action)
    for browser in (thief, owner):
        refused = browser.post("/login/continue", data={"csrf_token": token})
        assert refused.status_code == 302 and refused.location.endswith("/login")
        assert "/login" in browser.get("/supervisor").location


def test_switching_two_factor_on_ends_the_session_it_started_from(app, make_user, staff_client, clock):
    import pyotp

    make_user("aigerim")
    person, _ = staff_client("aigerim")
    before = _copy_of(person, app)
    token = csrf_from(person.get("/account/password").get_data(as_text=True))
    person.post("/account/two-factor", data={"csrf_token": token})
    secret = _enrolment_secret(person)
    shown = _post_code(person, "/login/enrol", pyotp.TOTP(secret).at(clock.now()))
    token = csrf_from(shown.get_data(as_text=True))
    assert person.post("/login/continue", data={"csrf_token": token}).location.endswith("/console")
    assert person.get("/console").status_code == 200
    assert "/login" in before.get("/console").location          # the old session ended


@pytest.mark.parametrize("code", ["１２３４５６", "١٢٣٤٥٦", "۱۲۳۴۵۶", "12 34 5６"])
def test_digits_of_other_scripts_are_a_wrong_code_not_an_error(app, make_user, code, clock):
    make_user("sup.almaty", role="supervisor")
    make_user("sup.astana", role="supervisor", two_factor=False)
    signing_in = app.test_client()
    _password_only(signing_in, "sup.almaty")
    answer = _post_code(signing_in, "/login/code", code)
    assert answer.status_code == 401 and "Wrong code." in answer.get_data(as_text=True)
    enrolling = app.test_client()
    _password_only(enrolling, "sup.astana")
    answer = _post_code(enrolling, "/login/enrol", code)
    assert answer.status_code == 401 and "Wrong code." in answer.get_data(as_text=True)


def test_a_two_factor_key_this_server_cannot_read_is_said_in_words(app, make_user):
    uid = make_user("sup.almaty", role="supervisor")
    with app.app_context():          # encrypted under a key NOTES_KEY no longer lists
        db.session.get(User, uid).totp_secret = NotesCipher(new_key()).encrypt("JBSWY3DPEHPK3PXP")
        db.session.commit()
    words = "Your two-factor key cannot be read on this server; ask an administrator to reset"
    looking = app.test_client()
    assert _password_only(looking, "sup.almaty").location.endswith("/login/code")
    page = looking.get("/login/code")
    assert page.status_code == 409 and words in page.get_data(as_text=True)
    assert "/login" in looking.get("/supervisor").location
    posting = app.test_client()
    token = csrf_from(posting.get("/login?lang=en").get_data(as_text=True))
    posting.post("/login", data={"username": "sup.almaty", "password": PASSWORD, "csrf_token": token})
    token = csrf_from(posting.get("/login").get_data(as_text=True))   # not the code page's GET
    answer = posting.post("/login/code", data={"code": "123456", "csrf_token": token})
    assert answer.status_code == 409 and words in answer.get_data(as_text=True)
    assert "/login" in posting.get("/supervisor").location
    with app.app_context():
        audited = db.session.scalars(select(AuditEvent.object_id).where(
            AuditEvent.action == "sign_in.key_unreadable")).all()
        assert audited == [str(uid), str(uid)]
