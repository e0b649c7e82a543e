"""Routing, offers and the connection of a call to a psychologist, in the database.

Every function takes ``now`` and flushes; the caller commits once.  What consoles must learn is
published after the commit (``helpline.events``).  Presence (who may be offered calls) is
``helpline.services.presence``.  Carrier actions (bridge the caller, end the
call) belong to the call's lifecycle (``helpline.services.lifecycle``), which runs them after
the commit, so a rolled-back accept never connects anyone.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from helpline import routing
from helpline.events import ALL_SUPERVISORS, Publisher, agent_room, publish, supervisors_room
from helpline.models import AgentPresence, AgentState, Call, CallState, Offer, OfferState, User
from helpline.roster import DutyRoster, EveryoneOnDuty
from helpline.services import caller_blocks
from helpline.services import calls as register
from helpline.services.presence import (
    DispatchError,
    Limits,
    MayReceive,
    Presence,
)

__all__ = ["Backed", "DispatchError", "Dispatcher", "Limits", "MayReceive", "call_payload",
           "offer_payload"]

#: Routing passes within one ``route``, when other processes were ringing the same calls or people.
ROUTING_ATTEMPTS = 3

#: Offer states that mean the person had their chance at the call.
_TRIED = (OfferState.DECLINED.value, OfferState.EXPIRED.value, OfferState.FAILED.value)

# Statements routing runs on every queued call and hold loop, built once.
_WAITING = (select(Call).options(joinedload(Call.centre))
            .where(Call.state == CallState.QUEUED.value, Call.dequeued_at.is_(None))
            .order_by(Call.is_urgent.desc(), Call.queued_at))
_OFFERS_OF = select(Offer.call_id, Offer.user_id, Offer.state).where(or_(
    Offer.state == OfferState.RINGING.value,
    and_(Offer.call_id.in_(bindparam("call_ids", expanding=True)), Offer.state.in_(_TRIED))))
_RINGING_FOR_CALL = select(Offer).where(Offer.call_id == bindparam("call_id"),
                                        Offer.state == OfferState.RINGING.value)

#: ``call_ids -> the subset that a live carrier call still backs`` (the live-call store).
Backed = Callable[[list[str]], set[str]]


class Dispatcher(Presence):
    def __init__(self, publisher: Publisher, limits: Limits, roster: DutyRoster | None = None,
                 backed: Backed | None = None) -> None:
        roster = roster or EveryoneOnDuty()      # who is on duty: the rota, given by create_app
        self.publisher = publisher
        self.limits = limits
        self.may_receive: MayReceive = roster.may_receive     # and centres with nobody on duty now:
        self.uncovered: Callable[[Session, datetime], set[int]] = roster.uncovered_centres
        #: Which waiting calls a live carrier call backs: a ghost is never offered.
        self.backed: Backed = backed or (lambda call_ids: set(call_ids))

    # ------------------------------------------------------------ routing

    def route(self, session: Session, now: datetime) -> list[Offer]:
        """Expire unanswered rings, end wrap-ups, bring back callers never bridged, then offer
        waiting calls to free psychologists (the scheduler's tick, and actions that need all)."""
        self._expire_offers(session, now)
        self._end_wrap_ups(session, now)
        self._unbridged_back_to_queue(session, now)
        return self.offer_waiting(session, now)

    def offer_waiting(self, session: Session, now: datetime,
                      uncovered: set[int] | None = None) -> list[Offer]:
        """Offer waiting calls to free psychologists, at the moment something changed (a call
        queued, someone Available, a decline); what is due by the clock is the tick's.

        Several processes route at once (each webhook that queues a call, the scheduler's tick).
        A call or a person that another routing is ringing right now is passed over at once, and
        the calls it left are routed again with the others, rather than waiting for that routing
        to commit and failing, which would leave the call to the next tick. ``uncovered``: the
        centres with nobody on duty now, when the caller knows them already."""
        offers: list[Offer] = []
        passed_over: set[object] = set()
        for _attempt in range(ROUTING_ATTEMPTS):
            made, again = self._route_once(session, now, passed_over, uncovered)
            offers += made
            if not again:
                break
        if offers:
            self._board_changed(session, None)
        return offers

    def _route_once(self, session: Session, now: datetime, passed_over: set[object],
                    uncovered: set[int] | None) -> tuple[list[Offer], bool]:
        """Offers made, and whether some could not be made because another routing was faster.
        Who is free is read first: with nobody free (a night with every line busy, or no console
        open) a pass costs one statement."""
        candidates = [c for c in self._present(session, now) if c.user_id not in passed_over]
        if not candidates:
            return [], False
        waiting = [c for c in self._waiting(session) if c.id not in passed_over]
        if not waiting:
            return [], False
        ringing, tried = self._offers_of(session, [c.id for c in waiting])
        busy = {call_id for call_id, _ in ringing} | {user_id for _, user_id in ringing}
        waiting = [c for c in waiting if c.id not in busy]
        candidates = [c for c in candidates if c.user_id not in busy]
        if not waiting or not candidates:
            return [], False
        backed = self.backed([c.id for c in waiting])
        waiting = [c for c in waiting if c.id in backed]
        if not waiting:
            return [], False
        if uncovered is None:
            uncovered = self.uncovered(session, now)
        calls = [routing.WaitingCall(
            call_id=c.id, centre_id=c.centre_id, language=c.language, is_urgent=c.is_urgent,
            queued_at=c.queued_at,
            # a centre with nobody on duty right now hands its calls to the others at once
            overflow_after_seconds=0 if c.centre_id in uncovered or c.centre is None
            else c.centre.max_wait_seconds,
            tried=frozenset(tried.get(c.id, ())),
        ) for c in waiting]
        by_id = {c.id: c for c in waiting}
        offers, again = [], False
        for choice in routing.assign(calls, candidates, now):
            taken = self._taken_elsewhere(session, choice.call_id, choice.user_id)
            offer = None if taken else self.ring(session, by_id[choice.call_id], choice.user_id, now,
                                                 choice.is_backup)
            if offer is None:         # the call, or the person, rings elsewhere now: route again
                passed_over.add(taken or choice.user_id)
                again = True
            else:
                offers.append(offer)
        return offers, again

    @staticmethod
    def _taken_elsewhere(session: Session, call_id: str, user_id: int) -> str | int | None:
        """The call's id, or the person's, when another transaction holds it (another process
        routing it now): its ring would wait for that one to commit, then fail. Holding both
        rows until this transaction commits keeps the others off them. SQLite has one writer:
        nothing to take."""
        if session.get_bind().dialect.name == "sqlite":
            return None
        if session.execute(select(Call.id, AgentPresence.user_id)       # both free: one trip
                           .join(AgentPresence, AgentPresence.user_id == user_id)
                           .where(Call.id == call_id)
                           .with_for_update(skip_locked=True)).first() is not None:
            return None
        if session.scalar(select(Call.id).where(Call.id == call_id)
                          .with_for_update(skip_locked=True)) is None:
            return call_id
        if session.scalar(select(AgentPresence.user_id).where(AgentPresence.user_id == user_id)
                          .with_for_update(skip_locked=True)) is None:
            return user_id
        return None

    def ring(self, session: Session, call: Call, user_id: int, now: datetime,
             is_backup: bool = False) -> Offer | None:
        """Offer ``call`` to one person: her console rings. None when another process offered
        this call or this person first."""
        offer = Offer(call_id=call.id, user_id=user_id, offered_at=now,
                      expires_at=now + timedelta(seconds=self.limits.ring_timeout_seconds),
                      state=OfferState.RINGING.value, is_backup=is_backup)
        try:
            with session.begin_nested():
                session.add(offer)
        except IntegrityError:
            return None
        publish(session, self.publisher, "offer", offer_payload(offer, call, now), agent_room(user_id))
        return offer

    def call_queued(self, session: Session, call: Call, now: datetime) -> None:
        """A call entered the queue: tell the supervisors if the rota has nobody on duty now."""
        uncovered = self.uncovered(session, now)
        if call.centre_id is not None and call.centre_id in uncovered:
            publish(session, self.publisher, "coverage_gap",
                    {"centre": call.centre.name if call.centre else ""},
                    supervisors_room(call.centre_id), ALL_SUPERVISORS)
        self.offer_waiting(session, now, uncovered)

    def _waiting(self, session: Session) -> list[Call]:
        return list(session.scalars(_WAITING))

    def _offers_of(self, session: Session, call_ids: list[str]
                   ) -> tuple[list[tuple[str, int]], dict[str, set[int]]]:
        """In one statement: every ringing offer (call, person), and who declined, missed or
        failed each of ``call_ids``."""
        rows = session.execute(_OFFERS_OF, {"call_ids": call_ids}).all()
        tried: dict[str, set[int]] = {}
        for call_id, user_id, state in rows:
            if state != OfferState.RINGING.value:
                tried.setdefault(call_id, set()).add(user_id)
        return [(c, u) for c, u, state in rows if state == OfferState.RINGING.value], tried

    def _expire_offers(self, session: Session, now: datetime) -> None:
        """A ring not answered in time moves on; the person is put on Break (they are away)."""
        expired = session.scalars(select(Offer).where(
            Offer.state == OfferState.RINGING.value, Offer.expires_at <= now)).all()
        backed = self.backed([offer.call_id for offer in expired]) if expired else set()
        for offer in expired:
            if offer.call_id not in backed:      # the caller's line was lost: nobody's fault
                offer.state = OfferState.WITHDRAWN.value
                publish(session, self.publisher, "offer_withdrawn", {"offer_id": offer.id,
                        "reason": "caller_lost"}, agent_room(offer.user_id))
                continue
            offer.state = OfferState.EXPIRED.value
            publish(session, self.publisher, "offer_withdrawn", {"offer_id": offer.id,
                    "reason": "timeout"}, agent_room(offer.user_id))
            row = session.get(AgentPresence, offer.user_id)
            if row is not None and row.state == AgentState.AVAILABLE.value:
                self._set(session, row, AgentState.BREAK, now, reason="missed_ring",
                          rang_seconds=round((now - offer.offered_at).total_seconds()))

    def _end_wrap_ups(self, session: Session, now: datetime) -> None:
        due = now - timedelta(seconds=self.limits.wrap_up_seconds)
        rows = session.scalars(select(AgentPresence).where(
            AgentPresence.state == AgentState.WRAP_UP.value, AgentPresence.state_since <= due)).all()
        for row in rows:
            row.call_id = None
            self._set(session, row, AgentState.AVAILABLE if row.connections else AgentState.OFFLINE,
                      now)

    def call_left_queue(self, session: Session, call: Call, now: datetime,
                        reason: str = "caller_left") -> None:
        """The caller hung up or gave up: stop ringing consoles for it (nobody goes on Break)."""
        for offer in session.scalars(_RINGING_FOR_CALL, {"call_id": call.id}):
            offer.state = OfferState.WITHDRAWN.value
            publish(session, self.publisher, "offer_withdrawn", {"offer_id": offer.id,
                    "reason": reason}, agent_room(offer.user_id))
        self._board_changed(session, call.centre_id)

    # ------------------------------------------------------------ answering

    def accept(self, session: Session, user: User, offer_id: int, now: datetime) -> Call:
        offer = session.get(Offer, offer_id)
        if offer is None or offer.user_id != user.id:
            raise DispatchError("This call was not offered to you.")
        call = session.get(Call, offer.call_id)
        if (offer.state != OfferState.RINGING.value or offer.expires_at <= now or call is None
                or call.state != CallState.QUEUED.value or call.dequeued_at is not None):
            raise DispatchError("This call is no longer ringing for you.")
        claimed = session.execute(update(Offer).where(
            Offer.id == offer.id, Offer.state == OfferState.RINGING.value,
        ).values(state=OfferState.ACCEPTED.value, accepted_at=now).execution_options(
            synchronize_session=False))
        if claimed.rowcount != 1:
            raise DispatchError("This call is no longer ringing for you.")
        session.refresh(offer)
        register.leave_queue(call, now)
        if call.answered_at is None:          # a call passed on keeps its first answer time
            call.answered_at = now
        call.agent_id = user.id
        register.advance(call, CallState.ANSWERED)
        row = self.presence(session, user, now)
        row.call_id = call.id
        self._set(session, row, AgentState.ON_CALL, now)
        publish(session, self.publisher, "call_connected", call_payload(call, now), agent_room(user.id))
        return call

    def decline(self, session: Session, user: User, offer_id: int, now: datetime) -> None:
        offer = session.get(Offer, offer_id)
        if offer is None or offer.user_id != user.id:
            raise DispatchError("This call was not offered to you.")
        if offer.state == OfferState.RINGING.value:
            offer.state = OfferState.DECLINED.value
            publish(session, self.publisher, "offer_withdrawn", {"offer_id": offer.id,
                    "reason": "declined"}, agent_room(user.id))
            self.offer_waiting(session, now)

    def hang_up(self, session: Session, user: User, call_id: str, now: datetime) -> Call:
        """The psychologist ends the call. It is closed here at once (a psychologist can always
        end their own call, even if the carrier never confirms); the carrier is told after."""
        row = self.presence(session, user, now)
        call = session.get(Call, call_id)
        if call is None or call.agent_id != user.id or row.call_id != call_id:
            raise DispatchError("You are not on this call.")
        call.agent_lost_at = None                # she ended it herself
        self.call_ended(session, call, now)      # also frees the person if the call had ended
        return call

    def call_ended(self, session: Session, call: Call, now: datetime) -> None:
        """The call is over (either side hung up): close it and start the psychologist's wrap-up."""
        register.finish(call, now)
        if call.agent_id is None:
            self.call_left_queue(session, call, now)
            return
        row = session.get(AgentPresence, call.agent_id)
        if row is not None and row.call_id == call.id and row.state == AgentState.ON_CALL.value:
            self._set(session, row, AgentState.WRAP_UP, now)
            payload = {"call_id": call.id, "wrap_up_seconds": self.limits.wrap_up_seconds,
                       "talk_seconds": call.talk_seconds}
            if call.agent_lost_at is not None:     # the caller left while her line was down
                payload["reason"] = "caller_left_while_disconnected"
            publish(session, self.publisher, "call_ended", payload, agent_room(call.agent_id))

    # ------------------------------------------------------------ recovery

    def interrupt(self, session: Session, call: Call | None, now: datetime) -> None:
        """No live call backs ``call`` any more (lost live state): close it as interrupted,
        withdraw its offers without putting anyone on Break, free its psychologist."""
        if call is None or call.state == CallState.ENDED.value:
            return
        agent_id = call.agent_id
        register.interrupt(call, now)
        self.call_left_queue(session, call, now, reason="caller_lost")
        row = session.get(AgentPresence, agent_id) if agent_id is not None else None
        if row is not None and row.call_id == call.id and row.state == AgentState.ON_CALL.value:
            self._set(session, row, AgentState.WRAP_UP, now)
            publish(session, self.publisher, "call_ended",
                    {"call_id": call.id, "wrap_up_seconds": self.limits.wrap_up_seconds,
                     "talk_seconds": call.talk_seconds, "reason": "caller_lost"}, agent_room(agent_id))

    def return_to_queue(self, session: Session, call: Call, now: datetime, reason: str) -> None:
        """The caller could not be (or stay) connected to the psychologist who accepted: the
        accepted offer failed, the caller waits again at the head of the queue, and the
        psychologist is told why (Available again, or wrap-up after a dropped line)."""
        agent_id = call.agent_id
        for offer in session.scalars(select(Offer).where(
                Offer.call_id == call.id, Offer.state == OfferState.ACCEPTED.value)):
            offer.state = OfferState.FAILED.value
        register.return_to_queue(session, call, now)
        row = session.get(AgentPresence, agent_id) if agent_id is not None else None
        if row is not None and row.call_id == call.id:
            if reason == "agent_lost":
                self._set(session, row, AgentState.WRAP_UP, now)
                publish(session, self.publisher, "call_handed_on", {"call_id": call.id},
                        agent_room(agent_id))
            else:
                row.call_id = None
                self._set(session, row, AgentState.AVAILABLE if row.connections else AgentState.OFFLINE,
                          now)
                publish(session, self.publisher, "bridge_failed", {"call_id": call.id, "reason": reason},
                        agent_room(agent_id))
        self._board_changed(session, call.centre_id)

    def agent_leg_lost(self, session: Session, call: Call, now: datetime, rejoin_seconds: int) -> None:
        """The psychologist's audio leg dropped; the caller waits for them to rejoin."""
        if call.agent_id is not None:
            publish(session, self.publisher, "agent_leg_lost",
                    {"call_id": call.id, "rejoin_seconds": rejoin_seconds}, agent_room(call.agent_id))

    def free_stuck(self, session: Session, now: datetime) -> int:
        """Nobody stays On a call, or keeps ringing, for a call that has ended."""
        freed = 0
        stuck = session.execute(select(AgentPresence, Call).join(Call, Call.id == AgentPresence.call_id)
                                .where(AgentPresence.state == AgentState.ON_CALL.value,
                                       Call.state == CallState.ENDED.value)).all()
        for _row, call in stuck:
            self.call_ended(session, call, now)
            freed += 1
        for offer in session.scalars(select(Offer).join(Call, Call.id == Offer.call_id).where(
                Offer.state == OfferState.RINGING.value, Call.state != CallState.QUEUED.value)).all():
            offer.state = OfferState.WITHDRAWN.value
            publish(session, self.publisher, "offer_withdrawn", {"offer_id": offer.id,
                    "reason": "caller_left"}, agent_room(offer.user_id))
        return freed

    def _unbridged_back_to_queue(self, session: Session, now: datetime) -> None:
        """Accepted calls whose psychologist's phone never joined go back to the queue."""
        due = now - timedelta(seconds=self.limits.bridge_timeout_seconds)
        for call in session.scalars(select(Call).join(Offer, Offer.call_id == Call.id).where(
                Call.state == CallState.ANSWERED.value, Call.agent_joined_at.is_(None),
                Call.agent_lost_at.is_(None), Offer.state == OfferState.ACCEPTED.value,
                Offer.accepted_at <= due)).all():
            self.return_to_queue(session, call, now, reason="timeout")



def offer_payload(offer: Offer, call: Call, now: datetime) -> dict:
    return {"offer_id": offer.id, "call_id": call.id, "language": call.language,
            "caller_type": call.caller_type, "is_urgent": call.is_urgent,
            "waited_seconds": register.waited_seconds(call, now), "is_backup": offer.is_backup,
            "ring_seconds": int((offer.expires_at - offer.offered_at).total_seconds()),
            "centre": call.centre.name if call.centre else "", **caller_blocks.console_facts(call)}


def call_payload(call: Call, now: datetime) -> dict:
    return {"call_id": call.id, "language": call.language, "caller_type": call.caller_type,
            "is_urgent": call.is_urgent, "answered_at": call.answered_at.isoformat(),
            "centre": call.centre.name if call.centre else "", **caller_blocks.console_facts(call)}
