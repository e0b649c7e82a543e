"""The on-call rota: shifts (versioned, never rewritten), absences, swaps, staffing minimums."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpline.extensions import db
from helpline.models.user import User
from helpline.orm import CentreRef, SurrogateKey, UserRef, one_of


class Shift(db.Model):
    __tablename__ = "shifts"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        one_of("duty", ("line", "supervisor")),
        Index("ix_shifts_current", "centre_id", "starts_at", "ends_at"),
    )

    id: Mapped[SurrogateKey]
    #: Centre and person.
    centre_id: Mapped[CentreRef] = mapped_column(index=True)
    user_id: Mapped[UserRef] = mapped_column(index=True)
    #: "line" (answers calls) or "supervisor" (on call for escalations).
    duty: Mapped[str] = mapped_column(String(16))
    #: Start and end (UTC).
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    #: Who made this version and when.
    created_at: Mapped[datetime]
    created_by_id: Mapped[UserRef | None]
    #: The version this one replaced (edits add a version; nothing is rewritten).
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("shifts.id"))
    #: When a newer version replaced it, or when it was deleted (UTC); current while both NULL.
    superseded_at: Mapped[datetime | None]
    deleted_at: Mapped[datetime | None]
    #: Why it was saved although it breaks a working-time rule.
    override_reason: Mapped[str | None] = mapped_column(Text)

    user: Mapped[User] = relationship(foreign_keys=[user_id])

    @property
    def is_current(self) -> bool:
        return self.superseded_at is None and self.deleted_at is None


class Absence(db.Model):
    __tablename__ = "absences"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        one_of("kind", ("leave", "sick", "other")),
    )

    id: Mapped[SurrogateKey]
    #: The person away.
    user_id: Mapped[UserRef] = mapped_column(index=True)
    #: From and to (UTC).
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    #: leave, sick or other.
    kind: Mapped[str] = mapped_column(String(16), default="leave")
    #: Who entered it and when (UTC).
    created_at: Mapped[datetime]
    created_by_id: Mapped[UserRef | None]


class SwapRequest(db.Model):
    """A person asks a colleague to take a shift; the colleague accepts; a supervisor approves."""

    __tablename__ = "swap_requests"
    repr_attributes = ("state",)
    __table_args__ = (
        one_of("state", ("asked", "accepted", "approved", "refused")),
    )

    id: Mapped[SurrogateKey]
    #: The shift to hand over.
    shift_id: Mapped[int] = mapped_column(ForeignKey("shifts.id"), index=True)
    #: Who asks, and whom.
    requester_id: Mapped[UserRef]
    colleague_id: Mapped[UserRef] = mapped_column(index=True)
    #: asked, accepted, approved or refused.
    state: Mapped[str] = mapped_column(String(16), default="asked")
    #: When asked, accepted, decided (UTC), and by which supervisor.
    asked_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[UserRef | None]

    shift: Mapped[Shift] = relationship()


class StaffingMinimum(db.Model):
    """People needed on line duty per hour of the week (local time) at a centre."""

    __tablename__ = "staffing_minimums"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        CheckConstraint("hour BETWEEN 0 AND 23", name="hour_range"),
        CheckConstraint("minimum >= 0", name="minimum_not_negative"),
    )

    #: Centre, day of the week (0 = Monday) and hour (local).
    centre_id: Mapped[CentreRef] = mapped_column(primary_key=True)
    weekday: Mapped[SurrogateKey]
    hour: Mapped[SurrogateKey]
    #: People needed on line duty.
    minimum: Mapped[int]
