"""Why a waiting call is not ringing for a person the supervisor sees: the facts the dispatcher
routes by (presence, the rota, ringing and refused offers), handed to ``routing.why_not_offered``."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline import routing
from helpline.models import AgentPresence, Call, Offer, OfferState, User
from helpline.services.dispatch import Dispatcher

#: Offers that count as "declined or missed this call already" (as the dispatcher counts them).
TRIED = (OfferState.DECLINED.value, OfferState.EXPIRED.value, OfferState.FAILED.value)


def standings(session: Session, dispatcher: Dispatcher, people: list[tuple[User, AgentPresence | None]],
              now: datetime) -> list[routing.Standing]:
    """Each person as routing sees her now."""
    fresh = now - timedelta(seconds=dispatcher.limits.presence_timeout_seconds)
    on_duty = dispatcher.may_receive(session, [user.id for user, _ in people], now)
    ringing = dict(session.execute(select(Offer.user_id, Offer.call_id).where(
        Offer.state == OfferState.RINGING.value)).all())
    return [routing.Standing(
        candidate=routing.Candidate(user.id, user.centre_id, frozenset(user.language_list),
                                    presence.state_since if presence else now),
        state=presence.state if presence else "offline",
        is_present=bool(presence and presence.connections > 0 and presence.last_seen_at >= fresh),
        is_on_duty=user.id in on_duty, ringing_call_id=ringing.get(user.id),
    ) for user, presence in people]


def reasons(session: Session, dispatcher: Dispatcher, calls: list[Call],
            people: list[tuple[User, AgentPresence | None]], now: datetime) -> dict[str, list[dict]]:
    """``call id -> [{user_id, name, reason}]`` for every waiting call and every person shown
    who is signed in and not on a call (an empty reason: the call rings, or is about to ring, for her)."""
    shown = [(u, p) for u, p in people if p is not None and p.state not in ("offline", "on_call")]
    if not calls or not shown:
        return {call.id: [] for call in calls}
    names = {user.id: user.username for user, _ in shown}
    people_now = standings(session, dispatcher, shown, now)
    ids = [call.id for call in calls]
    tried: dict[str, set[int]] = {}
    for call_id, user_id in session.execute(select(Offer.call_id, Offer.user_id).where(
            Offer.call_id.in_(ids), Offer.state.in_(TRIED))).all():
        tried.setdefault(call_id, set()).add(user_id)
    ringing_calls = set(session.scalars(select(Offer.call_id).where(
        Offer.call_id.in_(ids), Offer.state == OfferState.RINGING.value)))
    uncovered = dispatcher.uncovered(session, now)
    result = {}
    for call in calls:
        waiting = routing.WaitingCall(
            call_id=call.id, centre_id=call.centre_id, language=call.language,
            is_urgent=call.is_urgent, queued_at=call.queued_at or now,
            overflow_after_seconds=0 if call.centre_id in uncovered or call.centre is None
            else call.centre.max_wait_seconds,
            tried=frozenset(tried.get(call.id, ())))
        result[call.id] = [{
            "user_id": person.candidate.user_id, "name": names[person.candidate.user_id],
            "reason": routing.why_not_offered(
                person, waiting, now,
                ringing_elsewhere=call.id in ringing_calls and person.ringing_call_id != call.id),
        } for person in people_now]
    return result
