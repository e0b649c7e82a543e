"""Sign-in sends the person only to pages of this site; a GET never changes saved settings."""

from __future__ import annotations

import pytest

from helpline.extensions import db
from helpline.models import User
from tests.conftest import PASSWORD, csrf_from, sign_in


def _sign_in_to(client, query: str | dict):
    token = csrf_from(client.get("/login?lang=en").get_data(as_text=True))
    data = {"username": "aigerim", "password": PASSWORD, "csrf_token": token}
    if isinstance(query, dict):
        return client.post("/login", query_string=query, data=data)
    return client.post(f"/login?{query}", data=data)


@pytest.mark.parametrize("query", [
    "next=/%09/evil.example/",                  # browsers drop the tab: //evil.example/
    {"next": "/\\evil.example"},
    {"next": "//evil"},
    {"next": "https://evil"},
    {"next": "/%2F%2Fevil"},
    {"next": "/%09/evil.example/"},
    {"next": " /console"},
    {"next": "/console\n"},
])
def test_sign_in_never_sends_the_person_off_site(app, client, make_user, query):
    make_user("aigerim")
    response = _sign_in_to(client, query)
    assert response.status_code == 302
    assert response.location == "/console"     # home, not the address given


def test_sign_in_returns_to_the_page_asked_for(app, client, make_user):
    make_user("aigerim")
    response = _sign_in_to(client, {"next": "/my-shifts?month=2026-03"})
    assert response.status_code == 302 and response.location == "/my-shifts?month=2026-03"


def _ui_language(app, username: str) -> str:
    with app.app_context():
        language = db.session.query(User.ui_language).filter_by(username=username).scalar()
        db.session.remove()
        return language


def test_a_language_link_changes_the_page_but_not_the_saved_language(app, client, make_user):
    make_user("aigerim", ui_language="kk")
    sign_in(client, "aigerim", lang="")
    page = client.get("/stats?lang=ru")                 # a link any site could make the browser load
    assert page.status_code == 200 and 'lang="ru"' in page.get_data(as_text=True)
    assert _ui_language(app, "aigerim") == "kk"
    console = client.get("/console").get_data(as_text=True)
    assert "Принять" in console                         # the session keeps the page's language
    assert client.post("/account/language", data={"language": "ru"}).status_code == 400   # no CSRF
    assert _ui_language(app, "aigerim") == "kk"
    saved = client.post("/account/language", data={"language": "ru", "next": "/console",
                                                    "csrf_token": csrf_from(console)})
    assert saved.status_code == 302 and saved.location == "/console"
    assert _ui_language(app, "aigerim") == "ru"
    refused = client.post("/account/language", data={"language": "xx", "csrf_token": csrf_from(console)})
    assert refused.status_code == 400 and _ui_language(app, "aigerim") == "ru"
