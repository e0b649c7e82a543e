"""Time-limited blocks of a keyed caller token (opt-in, see ``helpline.privacy.caller_token``).

A block names the caller only by the monthly token, never by a number; it ends at the chosen
time, and at the latest when the token's key rotates (a token of a rotated key cannot match).
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from helpline.extensions import db
from helpline.orm import SurrogateKey, UserRef, one_of


class BlockReason(enum.StrEnum):
    ABUSE = "abuse"
    PRANK = "prank"
    THREATS = "threats"
    SILENT = "silent"
    OTHER = "other"


class CallerBlock(db.Model):
    __tablename__ = "caller_blocks"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        one_of("reason", BlockReason),
        #: The incoming webhook looks a token up here on every call: keep it one index probe.
        Index("ix_caller_blocks_lookup", "caller_token", "centre_id", "ends_at"),
    )

    #: Surrogate key (what the supervisor's view acts on to lift a block).
    id: Mapped[SurrogateKey]
    #: The keyed caller token of the month (never a number).
    caller_token: Mapped[str] = mapped_column(String(64))
    #: Centre whose line refuses the caller.
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id", ondelete="CASCADE"), index=True)
    #: The register entry the block was made from.
    call_id: Mapped[str | None] = mapped_column(ForeignKey("calls.id", ondelete="SET NULL"))
    #: When the block starts (UTC).
    starts_at: Mapped[datetime]
    #: When it ends by itself (UTC); never after the token's key rotates.
    ends_at: Mapped[datetime]
    #: Why (a code, never free text about the caller).
    reason: Mapped[str] = mapped_column(String(16))
    #: Supervisor or administrator who made it.
    created_by: Mapped[UserRef | None]
    #: When it was lifted early (UTC), and by whom.
    lifted_at: Mapped[datetime | None]
    lifted_by: Mapped[UserRef | None]
