"""Sweeps that delete ended calls' records at the voice provider: counts only, never a call id."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from helpline.extensions import db
from helpline.orm import SurrogateKey


class ProviderPurgeRun(db.Model):
    """One sweep of the provider's call log (Twilio), as administrators see it."""

    __tablename__ = "provider_purge_runs"
    __table_args__ = (
        CheckConstraint("calls_deleted >= 0 AND calls_not_final >= 0 AND calls_failed >= 0 "
                        "AND alerts_kept >= 0", name="counts_not_negative"),
    )

    #: Surrogate key (also the order of sweeps).
    id: Mapped[SurrogateKey]
    #: When the sweep ran (UTC).
    at: Mapped[datetime] = mapped_column(index=True)
    #: Call records (callers' and psychologists' legs) deleted at the provider.
    calls_deleted: Mapped[int] = mapped_column(default=0)
    #: Ended calls the provider has not finalised yet (Twilio error 20009): the next sweep tries again.
    calls_not_final: Mapped[int] = mapped_column(default=0)
    #: Deletes refused or unanswered for any other reason: the next sweep tries again.
    calls_failed: Mapped[int] = mapped_column(default=0)
    #: Debugger alerts the provider still keeps (its API cannot delete them); NULL if not read.
    alerts_kept: Mapped[int | None] = mapped_column()
    #: Why the sweep could not list the provider's calls, in words with no call id; empty if it could.
    error: Mapped[str] = mapped_column(String(200), default="")
