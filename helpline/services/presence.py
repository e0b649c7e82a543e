"""Presence: who is signed in, in which state, and whether routing may offer them calls now.

Every function takes ``now`` and flushes; the caller commits once (``helpline.services.dispatch``
routes and answers calls on top of this).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from helpline.events import ALL_SUPERVISORS, Publisher, agent_room, publish, supervisors_room
from helpline.models import AgentPresence, AgentState, Offer, OfferState, User
from helpline.routing import Candidate

#: ``(session, user_ids, now) -> the subset who may receive calls now`` (the rota plugs in here).
MayReceive = Callable[[Session, list[int], datetime], set[int]]


class DispatchError(Exception):
    """An action that cannot be done now; the message is safe to show to the person."""


@dataclass(frozen=True)
class Limits:
    ring_timeout_seconds: int = 20
    wrap_up_seconds: int = 60
    presence_timeout_seconds: int = 30
    #: Seconds an accepted caller may take to reach the conference before going back to the queue.
    bridge_timeout_seconds: int = 30


#: Who is Available with a console heard from since ``fresh`` (routing asks on every queued call).
_AVAILABLE_SINCE = (
    select(AgentPresence.user_id, User.centre_id, User.languages, AgentPresence.state_since)
    .join(User, User.id == AgentPresence.user_id).where(
        AgentPresence.state == AgentState.AVAILABLE.value,
        AgentPresence.connections > 0,
        AgentPresence.last_seen_at >= bindparam("fresh"),
        User.is_enabled.is_(True),
    )
)


class Presence:
    """Presence of psychologists; ``route`` (the dispatcher's) runs when someone frees up."""

    publisher: Publisher
    limits: Limits
    may_receive: MayReceive

    def route(self, session: Session, now: datetime) -> list:
        raise NotImplementedError

    def offer_waiting(self, session: Session, now: datetime) -> list:
        raise NotImplementedError

    def presence(self, session: Session, user: User, now: datetime) -> AgentPresence:
        row = session.get(AgentPresence, user.id)
        if row is None:
            row = AgentPresence(user_id=user.id, state=AgentState.OFFLINE.value, state_since=now,
                                last_seen_at=now, connections=0)
            session.add(row)
            session.flush()
        return row

    def _set(self, session: Session, row: AgentPresence, state: AgentState, now: datetime,
             **why: object) -> None:
        """``why``: what the console says about a change it did not ask for (``reason``...)."""
        if row.state != state.value:
            row.state = state.value
            row.state_since = now
        publish(session, self.publisher, "presence", {"state": row.state, **why}, agent_room(row.user_id))
        if row.state == AgentState.AVAILABLE.value:
            publish(session, self.publisher, "duty", self.duty(session, row.user_id, now),
                    agent_room(row.user_id))
        self._board_changed(session, row.user.centre_id if row.user else None)

    def duty(self, session: Session, user_id: int, now: datetime) -> dict:
        """Whether routing may offer this person calls now (the rota's current shifts)."""
        return {"on_duty": user_id in self.may_receive(session, [user_id], now)}

    def connected(self, session: Session, user: User, now: datetime) -> AgentPresence:
        row = self.presence(session, user, now)
        row.connections += 1
        row.last_seen_at = now
        if row.state == AgentState.OFFLINE.value:
            self._set(session, row, AgentState.BREAK, now)
        return row

    def disconnected(self, session: Session, user: User, now: datetime) -> None:
        """A console closed or lost its connection: no more offers to it; its ringing call moves on."""
        row = self.presence(session, user, now)
        row.connections = max(0, row.connections - 1)
        # a call, or its wrap-up, outlives a reload: the person comes back to it
        if row.connections == 0 and row.state not in (AgentState.ON_CALL.value, AgentState.WRAP_UP.value):
            self._withdraw_offers_of(session, user.id, now)
            self._set(session, row, AgentState.OFFLINE, now)
            self.offer_waiting(session, now)

    def heartbeat(self, session: Session, user: User, now: datetime) -> AgentPresence:
        row = self.presence(session, user, now)
        row.last_seen_at = now
        if row.connections == 0:
            row.connections = 1
        return row

    def set_state(self, session: Session, user: User, wanted: str, now: datetime) -> AgentPresence:
        """The person chooses Available or Break (never while on a call)."""
        if wanted not in (AgentState.AVAILABLE.value, AgentState.BREAK.value):
            raise DispatchError("You can choose Available or Break.")
        row = self.presence(session, user, now)
        if row.state == AgentState.ON_CALL.value:
            raise DispatchError("Finish the call first.")
        if wanted == AgentState.BREAK.value:
            self._withdraw_offers_of(session, user.id, now)
        if row.state == AgentState.WRAP_UP.value:
            row.call_id = None
        self._set(session, row, AgentState(wanted), now)
        row.last_seen_at = now
        self.offer_waiting(session, now)
        return row

    def _present(self, session: Session, now: datetime) -> list[Candidate]:
        """Who routing may offer a call to now: Available, console heard from recently, enabled,
        on duty. Plain columns, no ORM objects: routing asks this on every queued call."""
        fresh = now - timedelta(seconds=self.limits.presence_timeout_seconds)
        rows = session.execute(_AVAILABLE_SINCE, {"fresh": fresh}).all()
        allowed = self.may_receive(session, [user_id for user_id, *_ in rows], now)
        return [Candidate(user_id, centre_id, frozenset(code for code in languages.split(",") if code),
                          state_since)
                for user_id, centre_id, languages, state_since in rows if user_id in allowed]

    def _withdraw_offers_of(self, session: Session, user_id: int, now: datetime) -> None:
        for offer in session.scalars(select(Offer).where(
                Offer.user_id == user_id, Offer.state == OfferState.RINGING.value)):
            offer.state = OfferState.WITHDRAWN.value
            publish(session, self.publisher, "offer_withdrawn", {"offer_id": offer.id,
                    "reason": "unavailable"}, agent_room(user_id))

    def is_on_call(self, session: Session, user_id: int, call_id: str, now: datetime) -> bool:
        """The person is on ``call_id`` and their console is still there."""
        row = session.get(AgentPresence, user_id)
        fresh = now - timedelta(seconds=self.limits.presence_timeout_seconds)
        return (row is not None and row.call_id == call_id and row.state == AgentState.ON_CALL.value
                and row.connections > 0 and row.last_seen_at >= fresh)

    def working_agents(self, session: Session, centre_id: int | None, now: datetime) -> int:
        """Psychologists signed in and working (any centre can back up), for the queue's limit."""
        fresh = now - timedelta(seconds=self.limits.presence_timeout_seconds)
        rows = session.execute(select(AgentPresence.user_id).where(
            AgentPresence.state.in_([AgentState.AVAILABLE.value, AgentState.ON_CALL.value,
                                     AgentState.WRAP_UP.value]),
            AgentPresence.connections > 0, AgentPresence.last_seen_at >= fresh)).scalars().all()
        return len(self.may_receive(session, list(rows), now))

    def _board_changed(self, session: Session, centre_id: int | None) -> None:
        rooms = {ALL_SUPERVISORS}
        if centre_id is not None:
            rooms.add(supervisors_room(centre_id))
        publish(session, self.publisher, "board_changed", {}, *sorted(rooms))
