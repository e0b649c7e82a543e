"""The moment a call is queued it is offered, in a few statements whatever the number of people
signed in: the queueing webhook holds the database (SQLite's one writer, PostgreSQL's row locks)
only briefly, so 200 consoles and a burst of calls do not queue behind each other's routing.

Expiring unanswered rings, ending wrap-ups and bringing back callers never bridged are due by
the clock: the scheduler's routing tick does them every second, not every queued call."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

from sqlalchemy import event, select

from helpline.extensions import db
from helpline.models import AgentPresence, Offer, OfferState, User
from tests.conftest import ALMATY

#: Tables whose rows routing reads to choose whom a call rings.
ROUTING_TABLES = re.compile(r"\b(offers|agent_presence|shifts|users)\b")


def _free_people(app, clock, how_many: int) -> list[int]:
    """``how_many`` psychologists of the Almaty centre, consoles open, Available; the first
    idle longest."""
    now = clock.now()
    with app.app_context():
        ids = []
        for i in range(how_many):
            user = User(public_id=secrets.token_hex(8), username=f"free{i:03d}", password_hash="-",
                        role="psychologist", centre_id=2, languages="kk,ru,en", created_at=now)
            db.session.add(user)
            db.session.flush()
            db.session.add(AgentPresence(user_id=user.id, state="available", connections=1,
                                         state_since=now - timedelta(seconds=600 - i),
                                         last_seen_at=now))
            ids.append(user.id)
        db.session.commit()
        db.session.remove()
    return ids


def _routing_reads_while_queueing(app, phone) -> list[str]:
    """The statements on routing's tables that the webhook queueing a call runs."""
    call = phone(ALMATY)
    call.dial()
    call.press("3")
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("SELECT") and ROUTING_TABLES.search(statement):
            seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        call.press("1")                   # a child: the call enters the queue
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return seen


def _ringing(app) -> list[int]:
    with app.app_context():
        rows = list(db.session.scalars(select(Offer.user_id).where(
            Offer.state == OfferState.RINGING.value)))
        db.session.remove()
    return rows


def test_a_queued_call_rings_the_longest_idle_person_in_a_few_reads_however_many_are_free(
        app, phone, clock):
    people = _free_people(app, clock, 40)
    reads = _routing_reads_while_queueing(app, phone)
    assert _ringing(app) == [people[0]], "the call did not ring the person idle longest at once"
    # who is free (with the rota), the rota's uncovered centres, the ringing and tried offers,
    # and on PostgreSQL the lock on the call and the person: never the clock's chores
    assert len(reads) <= 5, "\n".join(reads)


def test_a_call_queued_while_nobody_is_free_asks_routing_one_question(app, phone):
    reads = _routing_reads_while_queueing(app, phone)
    assert _ringing(app) == []
    presence_reads = [s for s in reads if "agent_presence" in s]
    offer_reads = [s for s in reads if re.search(r"\boffers\b", s)]
    assert len(presence_reads) == 1 and offer_reads == [], "\n".join(reads)
