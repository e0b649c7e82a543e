"""The wall screen's figures: the line now and today so far (local day)."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from helpline.models import AgentPresence, Call, CallState, Escalation, User
from helpline.services import calls as register

SERVICE_LEVEL_SECONDS = 20


def figures(session: Session, centre_id: int | None, now: datetime, zone: str = "Asia/Almaty") -> dict:
    tz = ZoneInfo(zone)
    day_start = datetime.combine(now.astimezone(tz).date(), time(0), tz)
    calls = select(Call).where(Call.started_at >= day_start, Call.queued_at.is_not(None))
    waiting_q = select(Call).where(Call.state == CallState.QUEUED.value, Call.dequeued_at.is_(None))
    agents = select(AgentPresence.state, func.count()).join(User, User.id == AgentPresence.user_id)
    escalations = select(func.count()).select_from(Escalation).where(Escalation.closed_at.is_(None))
    if centre_id is not None:
        calls = calls.where(Call.centre_id == centre_id)
        waiting_q = waiting_q.where(Call.centre_id == centre_id)
        agents = agents.where(User.centre_id == centre_id)
        escalations = escalations.where(Escalation.centre_id == centre_id)
    today = list(session.scalars(calls))
    offered = len(today)
    answered = [c for c in today if c.answered_at is not None]
    abandoned = sum(1 for c in today if c.outcome == "abandoned_in_queue")
    in_time = sum(1 for c in answered if (c.wait_seconds or 0) <= SERVICE_LEVEL_SECONDS)
    # service level over the calls that have left the queue (a call still waiting is not late yet)
    finished = sum(1 for c in today if c.dequeued_at is not None)
    waiting = list(session.scalars(waiting_q))
    by_state = dict(session.execute(agents.group_by(AgentPresence.state)).all())
    return {
        "waiting": len(waiting),
        "longest_wait_seconds": max((register.waited_seconds(c, now) for c in waiting), default=0),
        "urgent_waiting": sum(1 for c in waiting if c.is_urgent),
        "agents": {state: by_state.get(state, 0) for state in
                   ("available", "on_call", "wrap_up", "break", "offline")},
        "offered": offered, "answered": len(answered), "abandoned": abandoned,
        "service_level": round(100 * in_time / finished) if finished else None,
        "average_speed_of_answer": round(sum(c.wait_seconds or 0 for c in answered) / len(answered))
        if answered else None,
        "open_escalations": session.scalar(escalations) or 0,
    }
