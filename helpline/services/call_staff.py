"""The staff who took part in a call (never the caller): who answered it, who passed it on, who
asked for help and which supervisor came.  For the register's export and the call's page."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline.models import CallParticipant, Offer, Part, User


def note(session: Session, call_id: str, user_id: int, part: Part, now: datetime) -> None:
    """Remember (once per call, person and part) that ``user_id`` took part in the call."""
    known = session.scalar(select(CallParticipant.id).where(
        CallParticipant.call_id == call_id, CallParticipant.user_id == user_id,
        CallParticipant.part == part.value))
    if known is None:
        session.add(CallParticipant(call_id=call_id, user_id=user_id, part=part.value, at=now))
        session.flush()


def staff_of(session: Session, call_ids: list[str]) -> dict[str, list[str]]:
    """For each call, the usernames of the staff who took part, in the order they did: those
    who answered it (accepted its offer), then the other parts."""
    if not call_ids:
        return {}
    rows = session.execute(
        select(Offer.call_id, User.username, Offer.accepted_at).join(User, User.id == Offer.user_id)
        .where(Offer.call_id.in_(call_ids), Offer.accepted_at.is_not(None))).all()
    rows += session.execute(
        select(CallParticipant.call_id, User.username, CallParticipant.at)
        .join(User, User.id == CallParticipant.user_id)
        .where(CallParticipant.call_id.in_(call_ids))).all()
    staff: dict[str, list[str]] = {}
    for call_id, username, _at in sorted(rows, key=lambda row: (row[2], row[1])):
        names = staff.setdefault(call_id, [])
        if username not in names:
            names.append(username)
    return staff
