"""Deleting ended calls at the voice provider: which numbers are ours, the sweep's record.

The sweep itself (``helpline.carrier.twilio_purge``) speaks to the provider; this module gives it
the centres' numbers and keeps what administrators see: counts per sweep, never a call id.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from helpline.carrier.twilio_purge import PurgeCounts
from helpline.models import CentreLine, ProviderPurgeRun

logger = logging.getLogger(__name__)


def line_numbers(session: Session) -> frozenset[str]:
    """Every centre's published number (E.164): calls to them are the line's calls."""
    return frozenset(session.scalars(select(CentreLine.number)))


def record_sweep(session: Session, now: datetime, counts: PurgeCounts) -> ProviderPurgeRun:
    """Keep one sweep's counts (flushed, not committed) and log them, with no call id."""
    run = ProviderPurgeRun(at=now, calls_deleted=counts.deleted, calls_not_final=counts.not_final,
                           calls_failed=counts.failed, alerts_kept=counts.alerts_kept,
                           error=counts.error[:200])
    session.add(run)
    session.flush()
    level = logging.WARNING if counts.failed or counts.error else logging.INFO
    logger.log(level, "Provider purge: %s", counts.summary())
    return run


@dataclass(frozen=True)
class PurgeOverview:
    """What the administrators' page shows."""

    runs: list[ProviderPurgeRun]
    deleted_total: int
    failed_total: int


def overview(session: Session, limit: int = 50) -> PurgeOverview:
    """The latest sweeps, newest first, and the totals over every sweep kept."""
    runs = list(session.scalars(select(ProviderPurgeRun).order_by(ProviderPurgeRun.id.desc())
                                .limit(limit)))
    deleted, failed = session.execute(select(
        func.coalesce(func.sum(ProviderPurgeRun.calls_deleted), 0),
        func.coalesce(func.sum(ProviderPurgeRun.calls_failed), 0))).one()
    return PurgeOverview(runs=runs, deleted_total=int(deleted), failed_total=int(failed))
