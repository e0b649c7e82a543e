"""What a supervisor sees of the line right now: agents, waiting calls, calls in progress,
open escalations. Counts and states only; never a caller's identity."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline.models import AgentPresence, Call, CallState, Escalation, User
from helpline.services import calls as register


def snapshot(session: Session, centre_id: int | None, now: datetime) -> dict:
    """``centre_id`` None = all centres (administrators)."""
    users = select(User, AgentPresence).outerjoin(AgentPresence, AgentPresence.user_id == User.id)
    users = users.where(User.is_enabled.is_(True), User.role != "administrator")
    calls = select(Call).where(Call.state.in_([CallState.QUEUED.value, CallState.ANSWERED.value]))
    escalations = select(Escalation).where(Escalation.closed_at.is_(None))
    if centre_id is not None:
        users = users.where(User.centre_id == centre_id)
        calls = calls.where(Call.centre_id == centre_id)
        escalations = escalations.where(Escalation.centre_id == centre_id)
    agents = [{
        "id": user.id, "name": user.username, "role": user.role, "languages": user.language_list,
        "state": presence.state if presence else "offline",
        "since_seconds": int((now - presence.state_since).total_seconds()) if presence else None,
    } for user, presence in session.execute(users.order_by(User.username)).all()]
    waiting, talking = [], []
    for call in session.scalars(calls.order_by(Call.is_urgent.desc(), Call.queued_at)):
        entry = {"call_id": call.id, "language": call.language, "caller_type": call.caller_type,
                 "is_urgent": call.is_urgent, "centre": call.centre.name if call.centre else ""}
        if call.state == CallState.QUEUED.value and call.dequeued_at is None:
            waiting.append({**entry, "waited_seconds": register.waited_seconds(call, now)})
        elif call.state == CallState.ANSWERED.value:
            talking.append({**entry, "agent_id": call.agent_id,
                            "talk_seconds": int((now - call.answered_at).total_seconds())})
    open_escalations = [{
        "id": e.id, "call_id": e.call_id, "raised_at": e.raised_at.isoformat(),
        "due_at": e.due_at.isoformat(), "age_seconds": int((now - e.raised_at).total_seconds()),
        "checklist": [{"body": n.body, "notified_at": n.notified_at.isoformat() if n.notified_at else None}
                      for n in e.notifications],
    } for e in session.scalars(escalations.order_by(Escalation.raised_at))]
    return {"now": now.isoformat(), "agents": agents, "waiting": waiting, "in_progress": talking,
            "escalations": open_escalations}
