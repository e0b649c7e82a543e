"""Administrators edit, switch off, reset accounts; everyone changes their own password."""

from __future__ import annotations

from sqlalchemy import select

from helpline.extensions import db
from helpline.models import AuditEvent, User
from tests.conftest import PASSWORD, csrf_from, sign_in


def _user(app, username: str) -> User:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        db.session.expunge_all()
        return user


def _actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_administrator_edits_switches_off_and_on(app, make_user, staff_client):
    make_user("root", role="administrator", centre_id=None)
    uid = make_user("aigerim", centre_id=2)
    admin, _ = staff_client("root")
    page = admin.get(f"/admin/users/{uid}").get_data(as_text=True)
    token = csrf_from(page)
    bad = admin.post(f"/admin/users/{uid}", data={"csrf_token": token, "role": "supervisor",
                                                  "centre_id": "", "languages": ["kk"],
                                                  "ui_language": "kk"})
    assert bad.status_code == 400 and "centre: required" in bad.get_data(as_text=True)
    saved = admin.post(f"/admin/users/{uid}", data={"csrf_token": token, "role": "psychologist",
                                                    "centre_id": "1", "languages": ["ru", "en"],
                                                    "ui_language": "ru"})
    assert saved.status_code == 303
    user = _user(app, "aigerim")
    assert (user.centre_id, user.languages, user.ui_language) == (1, "ru,en", "ru")
    assert admin.post(f"/admin/users/{uid}/disable", data={"csrf_token": token}).status_code == 303
    assert sign_in(app.test_client(), "aigerim").status_code == 401
    assert admin.post(f"/admin/users/{uid}/enable", data={"csrf_token": token}).status_code == 303
    assert sign_in(app.test_client(), "aigerim").status_code == 302
    assert {"user.edit", "user.disable", "user.enable"} <= set(_actions(app))


def test_a_reset_password_is_shown_once_and_must_be_changed(app, make_user, staff_client):
    make_user("root", role="administrator", centre_id=None)
    uid = make_user("aigerim")
    admin, _ = staff_client("root")
    token = csrf_from(admin.get(f"/admin/users/{uid}").get_data(as_text=True))
    shown = admin.post(f"/admin/users/{uid}/reset-password", data={"csrf_token": token})
    temporary = shown.get_data(as_text=True).split('id="temporary-password">')[1].split("<")[0]
    assert shown.status_code == 200 and len(temporary) >= 12
    assert temporary not in admin.get(f"/admin/users/{uid}").get_data(as_text=True)
    assert sign_in(app.test_client(), "aigerim", PASSWORD).status_code == 401   # old one is gone

    person = app.test_client()
    first = sign_in(person, "aigerim", temporary)
    assert first.status_code == 302 and first.location.endswith("/login/new-password")
    assert person.get("/console").status_code == 302                  # nothing else until then
    token = csrf_from(person.get("/login/new-password").get_data(as_text=True))
    weak = person.post("/login/new-password", data={"csrf_token": token, "new": "qwerty123456",
                                                    "confirm": "qwerty123456"})
    assert weak.status_code == 400 and "too common" in weak.get_data(as_text=True)
    done = person.post("/login/new-password", data={"csrf_token": token, "new": "steppe wind at dawn",
                                                    "confirm": "steppe wind at dawn"})
    assert done.status_code == 302 and done.location.endswith("/console")
    assert person.get("/console").status_code == 200
    assert sign_in(app.test_client(), "aigerim", "steppe wind at dawn").status_code == 302
    assert {"user.reset_password", "password.change"} <= set(_actions(app))


def test_reset_two_factor_and_calendar_feed(app, make_user, staff_client):
    make_user("root", role="administrator", centre_id=None)
    uid = make_user("sup", role="supervisor")
    with app.app_context():
        db.session.get(User, uid).calendar_token = "feed-token-of-sup"
        db.session.commit()
    admin, _ = staff_client("root")
    token = csrf_from(admin.get(f"/admin/users/{uid}").get_data(as_text=True))
    for action in ("reset-two-factor", "revoke-calendar"):
        assert admin.post(f"/admin/users/{uid}/{action}", data={"csrf_token": token}).status_code == 303
    assert app.test_client().get("/calendar/feed-token-of-sup.ics").status_code == 404
    user = _user(app, "sup")
    assert user.calendar_token is None and not user.totp_enabled and user.totp_secret is None
    assert sign_in(app.test_client(), "sup").location.endswith("/login/enrol")
    assert {"user.reset_two_factor", "user.revoke_calendar"} <= set(_actions(app))


def test_only_administrators_with_the_token_act_on_accounts(app, make_user, staff_client):
    uid = make_user("aigerim")
    make_user("sup", role="supervisor")
    make_user("root", role="administrator", centre_id=None)
    supervisor, _ = staff_client("sup")
    token = csrf_from(supervisor.get("/supervisor").get_data(as_text=True))
    for action in ("reset-password", "reset-two-factor", "revoke-sessions", "revoke-calendar"):
        assert supervisor.post(f"/admin/users/{uid}/{action}",
                               data={"csrf_token": token}).status_code == 403
    assert supervisor.get(f"/admin/users/{uid}").status_code == 403
    admin, _ = staff_client("root")
    assert admin.post(f"/admin/users/{uid}/reset-password", data={}).status_code == 400
    assert sign_in(app.test_client(), "aigerim").status_code == 302       # nothing happened


def test_everyone_changes_their_own_password(app, make_user, staff_client):
    make_user("aigerim")
    person, _ = staff_client("aigerim")
    token = csrf_from(person.get("/account/password").get_data(as_text=True))
    wrong = person.post("/account/password", data={"csrf_token": token, "current": "not it at all",
                                                   "new": "steppe wind at dawn",
                                                   "confirm": "steppe wind at dawn"})
    assert wrong.status_code == 400
    named = person.post("/account/password", data={"csrf_token": token, "current": PASSWORD,
                                                   "new": "aigerim's new password",
                                                   "confirm": "aigerim's new password"})
    assert named.status_code == 400 and "username" in named.get_data(as_text=True)
    for lang, said in (("ru", "пароль: не должен содержать имя пользователя"),
                       ("kk", "құпиясөз: пайдаланушы атын қамтымауы керек")):
        refused = person.post(f"/account/password?lang={lang}", data={
            "csrf_token": token, "current": PASSWORD, "new": "aigerim's new password",
            "confirm": "aigerim's new password"})
        assert refused.status_code == 400 and said in refused.get_data(as_text=True)   # her language
    done = person.post("/account/password", data={"csrf_token": token, "current": PASSWORD,
                                                  "new": "steppe wind at dawn",
                                                  "confirm": "steppe wind at dawn"})
    assert done.status_code == 302 and person.get("/console").status_code == 200
    assert sign_in(app.test_client(), "aigerim").status_code == 401
    assert sign_in(app.test_client(), "aigerim", "steppe wind at dawn").status_code == 302
