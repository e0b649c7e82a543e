"""Put someone on line duty now: an ad-hoc shift from this minute, made by the same rota
operation (and the same working-time checks) as a shift added on the rota page. Functions
flush; the caller commits, audits and routes."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline.config import Settings
from helpline.models import Centre, Shift, User
from helpline.vocabulary import zone_of
from scheduling import rota
from scheduling.service import RotaError, absences, add_shift, current_shifts, spans


def default_end(session: Session, centre: Centre, now: datetime) -> datetime:
    """The end of the centre's current rota shift period (see ``rota.period_end``)."""
    shifts = current_shifts(session, centre.id, now - timedelta(seconds=1), now + timedelta(seconds=1))
    away = absences(session, [s.user_id for s in shifts], now, now + timedelta(seconds=1))
    return rota.period_end(spans(shifts), away, now, zone_of(centre))


def end_from_clock(centre: Centre, clock_time: str, now: datetime) -> datetime:
    """``HH:MM`` local: its next occurrence after ``now`` (a time already past today is
    tomorrow's), in UTC."""
    try:
        wanted = time.fromisoformat(clock_time.strip())
    except (ValueError, AttributeError):
        raise RotaError("until: a time as HH:MM") from None
    zone = zone_of(centre)
    local = now.astimezone(zone)
    end = datetime.combine(local.date(), wanted.replace(second=0, microsecond=0), zone)
    if end <= local:
        end = datetime.combine(local.date() + timedelta(days=1), wanted, zone)
    return end.astimezone(UTC)


def put_on_duty(session: Session, user: User | None, end: datetime | None, by: User, now: datetime,
                settings: Settings, reason: str | None = None) -> Shift:
    """An ad-hoc line shift for ``user`` from ``now`` to ``end`` (default: the end of the
    current shift period). ``RotaError`` with the violations when it breaks a working-time rule
    and no reason is given; with a reason it is kept with the shift, as on the rota page."""
    if user is None or user.centre_id is None:
        raise RotaError("person: not an active member of staff")
    centre = session.get(Centre, user.centre_id)
    if session.scalar(select(Shift.id).where(Shift.centre_id == centre.id, Shift.superseded_at.is_(None),
                                             Shift.deleted_at.is_(None)).limit(1)) is None:
        # a first shift would take calls away from everyone else signed in
        raise RotaError(f"{centre.name} keeps no rota here: everyone signed in already receives calls")
    start = now.replace(second=0, microsecond=0)
    end = end or default_end(session, centre, now)
    mine = current_shifts(session, centre.id, now, now + timedelta(seconds=1), user_id=user.id)
    if user.id in rota.on_duty_at(spans(mine), absences(session, [user.id], now, end), now):
        raise RotaError(f"person: {user.username} is on line duty already")
    return add_shift(session, centre, user, rota.LINE, start, end, by, now, settings, reason)
