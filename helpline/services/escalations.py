"""Immediate danger: alert the supervisors at once and keep a timed checklist (rules 15-18, 22)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline.events import ALL_SUPERVISORS, Publisher, agent_room, publish, supervisors_room
from helpline.models import Call, Escalation, Notification, User
from helpline.models.escalation import BODIES
from helpline.vocabulary import zone_named, zone_of


class EscalationError(ValueError):
    """An escalation action that cannot be done; the message is safe to show."""


def same_day_deadline(now: datetime, zone: str) -> datetime:
    """End of today in the centre's zone (rule 16: an immediate threat is dealt with the same day)."""
    local = now.astimezone(zone_named(zone))
    end = datetime.combine(local.date() + timedelta(days=1), time(0), zone_named(zone))
    return end.astimezone(now.tzinfo)


def who_to_tell(session: Session, centre_id: int | None, on_call: set[int]) -> list[str]:
    """The supervisors an escalation goes to, by name: those on call by the rota, else every
    supervisor of the centre (what a psychologist is told to reach herself when the alert
    cannot be sent)."""
    if centre_id is None:
        return []
    query = select(User.username).where(User.is_enabled.is_(True)).order_by(User.username)
    if on_call:
        query = query.where(User.id.in_(on_call))
    else:
        query = query.where(User.centre_id == centre_id, User.role == "supervisor")
    return list(session.scalars(query))


def raise_escalation(session: Session, call: Call, by: User, now: datetime,
                     publisher: Publisher, on_call: set[int] | None = None) -> Escalation:
    """Open (once per call) an escalation and alert at once the supervisors on call by the rota
    (``on_call``), or every supervisor of the centre when the rota names none."""
    existing = session.scalar(select(Escalation).where(
        Escalation.call_id == call.id, Escalation.closed_at.is_(None)))
    if existing is not None:
        return existing
    zone = zone_of(call.centre).key
    escalation = Escalation(
        call_id=call.id, centre_id=call.centre_id, raised_by_id=by.id, raised_at=now,
        due_at=same_day_deadline(now, zone),
        notifications=[Notification(body=body) for body in BODIES],
    )
    session.add(escalation)
    session.flush()
    rooms = ([agent_room(user_id) for user_id in sorted(on_call)] if on_call
             else [supervisors_room(call.centre_id)])
    publish(session, publisher, "escalation", escalation_payload(escalation, by), *rooms,
            ALL_SUPERVISORS)
    publish(session, publisher, "board_changed", {}, supervisors_room(call.centre_id),
            ALL_SUPERVISORS)
    return escalation


def tick(session: Session, escalation: Escalation, body: str, by: User, now: datetime,
         publisher: Publisher) -> Notification:
    """Record that ``body`` was notified, when and by whom (once)."""
    if body not in BODIES:
        raise EscalationError(f"body: one of {', '.join(BODIES)}")
    if escalation.closed_at is not None:
        raise EscalationError("This escalation is closed.")
    item = next(n for n in escalation.notifications if n.body == body)
    if item.notified_at is None:
        item.notified_at = now
        item.notified_by_id = by.id
        publish(session, publisher, "board_changed", {}, supervisors_room(escalation.centre_id),
                ALL_SUPERVISORS)
    return item


class UnexplainedItems(EscalationError):
    """Closing with checklist items unticked and no reason written for them (``bodies``)."""

    def __init__(self, bodies: list[str]) -> None:
        super().__init__(f"reasons: say why each unticked item was not notified: {', '.join(bodies)}")
        self.bodies = bodies


REASON_MAX = 500


def close(session: Session, escalation: Escalation, by: User, now: datetime,
          publisher: Publisher, reasons: Mapping[str, str] | None = None) -> list[str]:
    """Close once every body is ticked, or a written reason is given for each one that is not
    (kept with the item). Returns the bodies closed unticked."""
    if escalation.closed_at is not None:
        return []
    written = {body: text.strip() for body, text in (reasons or {}).items()
               if body in BODIES and isinstance(text, str)}
    if any(len(text) > REASON_MAX for text in written.values()):
        raise EscalationError(f"reasons: at most {REASON_MAX} characters each")
    unticked = [n for n in escalation.notifications if n.notified_at is None]
    missing = [n.body for n in unticked if not written.get(n.body)]
    if missing:
        raise UnexplainedItems(missing)
    for item in unticked:
        item.skipped_reason = written[item.body]
    escalation.closed_at = now
    escalation.closed_by_id = by.id
    publish(session, publisher, "board_changed", {}, supervisors_room(escalation.centre_id),
            ALL_SUPERVISORS)
    return [n.body for n in unticked]


def open_escalations(session: Session, centre_id: int | None) -> list[Escalation]:
    query = select(Escalation).where(Escalation.closed_at.is_(None)).order_by(Escalation.raised_at)
    if centre_id is not None:
        query = query.where(Escalation.centre_id == centre_id)
    return list(session.scalars(query))


def escalation_payload(escalation: Escalation, by: User | None = None) -> dict:
    return {"id": escalation.id, "call_id": escalation.call_id, "centre_id": escalation.centre_id,
            "raised_at": escalation.raised_at.isoformat(), "due_at": escalation.due_at.isoformat(),
            "raised_by": by.username if by else None}
