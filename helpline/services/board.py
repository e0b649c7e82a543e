"""What a supervisor sees of the line right now: agents, waiting calls (and, for each person
signed in, why it is not ringing for her), calls in progress, open escalations. Counts, states
and names of staff only; never a caller's identity."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline import deadlines
from helpline.models import AgentPresence, Call, CallState, Escalation, User
from helpline.services import calls as register
from helpline.services import offer_reasons
from helpline.services.dispatch import Dispatcher


def snapshot(session: Session, centre_id: int | None, now: datetime,
             dispatcher: Dispatcher | None = None) -> dict:
    """``centre_id`` None = all centres (administrators). With the ``dispatcher`` each waiting
    call carries ``not_offered``: a reason code per person signed in (``routing.REASONS``)."""
    users = select(User, AgentPresence).outerjoin(AgentPresence, AgentPresence.user_id == User.id)
    users = users.where(User.is_enabled.is_(True), User.role != "administrator")
    calls = select(Call).where(Call.state.in_([CallState.QUEUED.value, CallState.ANSWERED.value]))
    escalations = select(Escalation).where(Escalation.closed_at.is_(None))
    if centre_id is not None:
        users = users.where(User.centre_id == centre_id)
        calls = calls.where(Call.centre_id == centre_id)
        escalations = escalations.where(Escalation.centre_id == centre_id)
    people = [tuple(row) for row in session.execute(users.order_by(User.username))]
    on_duty = dispatcher.may_receive(session, [u.id for u, _ in people], now) if dispatcher else set()
    agents = [{
        "id": user.id, "name": user.username, "role": user.role, "languages": user.language_list,
        "centre_id": user.centre_id, "on_duty": user.id in on_duty,
        "state": presence.state if presence else "offline",
        "since_seconds": int((now - presence.state_since).total_seconds()) if presence else None,
    } for user, presence in people]
    waiting, talking, queued = [], [], []
    for call in session.scalars(calls.order_by(Call.is_urgent.desc(), Call.queued_at)):
        entry = {"call_id": call.id, "language": call.language, "caller_type": call.caller_type,
                 "is_urgent": call.is_urgent, "centre": call.centre.name if call.centre else "",
                 "centre_id": call.centre_id}
        if call.state == CallState.QUEUED.value and call.dequeued_at is None:
            waiting.append({**entry, "waited_seconds": register.waited_seconds(call, now)})
            queued.append(call)
        elif call.state == CallState.ANSWERED.value:
            talking.append({**entry, "agent_id": call.agent_id,
                            "talk_seconds": int((now - call.answered_at).total_seconds())})
    if dispatcher is not None:
        why = offer_reasons.reasons(session, dispatcher, queued, people, now)
        for entry in waiting:
            entry["not_offered"] = why[entry["call_id"]]
    return {"now": now.isoformat(), "agents": agents, "waiting": waiting, "in_progress": talking,
            "escalations": [escalation_card(session, e, now)
                            for e in session.scalars(escalations.order_by(Escalation.raised_at))]}


def escalation_card(session: Session, escalation: Escalation, now: datetime) -> dict:
    """An open escalation as its card shows it: which call (when, language, who called), who
    raised it, the deadline in words of the centre's day, the checklist."""
    call = session.get(Call, escalation.call_id)
    zone = call.centre.timezone if call and call.centre else "Asia/Almaty"
    return {
        "id": escalation.id, "call_id": escalation.call_id,
        "raised_at": escalation.raised_at.isoformat(), "due_at": escalation.due_at.isoformat(),
        "age_seconds": int((now - escalation.raised_at).total_seconds()),
        "due": deadlines.due_by(escalation.due_at, now, zone),
        "raised_by": session.scalar(select(User.username).where(User.id == escalation.raised_by_id)),
        "call": {"started_at": call.started_at.isoformat(), "language": call.language,
                 "caller_type": call.caller_type, "is_urgent": call.is_urgent} if call else None,
        "checklist": [{"body": n.body, "notified_at": n.notified_at.isoformat() if n.notified_at else None}
                      for n in escalation.notifications],
    }
