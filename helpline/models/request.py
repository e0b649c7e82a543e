"""The register of requests (rule 13): every answered call, and requests that came another way,
with the same anonymous fields, a deadline (rule 16), a status and follow-ups."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpline.extensions import db
from helpline.orm import CallRef, CentreRef, SurrogateKey, UserRef, code_list, one_of

CHANNELS = ("phone", "email", "messenger", "walk_in", "school_letter", "referral_111", "platform")
STATUSES = ("open", "in_progress", "referred", "closed")
FOLLOW_UP_ACTIONS = ("call_back", "referral_sent", "meeting", "authority_informed", "other")


class Request(db.Model):
    __tablename__ = "requests"
    repr_attributes = ("status",)
    __table_args__ = (
        one_of("channel", CHANNELS),
        one_of("status", STATUSES),
        CheckConstraint("due_at >= received_at", name="due_after_received"),
        # the monthly counts read every request of a month from this index alone
        Index("ix_requests_month_counts", "received_at", "centre_id", "channel", "caller_type",
              "age_band", "risk_level", "topics"),
    )

    id: Mapped[SurrogateKey]
    #: Centre that registered it.
    centre_id: Mapped[CentreRef] = mapped_column(index=True)
    #: How it came: phone (a call of the register), e-mail, messenger, walk-in, ...
    channel: Mapped[str] = mapped_column(String(16))
    #: The call, for phone requests (one request per call).
    call_id: Mapped[CallRef | None] = mapped_column(unique=True)
    #: When it was received (UTC).
    received_at: Mapped[datetime] = mapped_column(index=True)
    #: Immediate threat to a minor's life or health: due the same day.
    is_immediate_threat: Mapped[bool] = mapped_column(default=False)
    #: Deadline (UTC): end of the second working day, or of the same day.
    due_at: Mapped[datetime] = mapped_column(index=True)
    #: open, in_progress, referred, closed.
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    #: Anonymous description: who, age band, risk, topics (codes, comma separated).
    caller_type: Mapped[str | None] = mapped_column(String(16))
    age_band: Mapped[str | None] = mapped_column(String(16))
    risk_level: Mapped[str | None] = mapped_column(String(16))
    topics: Mapped[str] = mapped_column(String(400), default="")
    #: Who registered it, and when it was last changed / closed (UTC).
    created_by_id: Mapped[UserRef | None]
    updated_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]

    follow_ups: Mapped[list[FollowUp]] = relationship(
        back_populates="request", order_by="FollowUp.at", cascade="all, delete-orphan")

    topic_list = code_list("topics")


class FollowUp(db.Model):
    __tablename__ = "request_follow_ups"
    __table_args__ = (one_of("action", FOLLOW_UP_ACTIONS),)

    id: Mapped[SurrogateKey]
    #: The request.
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id", ondelete="CASCADE"), index=True)
    #: When and by whom (UTC).
    at: Mapped[datetime]
    by_id: Mapped[UserRef | None]
    #: What was done.
    action: Mapped[str] = mapped_column(String(24))
    #: Details, encrypted with NOTES_KEY; deleted by the retention job.
    detail_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)

    request: Mapped[Request] = relationship(back_populates="follow_ups")
