"""A supervisor on a call in progress: Listen, Coach, Join, switch and Leave, through the
supervisor view's HTTP API and a real simulated call (signed webhooks, TwiML, a conference)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from helpline.extensions import db
from helpline.models import AuditEvent, Call
from tests.conftest import wait_until
from tests.faults.test_carrier_faults import Console, _answered_call
from tests.web.test_privacy import WsgiTransport


@pytest.fixture
def line(app, make_user, staff_client):
    """A simulated caller answered by psychologist "saule" (centre 2); supervisor "dana" of
    centre 2 signed in."""
    carrier = app.extensions["carrier"]
    carrier.speed = 0.02
    carrier._transport = WsgiTransport(app.test_client())
    make_user("saule")
    make_user("dana", role="supervisor")
    console = Console(app, staff_client, "saule")
    caller = _answered_call(app, console)
    supervisor, headers = staff_client("dana")

    class Line:
        call_id = console.events("call_connected")[-1]["call_id"]

        def step(self, mode, client=supervisor, hdrs=headers):
            return client.post(f"/supervisor/calls/{self.call_id}/line", json={"mode": mode}, headers=hdrs)

        def people(self):
            return console.wait_for("on_the_line")["people"]

    found = Line()
    found.caller, found.console, found.carrier = caller, console, carrier
    found.supervisor, found.headers = supervisor, headers
    yield found
    caller.hang_up()
    caller.wait_for(lambda c: c.finished)


def _conference(line):
    return line.caller.conference


def _modes(line) -> dict[str, str]:
    return {p.role: p.mode for p in _conference(line).participants}


def _audit(app, call_id):
    with app.app_context():
        rows = db.session.scalars(select(AuditEvent).where(
            AuditEvent.object_id == call_id, AuditEvent.action.like("on_the_line.%"))
            .order_by(AuditEvent.id)).all()
        db.session.remove()
        return [(r.action, r.detail) for r in rows]


def _hears(line, role):
    view = _conference(line)
    handle = next(p.handle for p in view.participants if p.role == role)
    return view.hears(handle)


def test_listen_coach_join_and_leave_in_one_call(app, line):
    assert line.step("listen").status_code == 200
    assert _modes(line) == {"caller": "", "psychologist": "", "supervisor": "listening"}
    assert _hears(line, "caller") == ["psychologist"]             # the caller hears nobody else
    assert _hears(line, "psychologist") == ["caller"]
    assert line.people() == [{"user_id": _user_id(app, "dana"),
                              "name": "dana", "mode": "listen"}]

    assert line.step("coach").status_code == 200
    assert _modes(line)["supervisor"] == "coaching"
    assert _hears(line, "caller") == ["psychologist"]             # still not the supervisor
    assert sorted(_hears(line, "psychologist")) == ["caller", "supervisor"]
    assert line.console.wait_for("on_the_line")["people"][0]["mode"] == "coach"

    assert line.step("join").status_code == 200
    assert sorted(_hears(line, "caller")) == ["psychologist", "supervisor"]
    assert line.console.wait_for("on_the_line")["people"][0]["mode"] == "join"
    state = line.supervisor.get(f"/simulator/calls/{line.caller.handle}?since=0").get_json()
    assert {"role": "supervisor", "mode": ""} in state["participants"]

    assert line.step("leave").status_code == 200
    assert wait_until(lambda: "supervisor" not in _conference(line).roles)
    assert line.console.wait_for("on_the_line")["people"] == []
    assert _audit(app, line.call_id) == [("on_the_line.join", "listen"), ("on_the_line.mode", "coach"),
                                         ("on_the_line.mode", "join"), ("on_the_line.leave", "")]
    with app.app_context():                                       # the psychologist was never "lost"
        assert db.session.get(Call, line.call_id).agent_lost_at is None
        db.session.remove()
    assert line.caller.connected and not line.caller.finished


def _user_id(app, username):
    from helpline.models import User

    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.username == username))
        db.session.remove()
        return user_id


def test_only_supervisors_of_the_calls_centre_may_listen(app, line, make_user, staff_client):
    make_user("ainur", role="supervisor", centre_id=1)
    make_user("boss", role="administrator", centre_id=None)
    other, other_headers = staff_client("ainur")
    assert line.step("listen", other, other_headers).status_code == 403
    assert line.step("listen", line.console.http, line.console.headers).status_code == 403
    assert line.step("listen", line.supervisor, {}).status_code == 400            # no CSRF token
    assert line.call_id not in other.get("/supervisor/line.json").get_json()["calls"]
    assert "supervisor" not in _conference(line).roles and _audit(app, line.call_id) == []
    admin, admin_headers = staff_client("boss")
    assert line.call_id in admin.get("/supervisor/line.json").get_json()["calls"]
    assert line.step("join", admin, admin_headers).status_code == 200             # administrators: all
    assert line.people()[0]["name"] == "boss"


def test_a_step_that_did_not_happen_is_refused_in_words(app, line):
    assert line.step("shout").status_code == 409
    assert "Choose Listen, Coach or Join" in line.step("shout").get_json()["error"]
    assert line.step("leave").get_json()["error"] == "You are not on this call."
    line.carrier.faults.rest_fails = True
    refused = line.step("listen")
    assert refused.status_code == 409
    assert refused.get_json()["error"].startswith(
        "You were not put on the call: the phone carrier did not do it")
    assert _audit(app, line.call_id) == [] and "supervisor" not in _conference(line).roles
    assert line.console.events("on_the_line") == []                     # nothing shown as done
    line.carrier.faults.rest_fails = False
    assert line.step("listen").status_code == 200
    line.caller.hang_up()
    assert wait_until(lambda: line.console.events("call_ended"))
    ended = line.step("join")
    assert ended.status_code == 409
    assert ended.get_json()["error"] == "This call has ended, so there is nothing to listen to or join."
    assert _audit(app, line.call_id) == [("on_the_line.join", "listen")]
    assert line.supervisor.get("/supervisor/line.json").get_json()["calls"] == {}


@pytest.fixture
def switched_off(request) -> tuple[str, ...]:
    """Centres whose supervisors may not Listen or Coach (none unless a test says so)."""
    return getattr(request, "param", ())


@pytest.fixture
def settings_overrides(settings_overrides, switched_off):
    return {**settings_overrides, "supervisor_listen_off": switched_off,
            "supervisor_coach_off": switched_off}


@pytest.mark.parametrize("switched_off", [("2",)], indirect=True)
def test_a_centre_may_switch_listen_and_coach_off(app, line):
    listed = line.supervisor.get("/supervisor/line.json").get_json()["calls"][line.call_id]
    assert listed["modes"] == ["join"]
    for mode in ("listen", "coach"):
        refused = line.step(mode)
        assert refused.status_code == 409 and "switched this off" in refused.get_json()["error"]
    assert line.step("join").status_code == 200
    assert line.step("coach").status_code == 409 and _modes(line)["supervisor"] == ""


def test_a_reloaded_console_is_told_who_is_on_the_line(app, line, staff_client):
    assert line.step("coach").status_code == 200
    again = Console(app, staff_client, "saule")
    assert again.wait_for("on_the_line")["people"][0] | {"user_id": 0} == {
        "user_id": 0, "name": "dana", "mode": "coach"}


def test_a_supervisor_is_off_the_call_once_the_psychologists_line_drops(app, line, clock):
    assert line.step("listen").status_code == 200
    assert line.people()[0]["mode"] == "listen"
    assert line.carrier.drop_agent(line.caller.handle)
    line.console.wait_for("agent_leg_lost")
    assert wait_until(lambda: all(leg.finished for leg in line.carrier.calls() if leg.role == "supervisor"))
    listed = line.supervisor.get("/supervisor/line.json").get_json()["calls"][line.call_id]
    assert listed["people"] == []
    refused = line.step("join")
    assert refused.status_code == 409 and "line has dropped" in refused.get_json()["error"]

    clock.advance(seconds=10)
    assert line.console.emit("rejoin", {"call_id": line.call_id})["ok"]
    assert wait_until(lambda: _conference(line) is not None and "psychologist" in _conference(line).roles)
    assert line.step("coach").status_code == 200                     # a new conference, a new join
    assert line.people() == [{"user_id": _user_id(app, "dana"), "name": "dana", "mode": "coach"}]
