"""Writing and reading the audit log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline.models.audit import AuditEvent


def record(session: Session, now: datetime, action: str, actor=None, obj_type: str | None = None,
           obj_id: object = None, detail: str = "") -> AuditEvent:
    """Append an event to the unit of work (it commits with the change it records)."""
    event = AuditEvent(at=now, actor_id=getattr(actor, "id", None), action=action,
                       object_type=obj_type, object_id=None if obj_id is None else str(obj_id),
                       detail=detail[:1000])
    session.add(event)
    return event


def events(session: Session, action: str | None = None, actor_id: int | None = None,
           since: datetime | None = None, until: datetime | None = None, limit: int = 500
           ) -> list[AuditEvent]:
    query = select(AuditEvent)
    if action:
        query = query.where(AuditEvent.action.startswith(action))
    if actor_id:
        query = query.where(AuditEvent.actor_id == actor_id)
    if since:
        query = query.where(AuditEvent.at >= since)
    if until:
        query = query.where(AuditEvent.at < until)
    return list(session.scalars(query.order_by(AuditEvent.id.desc()).limit(limit)))
