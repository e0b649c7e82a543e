"""The console is told why it went to Break, and whether its person is on duty now (Socket.IO test
client, signed IVR webhooks, a controlled clock)."""

from __future__ import annotations

from datetime import timedelta

from helpline.extensions import db
from helpline.models import Centre, User
from scheduling import service
from tests.web import test_console_flow as flow
from tests.web.test_console_flow import queued_call, routing_tick, two_available

console = flow.console          # the signed-in Socket.IO client fixture


def shift(app, username, start, hours):
    """A line shift for ``username`` at the Almaty demo centre from ``start`` (UTC)."""
    with app.app_context():
        centre = db.session.query(Centre).filter_by(name="Almaty PSC (demo)").one()
        user = db.session.query(User).filter_by(username=username).one()
        service.add_shift(db.session, centre, user, "line", start, start + timedelta(hours=hours), None,
                          start, app.extensions["helpline"].settings)
        db.session.commit()
        db.session.remove()


def test_a_missed_ring_says_why_she_is_on_break_and_how_long_it_rang(app, make_user, console,
                                                                      phone, clock):
    a, b = two_available(console, make_user, clock)
    queued_call(phone)
    (offer,) = a.events("offer")
    clock.advance(seconds=21)
    b.emit("heartbeat")
    routing_tick(app)
    assert {"offer_id": offer["offer_id"], "reason": "timeout"} in a.events("offer_withdrawn")
    assert a.events("presence")[-1] == {"state": "break", "reason": "missed_ring", "rang_seconds": 21}

    assert a.emit("set_state", {"state": "available"}) == {"ok": True, "state": "available"}
    assert a.events("presence")[-1] == {"state": "available"}     # chosen: no reason given


def test_available_but_not_on_the_rota_now_is_told_and_the_hint_follows_the_rota(app, make_user,
                                                                                  console, clock):
    make_user("saule")
    make_user("timur")
    shift(app, "timur", clock.now() - timedelta(hours=1), 12)       # the centre keeps a rota
    agent = console("saule")
    assert agent.events("duty") == []                               # on Break: nothing to say
    assert agent.emit("heartbeat") == {"ok": True}
    agent.emit("set_state", {"state": "available"})
    assert agent.events("duty") == [{"on_duty": False}]
    assert agent.emit("heartbeat") == {"ok": True, "on_duty": False}

    shift(app, "saule", clock.now() - timedelta(minutes=5), 8)      # the supervisor puts her on
    assert agent.emit("heartbeat") == {"ok": True, "on_duty": True}

    back = console("saule")                 # a second tab, or a reload, while she is Available
    assert back.events("presence") == [{"state": "available"}]
    assert back.events("duty") == [{"on_duty": True}]


def test_without_a_rota_everyone_available_is_on_duty(make_user, console):
    make_user("saule")
    agent = console("saule")
    agent.emit("set_state", {"state": "available"})
    assert agent.events("duty") == [{"on_duty": True}]
