"""A supervisor hands a waiting call to a named psychologist: a normal offer through the
dispatcher (her console rings, she accepts or declines as with any call), made whatever the
rota, language or earlier refusals say, since the supervisor chose her. Flushes; the caller
commits and audits."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline.events import ALL_SUPERVISORS, agent_room, publish, supervisors_room
from helpline.models import AgentPresence, AgentState, Call, CallState, Offer, OfferState, User
from helpline.services.dispatch import Dispatcher


class HandOverRefused(Exception):
    """Why the call could not be handed: ``code`` is one of left_queue, not_available, ringing,
    not_staff (the view says it in words)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def hand_to(session: Session, dispatcher: Dispatcher, call: Call, person: User, now: datetime) -> Offer:
    """Ring ``person`` with ``call`` now; a ring of the call for someone else is withdrawn."""
    if person.role == "administrator" or not person.is_enabled:
        raise HandOverRefused("not_staff")
    if (call.state != CallState.QUEUED.value or call.dequeued_at is not None
            or call.id not in dispatcher.backed([call.id])):
        raise HandOverRefused("left_queue")
    dispatcher.route(session, now)          # expire what is due first, as any routing pass
    session.refresh(call)
    if call.state != CallState.QUEUED.value or call.dequeued_at is not None:
        raise HandOverRefused("left_queue")
    presence = session.get(AgentPresence, person.id)
    fresh = now - timedelta(seconds=dispatcher.limits.presence_timeout_seconds)
    if (presence is None or presence.state != AgentState.AVAILABLE.value
            or presence.connections == 0 or presence.last_seen_at < fresh):
        raise HandOverRefused("not_available")
    ringing = list(session.scalars(select(Offer).where(
        Offer.state == OfferState.RINGING.value,
        (Offer.call_id == call.id) | (Offer.user_id == person.id))))
    if any(o.user_id == person.id and o.call_id == call.id for o in ringing):
        return next(o for o in ringing if o.user_id == person.id)
    if any(o.user_id == person.id for o in ringing):
        raise HandOverRefused("ringing")
    for offer in ringing:                    # the call rang for someone else: it moves to her
        offer.state = OfferState.WITHDRAWN.value
        publish(session, dispatcher.publisher, "offer_withdrawn",
                {"offer_id": offer.id, "reason": "handed_on"}, agent_room(offer.user_id))
    session.flush()
    offer = dispatcher.ring(session, call, person.id, now, is_backup=person.centre_id != call.centre_id)
    if offer is None:
        raise HandOverRefused("ringing")
    dispatcher.route(session, now)           # whoever lost the ring may take another call
    publish(session, dispatcher.publisher, "board_changed", {}, supervisors_room(call.centre_id),
            ALL_SUPERVISORS)
    return offer
