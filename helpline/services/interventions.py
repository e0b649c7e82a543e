"""Transfers and supervisor interventions, for the period reports.

A supervisor intervention is a request for help (``call.help_request``) or a supervisor joining
a call (``on_the_line.join``, written by the live-call view), counted from the audit log by
when it happened; transfers are the register's per-call transfer counts, by when the call began.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from helpline.models import AuditEvent, Call

#: Audit actions that count as a supervisor intervention on a call.
INTERVENTIONS = ("call.help_request", "on_the_line.join")


def figures(session: Session, centre_ids: Sequence[int] | None, start: datetime, end: datetime
            ) -> dict[str, int]:
    """``transfers`` and ``supervisor_interventions`` between ``start`` and ``end``."""
    transfers = select(func.coalesce(func.sum(Call.transfer_count), 0)).where(
        Call.started_at >= start, Call.started_at < end)
    interventions = select(func.count(AuditEvent.id)).where(
        AuditEvent.action.in_(INTERVENTIONS), AuditEvent.at >= start, AuditEvent.at < end)
    if centre_ids:
        transfers = transfers.where(Call.centre_id.in_(centre_ids))
        interventions = interventions.join(Call, Call.id == AuditEvent.object_id).where(
            AuditEvent.object_type == "call", Call.centre_id.in_(centre_ids))
    return {"transfers": int(session.scalar(transfers) or 0),
            "supervisor_interventions": int(session.scalar(interventions) or 0)}
