"""Immediate-danger escalations (rules 15, 16, 18, 22) and the checklist of bodies notified."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpline.extensions import db
from helpline.orm import CallRef, CentreRef, SurrogateKey, UserRef, one_of

BODIES = ("health", "police", "child_rights", "guardianship", "parents")


class Escalation(db.Model):
    __tablename__ = "escalations"
    __table_args__ = (
        CheckConstraint("closed_at IS NULL OR closed_at >= raised_at", name="closes_after_raise"),
    )

    id: Mapped[SurrogateKey]
    #: The call it arose from.
    call_id: Mapped[CallRef] = mapped_column(index=True)
    #: Centre whose supervisors handle it.
    centre_id: Mapped[CentreRef | None] = mapped_column(index=True)
    #: Who raised it and when (UTC).
    raised_by_id: Mapped[UserRef]
    raised_at: Mapped[datetime]
    #: Deadline: the same day (rule 16), end of the day in the centre's zone (UTC).
    due_at: Mapped[datetime]
    #: Who closed it and when (UTC); open while NULL.
    closed_by_id: Mapped[UserRef | None]
    closed_at: Mapped[datetime | None]

    notifications: Mapped[list[Notification]] = relationship(
        back_populates="escalation", order_by="Notification.id", cascade="all, delete-orphan")


class Notification(db.Model):
    """One body on the checklist: ticked with the time and the person, or still to do."""

    __tablename__ = "escalation_notifications"
    repr_attributes = ("body",)
    __table_args__ = (
        UniqueConstraint("escalation_id", "body"),
        one_of("body", BODIES),
        CheckConstraint("(notified_at IS NULL) = (notified_by_id IS NULL)", name="ticked_with_whom"),
    )

    id: Mapped[SurrogateKey]
    #: The escalation.
    escalation_id: Mapped[int] = mapped_column(ForeignKey("escalations.id", ondelete="CASCADE"))
    #: health, police, child_rights, guardianship or parents.
    body: Mapped[str] = mapped_column(String(24))
    #: When and by whom it was notified (UTC).
    notified_at: Mapped[datetime | None]
    notified_by_id: Mapped[UserRef | None]
    #: Why it was not notified, written by the supervisor who closed the escalation without it.
    skipped_reason: Mapped[str | None] = mapped_column(String(500))

    escalation: Mapped[Escalation] = relationship(back_populates="notifications")
