"""Append-only audit log: who opened or changed what, exports, rota and user changes, sign-ins.
Rows are never updated or deleted (database triggers refuse it)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from helpline.extensions import db
from helpline.orm import SurrogateKey, UserRef


class AuditEvent(db.Model):
    __tablename__ = "audit_events"
    repr_attributes = ("action",)
    # who is on a call's line and in its consultation is read back from the call's events
    __table_args__ = (Index("ix_audit_events_object", "object_type", "object_id"),)

    #: Surrogate key (also the order of events).
    id: Mapped[SurrogateKey]
    #: When (UTC).
    at: Mapped[datetime] = mapped_column(index=True)
    #: Who (NULL for the command line or the scheduler).
    actor_id: Mapped[UserRef | None] = mapped_column(index=True)
    #: What, e.g. "sign_in", "contact_record.open", "rota.shift_add", "export.calls".
    action: Mapped[str] = mapped_column(String(48), index=True)
    #: On which object (type and id), if any.
    object_type: Mapped[str | None] = mapped_column(String(32))
    object_id: Mapped[str | None] = mapped_column(String(64))
    #: Short detail with no personal data (never notes, never a caller's identity).
    detail: Mapped[str] = mapped_column(Text, default="")
