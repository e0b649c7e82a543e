"""Staffing advice with Erlang C: how many psychologists each hour of the week needs to answer
a target share of calls within a target time, from the register's own history."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline.indicators import SERVICE_LEVEL_SECONDS
from helpline.models import Call, Centre
from helpline.vocabulary import zone_of

DEFAULT_HANDLING_SECONDS = 600.0


def erlang_c(agents: int, traffic: float) -> float:
    """Probability that a caller waits (Erlang C), for ``traffic`` Erlangs offered."""
    if agents <= traffic:
        return 1.0
    term, total = 1.0, 1.0
    for k in range(1, agents):
        term *= traffic / k
        total += term
    top = term * traffic / agents * agents / (agents - traffic)
    return top / (total + top)


def service_level(agents: int, calls_per_hour: float, handling_seconds: float,
                  target_seconds: float) -> float:
    """Share of calls answered within ``target_seconds``."""
    if calls_per_hour <= 0:
        return 1.0
    traffic = calls_per_hour * handling_seconds / 3600
    if agents <= traffic:
        return 0.0
    wait = erlang_c(agents, traffic)
    return 1 - wait * math.exp(-(agents - traffic) * target_seconds / handling_seconds)


def agents_needed(calls_per_hour: float, handling_seconds: float, target_share: float = 0.8,
                  target_seconds: float = SERVICE_LEVEL_SECONDS, at_least: int = 1) -> int:
    """The fewest agents reaching ``target_share`` answered within ``target_seconds``."""
    agents = max(at_least, 1)
    while service_level(agents, calls_per_hour, handling_seconds, target_seconds) < target_share:
        agents += 1
    return agents


def advice_for_week(session: Session, centre: Centre, now: datetime, weeks: int = 8,
                    target_share: float = 0.8, target_seconds: float = SERVICE_LEVEL_SECONDS) -> dict:
    """Calls per hour of the week (average over ``weeks``), handling time, and agents needed."""
    zone = zone_of(centre)
    since = now - timedelta(weeks=weeks)
    rows = session.execute(select(Call.started_at, Call.talk_seconds).where(
        Call.centre_id == centre.id, Call.started_at >= since)).all()
    counts: dict[tuple[int, int], int] = defaultdict(int)
    talk = [t for _, t in rows if t]
    for started, _talk in rows:
        local = started.astimezone(zone)
        counts[(local.weekday(), local.hour)] += 1
    handling = sum(talk) / len(talk) if talk else DEFAULT_HANDLING_SECONDS
    needed = {(d, h): agents_needed(counts[(d, h)] / weeks, handling, target_share, target_seconds,
                                    at_least=1)
              for d in range(7) for h in range(24)}
    return {"needed": needed, "handling_seconds": round(handling), "weeks": weeks,
            "calls": len(rows), "target": f"{int(target_share * 100)}% in {int(target_seconds)} s"}
