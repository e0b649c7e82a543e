"""The anonymous register of calls: one row per call, nothing about who called."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpline.extensions import db
from helpline.models.centre import Centre
from helpline.orm import UserRef, one_of


class CallState(enum.StrEnum):
    """Where a call is. States only move forward (see ``STATE_ORDER``)."""

    IN_MENU = "in_menu"
    QUEUED = "queued"
    ANSWERED = "answered"
    ENDED = "ended"


STATE_ORDER = {CallState.IN_MENU: 0, CallState.QUEUED: 1, CallState.ANSWERED: 2, CallState.ENDED: 3}


class Outcome(enum.StrEnum):
    ANSWERED = "answered"
    ABANDONED_IN_MENU = "abandoned_in_menu"
    ABANDONED_IN_QUEUE = "abandoned_in_queue"
    NO_ONE_AVAILABLE = "no_one_available"
    FAILED = "failed"
    #: The line lost track of the call (a restart, Redis lost) and could not reach it again;
    #: the caller, if still there, went on as a new, resumed entry.
    INTERRUPTED = "interrupted"
    #: The caller's token was blocked at this centre: they heard the set message and the help
    #: numbers, and the call went no further.
    BLOCKED = "blocked"


class CallerType(enum.StrEnum):
    CHILD = "child"
    PARENT = "parent"
    SPECIALIST = "specialist"


class Call(db.Model):
    __tablename__ = "calls"
    repr_attributes = ("state",)
    __table_args__ = (
        one_of("state", CallState),
        one_of("outcome", Outcome, nullable=True),
        one_of("caller_type", CallerType, nullable=True),
        CheckConstraint("ended_at IS NULL OR ended_at >= started_at", name="ends_after_start"),
        CheckConstraint("wait_seconds IS NULL OR wait_seconds >= 0", name="wait_not_negative"),
        CheckConstraint("talk_seconds IS NULL OR talk_seconds >= 0", name="talk_not_negative"),
        CheckConstraint("transfer_count >= 0", name="transfers_not_negative"),
        Index("ix_calls_queue", "centre_id", "state", "is_urgent", "queued_at"),
        # the monthly counts: each centre's calls of one outcome in a month, an index range
        Index("ix_calls_month_counts", "centre_id", "outcome", "started_at"),
        # routing: the calls waiting, and those accepted but not yet bridged, in every centre
        Index("ix_calls_open", "state", "queued_at"),
    )

    #: Opaque register id (random); never given to the carrier.
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    #: Centre that took the call; NULL when no centre exists at all.
    centre_id: Mapped[int | None] = mapped_column(
        ForeignKey("centres.id", ondelete="SET NULL"), index=True
    )
    #: The centre's number that was dialled (E.164), NULL if the carrier sent none usable.
    dialled_line: Mapped[str | None] = mapped_column(String(20))
    #: Where the call is now; only moves forward.
    state: Mapped[str] = mapped_column(String(16), default=CallState.IN_MENU.value)
    #: When the call reached the IVR (UTC).
    started_at: Mapped[datetime] = mapped_column(index=True)
    #: When the caller entered the queue (UTC).
    queued_at: Mapped[datetime | None]
    #: When the caller left the queue for any reason (UTC).
    dequeued_at: Mapped[datetime | None]
    #: When a psychologist answered (UTC).
    answered_at: Mapped[datetime | None]
    #: When the call ended (UTC).
    ended_at: Mapped[datetime | None]
    #: Seconds spent in the queue.
    wait_seconds: Mapped[int | None]
    #: Seconds talking to a psychologist.
    talk_seconds: Mapped[int | None]
    #: Language chosen in the menu (kk, ru, en).
    language: Mapped[str | None] = mapped_column(String(8))
    #: Who said they are calling (child, parent, specialist); NULL if not said.
    caller_type: Mapped[str | None] = mapped_column(String(16))
    #: The caller said a life is in danger right now.
    is_urgent: Mapped[bool] = mapped_column(default=False)
    #: Steps through the menu, e.g. "language:2 caller_type:timeout caller_type:1".
    menu_path: Mapped[str] = mapped_column(String(500), default="")
    #: How the call ended; NULL while it lasts.
    outcome: Mapped[str | None] = mapped_column(String(24), index=True)
    #: Psychologist who answered (NULL when nobody did).
    agent_id: Mapped[UserRef | None] = mapped_column(index=True)
    #: Optional keyed, rotating caller token (off by default; see README).
    caller_token: Mapped[str | None] = mapped_column(String(64), index=True)
    #: This entry continues a call whose live state was lost (its first entry is ``interrupted``).
    is_resumed: Mapped[bool] = mapped_column(default=False)
    #: Last request from the carrier about this call (UTC); a silent call is checked with it.
    last_activity_at: Mapped[datetime | None]
    #: When the psychologist's leg joined the call's conference (UTC); the caller follows.
    agent_joined_at: Mapped[datetime | None]
    #: When the caller reached the psychologist's conference (UTC).
    bridged_at: Mapped[datetime | None]
    #: When the psychologist's audio leg dropped while the caller stayed on the line (UTC).
    agent_lost_at: Mapped[datetime | None]
    #: Times a psychologist passed the caller to another centre's queue (cold transfer).
    transfer_count: Mapped[int] = mapped_column(default=0, server_default="0")

    centre: Mapped[Centre | None] = relationship()
