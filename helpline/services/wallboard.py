"""The wall screen's figures: the line now and today so far (local day)."""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from helpline import indicators
from helpline.models import AgentPresence, Call, CallState, Centre, Escalation, User
from helpline.services import calls as register
from helpline.vocabulary import local_day, to_utc


def figures(session: Session, centre_id: int | None, now: datetime) -> dict:
    """``centre_id`` None = all centres; "today" is the centre's local day (the default zone's
    for all centres)."""
    centre = session.get(Centre, centre_id) if centre_id is not None else None
    day_start = to_utc(datetime.combine(local_day(now, centre), time(0)), centre)
    calls = select(*(getattr(Call, c) for c in indicators.REGISTER_COLUMNS)).where(
        Call.started_at >= day_start, Call.queued_at.is_not(None))
    waiting_q = select(Call).where(Call.state == CallState.QUEUED.value, Call.dequeued_at.is_(None))
    agents = select(AgentPresence.state, func.count()).join(User, User.id == AgentPresence.user_id)
    escalations = select(func.count()).select_from(Escalation).where(Escalation.closed_at.is_(None))
    if centre_id is not None:
        calls = calls.where(Call.centre_id == centre_id)
        waiting_q = waiting_q.where(Call.centre_id == centre_id)
        agents = agents.where(User.centre_id == centre_id)
        escalations = escalations.where(Escalation.centre_id == centre_id)
    today = indicators.tally(indicators.CallFact.of_register(*row) for row in session.execute(calls))
    waiting = list(session.scalars(waiting_q))
    by_state = dict(session.execute(agents.group_by(AgentPresence.state)).all())
    return {
        "waiting": len(waiting),
        "longest_wait_seconds": max((register.waited_seconds(c, now) for c in waiting), default=0),
        "urgent_waiting": sum(1 for c in waiting if c.is_urgent),
        "agents": {state: by_state.get(state, 0) for state in
                   ("available", "on_call", "wrap_up", "break", "offline")},
        **indicators.all_of(today),
        "open_escalations": session.scalar(escalations) or 0,
    }
