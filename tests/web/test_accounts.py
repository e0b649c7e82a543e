"""Sign-in, throttling, CSRF, idle expiry, roles and the interface languages."""

from __future__ import annotations

from tests.conftest import csrf_from, sign_in


def test_sign_in_and_out(app, client, make_user):
    make_user("aigerim")
    page = client.get("/login?lang=en").get_data(as_text=True)
    assert ">Username<" in page and ">Password<" in page and ">Sign in<" in page
    response = sign_in(client, "aigerim")
    assert response.status_code == 302 and response.location.endswith("/console")
    console = client.get("/console")
    assert console.status_code == 200
    token = csrf_from(console.get_data(as_text=True))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/console").status_code == 302


def test_wrong_password_is_refused_without_saying_which_part(client, make_user):
    make_user("aigerim")
    response = sign_in(client, "aigerim", "wrong password!")
    assert response.status_code == 401
    assert "Wrong username or password." in response.get_data(as_text=True)
    assert sign_in(client, "nobody", "wrong password!").status_code == 401


def test_login_form_needs_its_csrf_token(client, make_user):
    make_user("aigerim")
    response = client.post("/login", data={"username": "aigerim", "password": "x" * 12})
    assert response.status_code == 400


def test_idle_sessions_expire(client, make_user, clock):
    make_user("aigerim")
    sign_in(client, "aigerim")
    assert client.get("/console").status_code == 200
    clock.advance(minutes=31)
    response = client.get("/console")
    assert response.status_code == 302 and "/login" in response.location


def test_roles_and_centres_are_enforced(app, make_user, staff_client):
    make_user("aigerim", centre_id=2)
    make_user("sup.astana", role="supervisor", centre_id=1)
    psychologist, _ = staff_client("aigerim")
    assert psychologist.get("/supervisor").status_code == 403
    assert psychologist.get("/admin/users").status_code == 403
    supervisor, _ = staff_client("sup.astana")
    assert supervisor.get("/supervisor/board.json").status_code == 200
    for lang in ("kk", "ru", "en"):                 # every page renders in every language
        for path in ("/supervisor", "/console", "/rota", "/my-shifts"):
            assert supervisor.get(f"{path}?lang={lang}").status_code == 200, (path, lang)
    assert supervisor.get("/admin/users").status_code == 403


def test_interface_languages(client, make_user):
    make_user("aigerim", ui_language="kk")
    assert "Кіру" in client.get("/login?lang=kk").get_data(as_text=True)
    assert "Войти" in client.get("/login?lang=ru").get_data(as_text=True)
    other = client.application.test_client()
    sign_in(other, "aigerim", lang="")              # no choice on the sign-in page
    assert "Қабылдау" in other.get("/console").get_data(as_text=True)   # the user's own: Kazakh
    sign_in(client, "aigerim")                      # English chosen on the sign-in page
    assert "Accept" in client.get("/console").get_data(as_text=True)
    page = client.get("/console").get_data(as_text=True)
    page = client.get("/console?lang=ru").get_data(as_text=True)
    assert "Принять" in page and "Положить трубку" in page
    assert "Принять" in client.get("/console").get_data(as_text=True)   # kept for the user


def test_administrator_adds_and_switches_off_users(app, make_user, staff_client):
    make_user("root", role="administrator", centre_id=None)
    admin, headers = staff_client("root")
    page = admin.get("/admin/users").get_data(as_text=True)
    token = csrf_from(page)
    bad = admin.post("/admin/users", data={"csrf_token": token, "username": "new.one",
                                           "password": "short", "role": "psychologist",
                                           "centre_id": "1", "languages": ["kk"], "ui_language": "kk"})
    assert bad.status_code == 400
    good = admin.post("/admin/users", data={"csrf_token": token, "username": "new.one",
                                            "password": "long enough pw", "role": "psychologist",
                                            "centre_id": "1", "languages": ["kk", "ru"],
                                            "ui_language": "kk"})
    assert good.status_code == 303
    assert "new.one" in admin.get("/admin/users").get_data(as_text=True)
    from helpline.extensions import db
    from helpline.models import User

    with app.app_context():
        user_id = db.session.query(User.id).filter_by(username="new.one").scalar()
    assert admin.post(f"/admin/users/{user_id}/disable", data={"csrf_token": token}).status_code == 303
    assert sign_in(app.test_client(), "new.one", "long enough pw").status_code == 401


def test_users_add_command(helpline_cli, app):
    result = helpline_cli("users", "add", "--username", "erlan", "--password", "long enough pw",
                          "--role", "psychologist", "--centre", "Astana PSC (demo)",
                          "--languages", "kk,ru")
    assert result.exit_code == 0, result.output
    assert "erlan\tpsychologist\tAstana PSC (demo)\tkk,ru" in helpline_cli("users", "list").output
    refused = helpline_cli("users", "add", "--username", "x", "--password", "long enough pw",
                           "--role", "supervisor")
    assert refused.exit_code == 1 and "centre: required" in refused.output


def test_the_language_chosen_on_the_sign_in_page_is_kept(client, make_user):
    make_user("aigerim", ui_language="en")
    token = csrf_from(client.get("/login?lang=ru").get_data(as_text=True))
    client.post("/login", data={"username": "aigerim", "password": "correct horse battery",
                                "csrf_token": token})
    assert "Принять" in client.get("/console").get_data(as_text=True)
