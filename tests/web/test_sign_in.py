"""Sign-in throttling without a lock, the password policy, and what the audit log keeps."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from helpline.extensions import db
from helpline.models import AuditEvent
from helpline.services.accounts import AccountError, NewUser, create_user
from tests.conftest import PASSWORD, csrf_from, sign_in


def _refusals(app) -> list[AuditEvent]:
    with app.app_context():
        rows = list(db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "sign_in.refused").order_by(AuditEvent.id)))
        db.session.expunge_all()
        return rows


def _flash(response) -> str:
    page = response.get_data(as_text=True)
    start = page.index('class="flash error"')
    return page[start:page.index("</p>", start)]


def test_twelve_parallel_wrong_passwords_are_all_counted(app, make_user):
    make_user("aigerim")
    clients = [app.test_client() for _ in range(12)]
    tokens = [csrf_from(c.get("/login?lang=en").get_data(as_text=True)) for c in clients]
    start = threading.Barrier(12)
    statuses: list[int] = []

    def attempt(client, token):
        start.wait()
        statuses.append(client.post("/login", data={"username": "aigerim", "csrf_token": token,
                                                    "password": "wrong password!"}).status_code)

    threads = [threading.Thread(target=attempt, args=pair) for pair in zip(clients, tokens, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [401] * 5 + [429] * 7     # 5 checked, then the delay applies
    details = [event.detail for event in _refusals(app)]
    assert details.count("wrong password") == 5 and details.count("throttled") == 7
    assert sign_in(app.test_client(), "aigerim").status_code == 429   # even the right password


def test_unknown_and_known_usernames_answer_alike_and_are_both_throttled(client, make_user):
    make_user("aigerim")
    for _ in range(5):
        known, unknown = sign_in(client, "aigerim", "wrong password!"), sign_in(client, "nobody",
                                                                                "wrong password!")
        assert known.status_code == unknown.status_code == 401
        assert _flash(known) == _flash(unknown)
    known, unknown = sign_in(client, "aigerim", PASSWORD), sign_in(client, "nobody", PASSWORD)
    assert known.status_code == unknown.status_code == 429
    assert _flash(known) == _flash(unknown) and "Too many failed attempts" in _flash(known)


def test_a_throttled_account_signs_in_once_the_delay_has_passed(client, make_user, clock):
    make_user("aigerim")
    for _ in range(5):
        sign_in(client, "aigerim", "wrong password!")
    for _ in range(40):               # someone keeps trying: refused unchecked, the delay stays
        assert sign_in(client, "aigerim", "wrong password!").status_code == 429
    assert sign_in(client, "aigerim").status_code == 429
    clock.advance(seconds=2)
    assert sign_in(client, "aigerim").status_code == 302
    # the delay grows with each checked failure, but never past its cap: no lock-out
    attacker, owner = (client.application.test_client() for _ in range(2))
    for _ in range(12):
        assert sign_in(attacker, "aigerim", "wrong password!").status_code == 401
        clock.advance(minutes=15)
    assert sign_in(owner, "aigerim").status_code == 302
    assert owner.get("/console").status_code == 200


def test_many_usernames_from_one_address_are_throttled_not_other_addresses(app, make_user):
    make_user("aigerim")
    sprayer = app.test_client()
    for n in range(30):
        assert sign_in(sprayer, f"user{n}", "wrong password!").status_code == 401
    assert sign_in(sprayer, "aigerim").status_code == 429
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "10.1.2.3"
    assert sign_in(elsewhere, "aigerim").status_code == 302


@pytest.mark.parametrize("password, reason", [
    ("aaaaaaaaaa", "at least 12 characters"),
    ("aaaaaaaaaaaa", "too common or too simple"),
    ("qwerty123456", "too common or too simple"),
    ("1q2w3e4r5t6y", "too common or too simple"),
    ("my name is aigerim.b", "must not contain the username"),
])
def test_weak_passwords_are_refused(app, clock, password, reason):
    with app.app_context(), pytest.raises(AccountError, match=reason):
        create_user(db.session, NewUser("aigerim.b", password, "psychologist", 2), clock.now())


def test_the_command_line_applies_the_password_policy(helpline_cli):
    refused = helpline_cli("users", "add", "--username", "erlan", "--password", "qwerty123456",
                           "--role", "psychologist", "--centre", "Astana PSC (demo)")
    assert refused.exit_code == 1 and "too common" in refused.output


def test_the_audit_log_never_keeps_what_was_typed(app, client, make_user, backend):
    user_id = make_user("aigerim")
    typed = "MyS3cret-Passw0rd-typed-as-username"
    assert sign_in(client, typed, "whatever it was").status_code == 401
    assert sign_in(client, "aigerim", "wrong password!").status_code == 401
    unknown, known = _refusals(app)
    assert (unknown.object_id, unknown.detail) == (None, "unknown account")
    assert (known.object_type, known.object_id, known.detail) == ("user", str(user_id),
                                                                  "wrong password")
    with app.app_context():
        db.engine.dispose()
    stored = backend.stored_bytes(app)
    assert typed.encode() not in stored and typed.lower().encode() not in stored


def test_behind_the_proxy_each_client_address_is_throttled_on_its_own(clock, tmp_path, backend):
    """Behind nginx every request comes from the proxy's address: with TRUSTED_PROXY_COUNT=1 the
    address the proxy forwards is the one throttled, so one sprayer never slows the whole centre."""
    from helpline import create_app
    from helpline.schema import upgrade
    from helpline.services.demo import load_demo_data
    from tests.conftest import AUTH_TOKEN, BASE_URL

    app = create_app({**backend.overrides, "helpline_instance_path": str(tmp_path / "proxied"),
                      "testing": True, "public_base_url": BASE_URL, "twilio_auth_token": AUTH_TOKEN,
                      "trusted_proxy_count": 1}, environ={}, clock=clock)
    with app.app_context():
        upgrade(db.engine)
        load_demo_data(db.session, clock.now(), with_users=False)
        create_user(db.session, NewUser("aigerim", PASSWORD, "psychologist", 2), clock.now())
        db.session.commit()
    sprayer = app.test_client()
    sprayer.environ_base.update(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    for n in range(30):
        assert sign_in(sprayer, f"user{n}", "wrong password!").status_code == 401
    assert sign_in(sprayer, "aigerim").status_code == 429           # the sprayer's own address
    colleague = app.test_client()                                    # same proxy, another client
    colleague.environ_base.update(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert sign_in(colleague, "aigerim").status_code == 302
    with app.app_context():
        db.engine.dispose()
