"""Sign-in sessions live on the server: sign-out, revocation, idle time and the absolute
lifetime end them for every copy of the cookie and for the console's sockets."""

from __future__ import annotations

from helpline.extensions import db, socketio
from helpline.models import AgentPresence, AuditEvent, StaffSession
from helpline.services import sessions
from tests.conftest import csrf_from, wait_until
from tests.web.test_record_and_escalation import RECORD, answered_call

NS = "/console"


def _copy_of(client, app):
    """Another browser holding a copy of ``client``'s cookie (as a thief would)."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def _presence(app, user_id) -> str:
    with app.app_context():
        state = db.session.get(AgentPresence, user_id).state
        db.session.remove()
        return state


def _told(sio) -> list[str]:
    """Events the console was sent (readable after the server closed the socket)."""
    return [event["name"] for event in sio.queue]


def _sign_out(http):
    token = csrf_from(http.get("/console").get_data(as_text=True))
    return http.post("/logout", data={"csrf_token": token})


def test_a_cookie_copied_before_sign_out_opens_nothing_after(app, make_user, staff_client):
    make_user("aigerim")
    http, _headers = staff_client("aigerim")
    thief = _copy_of(http, app)
    assert thief.get("/console").status_code == 200            # the copy works while signed in
    assert _sign_out(http).status_code == 302
    page = thief.get("/console")
    assert page.status_code == 302 and "/login" in page.location
    with app.app_context():
        ended = db.session.query(StaffSession).one()
        assert ended.ended_at is not None and ended.end_reason == "sign_out"
        assert db.session.query(AuditEvent).filter_by(action="sign_out").count() == 1
        db.session.remove()


def test_a_script_with_a_signed_out_cookie_is_told_in_words(app, make_user, staff_client):
    make_user("aigerim")
    http, headers = staff_client("aigerim")
    thief = _copy_of(http, app)
    _sign_out(http)
    response = thief.post("/console/calls/any/record", json=RECORD, headers=headers)
    assert response.status_code == 401 and "signed out" in response.get_json()["error"]


def test_sign_out_closes_the_console_socket_and_takes_the_person_out_of_routing(app, make_user,
                                                                                staff_client):
    user_id = make_user("aigerim")
    http, _headers = staff_client("aigerim")
    sio = socketio.test_client(app, namespace=NS, flask_test_client=http)
    assert sio.emit("set_state", {"state": "available"}, namespace=NS, callback=True)["ok"]
    thief = _copy_of(http, app)
    _sign_out(http)
    assert wait_until(lambda: not sio.is_connected(NS))
    assert wait_until(lambda: _presence(app, user_id) == "offline")
    assert "session_ended" in _told(sio)
    again = socketio.test_client(app, namespace=NS, flask_test_client=thief)
    assert not again.is_connected(NS)                          # a new connection is refused


def test_revoking_ends_every_session_of_the_person(app, make_user, staff_client, clock):
    user_id = make_user("aigerim")
    first, _ = staff_client("aigerim")
    second, _ = staff_client("aigerim")
    other_id = make_user("dmitry")
    colleague, _ = staff_client("dmitry")
    sio = socketio.test_client(app, namespace=NS, flask_test_client=second)
    with app.app_context():
        assert sessions.end_all_for_user(db.session, user_id, clock.now(), "revoked") == 2
        db.session.commit()
        assert sessions.live_count(db.session, other_id) == 1
        db.session.remove()
    assert first.get("/console").status_code == 302
    assert second.get("/console").status_code == 302
    assert colleague.get("/console").status_code == 200
    assert wait_until(lambda: not sio.is_connected(NS))


def test_idle_time_applies_to_the_console_socket_and_heartbeats_are_not_activity(app, make_user,
                                                                                 staff_client, clock):
    user_id = make_user("aigerim")
    http, _headers = staff_client("aigerim")
    sio = socketio.test_client(app, namespace=NS, flask_test_client=http)
    assert sio.emit("set_state", {"state": "available"}, namespace=NS, callback=True)["ok"]
    clock.advance(minutes=20)
    assert sio.emit("heartbeat", {}, namespace=NS, callback=True)["ok"]
    clock.advance(minutes=11)                    # 31 minutes since the person last did anything
    sio.get_received(NS)
    reply = sio.emit("heartbeat", {}, namespace=NS, callback=True)
    assert reply["ok"] is False and reply["signed_out"] and "signed out" in reply["error"]
    assert "signed_out" in _told(sio)
    assert not sio.is_connected(NS)
    assert wait_until(lambda: _presence(app, user_id) == "offline")   # no calls offered to an empty chair
    assert http.get("/console").status_code == 302


def test_idle_expiry_of_a_page_follows_the_app_clock_and_says_why(app, make_user, staff_client, clock):
    """Idle time is measured on the app's clock: the test clock, never the machine's, decides."""
    make_user("aigerim")
    http, _headers = staff_client("aigerim")
    clock.advance(minutes=29)
    assert http.get("/console").status_code == 200     # 29 minutes idle: still signed in (and active now)
    clock.advance(minutes=29)
    assert http.get("/console").status_code == 200     # counted from the last page, not from sign-in
    clock.advance(minutes=31)
    page = http.get("/console", follow_redirects=True)
    assert "Your session expired after a period of inactivity" in page.get_data(as_text=True)
    assert http.get("/console").status_code == 302


def test_a_person_on_a_call_is_never_signed_out_by_the_clock(app, make_user, staff_client, phone, clock):
    make_user("saule")
    http, headers, call_id, sio = answered_call(app, phone, staff_client, clock)
    clock.advance(hours=15)                      # past the idle limit and the absolute lifetime
    assert sio.emit("heartbeat", {}, namespace=NS, callback=True)["ok"]
    saved = http.post(f"/console/calls/{call_id}/record", json=RECORD, headers=headers)
    assert saved.status_code == 200 and saved.get_json()["saved"] is True


def test_a_session_ends_at_its_absolute_lifetime_however_active(app, make_user, staff_client, clock):
    make_user("aigerim")
    http, _headers = staff_client("aigerim")
    for _ in range(28):                          # active every 29 minutes: 13 h 32 min
        clock.advance(minutes=29)
        assert http.get("/console").status_code == 200
    clock.advance(minutes=29)                    # 14 h 1 min after sign-in
    response = http.get("/console")
    assert response.status_code == 302 and "/login" in response.location
    assert "You are signed out" in http.get(response.location).get_data(as_text=True)


def test_a_password_change_may_keep_the_session_it_was_made_in(app, make_user, staff_client, clock):
    user_id = make_user("aigerim")
    here, _ = staff_client("aigerim")
    elsewhere, _ = staff_client("aigerim")
    with here.session_transaction() as cookie:
        mine = cookie["staff_session"]
    with app.app_context():
        assert sessions.end_all_for_user(db.session, user_id, clock.now(), "password_changed", keep=mine) == 1
        db.session.commit()
        db.session.remove()
    assert here.get("/console").status_code == 200
    assert elsewhere.get("/console").status_code == 302


def _admin_acts(app, make_user, staff_client, path: str, user_id: int):
    make_user("root", role="administrator", centre_id=None)
    admin, _ = staff_client("root")
    token = csrf_from(admin.get(f"/admin/users/{user_id}").get_data(as_text=True))
    return admin.post(path.format(user_id=user_id), data={"csrf_token": token})


def test_an_administrator_signs_a_person_out_everywhere(app, make_user, staff_client):
    user_id = make_user("aigerim")
    http, headers = staff_client("aigerim")
    sio = socketio.test_client(app, namespace=NS, flask_test_client=http)
    assert sio.emit("set_state", {"state": "available"}, namespace=NS, callback=True)["ok"]
    done = _admin_acts(app, make_user, staff_client, "/admin/users/{user_id}/revoke-sessions", user_id)
    assert done.status_code in (200, 303)
    assert wait_until(lambda: not sio.is_connected(NS))       # her open console is closed
    assert wait_until(lambda: _presence(app, user_id) == "offline")
    assert http.get("/console").status_code == 302            # and her cookie opens nothing
    assert http.post("/console/calls/any/record", json=RECORD, headers=headers).status_code == 401


def test_switching_an_account_off_closes_its_console_at_once(app, make_user, staff_client):
    user_id = make_user("aigerim")
    http, _headers = staff_client("aigerim")
    sio = socketio.test_client(app, namespace=NS, flask_test_client=http)
    assert sio.emit("set_state", {"state": "available"}, namespace=NS, callback=True)["ok"]
    done = _admin_acts(app, make_user, staff_client, "/admin/users/{user_id}/disable", user_id)
    assert done.status_code == 303
    assert wait_until(lambda: not sio.is_connected(NS))
    assert wait_until(lambda: _presence(app, user_id) == "offline")
    with app.app_context():
        assert db.session.query(StaffSession).filter_by(user_id=user_id, ended_at=None).count() == 0
        db.session.remove()


def test_the_consoles_own_refreshes_never_keep_an_empty_chair_signed_in(app, make_user, staff_client,
                                                                         clock):
    """The console refreshes the supervisors' names and its voice token by itself: those requests
    are not the person's doing. Typing or clicking on it is, and it says so ("I am here")."""
    user_id = make_user("aigerim")
    http, headers = staff_client("aigerim")
    sio = socketio.test_client(app, namespace=NS, flask_test_client=http)
    assert sio.emit("set_state", {"state": "available"}, namespace=NS, callback=True)["ok"]
    background = {**headers, "Accept": "application/json", "X-Helpline-Background": "1"}
    for _ in range(5):                           # 25 minutes of the console refreshing itself
        clock.advance(minutes=5)
        assert http.get("/console/supervisors-on-call", headers=background).status_code == 200
        assert sio.emit("heartbeat", {}, namespace=NS, callback=True)["ok"]
    clock.advance(minutes=6)
    assert sio.emit("heartbeat", {}, namespace=NS, callback=True)["signed_out"]
    assert wait_until(lambda: _presence(app, user_id) == "offline")

    present, headers = staff_client("aigerim")   # someone at the console says so now and then
    for _ in range(3):
        clock.advance(minutes=20)
        assert present.post("/account/still-here", headers=headers).get_json() == {"ok": True}
    assert present.get("/console").status_code == 200
