"""A browser someone signed in from stays theirs: failures from elsewhere never keep its owner
out, and a copy of its cookie still meets growing delays."""

from __future__ import annotations

from itertools import count

from tests.conftest import PASSWORD, csrf_from
from tests.web.test_staff_sessions import _sign_out

_addresses = count(1)


def _attempt(client, username: str, password: str = PASSWORD, address: str | None = None):
    """One sign-in attempt from ``address``, by default a fresh one (as an attacker rotating
    addresses would)."""
    environ = {"REMOTE_ADDR": address or f"198.51.100.{next(_addresses) % 250 + 1}"}
    token = csrf_from(client.get("/login?lang=en", environ_base=environ).get_data(as_text=True))
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": token}, environ_base=environ)


def _keep_the_account_throttled(app, clock, username: str, failures: int = 8) -> None:
    """Wrong passwords from ever new browsers and addresses, each as soon as the delay allows."""
    checked = 0
    while checked < failures:
        answer = _attempt(app.test_client(), username, "wrong password!")
        if answer.status_code == 401:
            checked += 1
        else:
            assert answer.status_code == 429
            clock.advance(seconds=30)


def test_the_owners_browser_signs_in_while_an_attacker_keeps_the_account_throttled(app, make_user,
                                                                                    clock):
    make_user("aigerim")
    owner = app.test_client()
    first = _attempt(owner, "aigerim", address="127.0.0.1")
    assert first.status_code == 302
    cookie = first.headers.get("Set-Cookie", "") + ";".join(first.headers.getlist("Set-Cookie"))
    assert "senim_device=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    _sign_out(owner)
    _keep_the_account_throttled(app, clock, "aigerim")
    assert _attempt(app.test_client(), "aigerim").status_code == 429     # an unknown browser waits
    assert _attempt(owner, "aigerim", address="127.0.0.1").status_code == 302   # its owner does not
    assert owner.get("/console").status_code == 200


def test_a_copied_device_cookie_meets_growing_delays_of_its_own(app, make_user, clock):
    make_user("aigerim")
    owner = app.test_client()
    assert _attempt(owner, "aigerim").status_code == 302
    thief = app.test_client()
    thief.set_cookie("senim_device", owner.get_cookie("senim_device").value)
    for _ in range(5):
        assert _attempt(thief, "aigerim", "wrong password!").status_code == 401
    assert _attempt(thief, "aigerim", "wrong password!").status_code == 429
    assert _attempt(thief, "aigerim").status_code == 429         # even the right one must wait
    assert _attempt(app.test_client(), "aigerim").status_code == 302   # the account is not shut


def test_a_device_cookie_helps_only_its_own_account_and_only_when_genuine(app, make_user, clock):
    make_user("aigerim")
    make_user("dmitry")
    browser = app.test_client()
    assert _attempt(browser, "aigerim").status_code == 302
    _keep_the_account_throttled(app, clock, "dmitry")
    assert _attempt(browser, "dmitry").status_code == 429        # aigerim's browser, not dmitry's
    forged = app.test_client()
    value = browser.get_cookie("senim_device").value
    forged.set_cookie("senim_device", value[:-2] + ("AA" if not value.endswith("AA") else "BB"))
    _keep_the_account_throttled(app, clock, "aigerim")
    assert _attempt(forged, "aigerim").status_code == 429
    assert _attempt(browser, "aigerim").status_code == 302
