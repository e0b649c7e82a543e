"""Several processes route at once: a call queued while another process is ringing the
longest-idle psychologist rings the next one at once, instead of waiting for that process and
being left to the scheduler's next tick."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline.extensions import db, socketio
from helpline.models import AgentPresence, Offer, OfferState, User
from tests.conftest import ALMATY, all_calls, wait_until

NS = "/console"


def test_a_call_queued_while_another_process_rings_rings_the_next_free_person(
        app, make_user, staff_client, phone, clock, backend):
    consoles = {}
    for name in ("longest", "next"):
        make_user(name)
        http, _headers = staff_client(name)
        consoles[name] = socketio.test_client(app, namespace=NS, flask_test_client=http)
    first = phone(ALMATY)
    first.dial()
    first.press("3")
    first.press("1")                 # waits: both are still on Break
    now = clock.now()
    with app.app_context():          # both Available, "longest" idle longer; nothing routed yet
        for name, idle in (("longest", 60), ("next", 30)):
            user = db.session.scalar(select(User).where(User.username == name))
            row = db.session.get(AgentPresence, user.id)
            row.state, row.state_since, row.last_seen_at = "available", now - timedelta(seconds=idle), now
        db.session.commit()
        db.session.remove()
    for sio in consoles.values():
        sio.get_received(NS)

    with app.app_context():
        other = Session(db.engine)   # the scheduler's tick in another process, not committed yet
        try:
            (rung,) = app.extensions["helpline"].dispatcher.route(other, clock.now())
            rung_call = rung.call_id
            if backend.name == "sqlite":     # one writer at a time: it has committed first
                other.commit()
            second = phone(ALMATY)
            queued = threading.Thread(target=lambda: (second.dial(), second.press("3"),
                                                      second.press("1")))
            queued.start()
            offered = wait_until(lambda: [e for e in consoles["next"].get_received(NS)
                                          if e["name"] == "offer"], timeout=10)
            other.commit()
        finally:
            other.close()
        queued.join()
    calls = all_calls(app)
    assert offered, "the second call did not ring the next free psychologist at once"
    with app.app_context():
        ringing = set(db.session.execute(select(Offer.call_id, User.username).join(
            User, User.id == Offer.user_id).where(Offer.state == OfferState.RINGING.value)).all())
        db.session.remove()
    assert rung_call == calls[0].id
    assert ringing == {(calls[0].id, "longest"), (calls[1].id, "next")}
