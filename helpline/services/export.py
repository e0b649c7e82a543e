"""The register as CSV: counts and times only, never a caller's identity."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, object_session

from helpline import csvout
from helpline.models import Call
from helpline.services.call_staff import staff_of
from helpline.vocabulary import DEFAULT_ZONE_NAME, zone_named

COLUMNS = (
    "call_id", "centre", "dialled_line", "started_at_utc", "started_at_local", "queued_at_utc",
    "answered_at_utc", "ended_at_utc", "wait_seconds", "talk_seconds", "language", "caller_type",
    "urgent", "menu_path", "outcome", "transfers", "staff",
)
#: Calls written per look-up of the staff who took part.
BATCH = 500


def _iso(value: datetime | None) -> str:
    return value.isoformat(timespec="seconds") if value else ""


def calls_between(session: Session, since: datetime | None, until: datetime | None) -> Iterator[Call]:
    query = select(Call).options(joinedload(Call.centre)).order_by(Call.started_at, Call.id)
    if since is not None:
        query = query.where(Call.started_at >= since)
    if until is not None:
        query = query.where(Call.started_at < until)
    yield from session.scalars(query).unique()


def write_calls_csv(calls: Iterator[Call], out: TextIO, default_zone: str = DEFAULT_ZONE_NAME) -> int:
    """Write one row per call; returns how many rows were written. ``staff`` names the staff who
    took part (usernames, never the caller)."""
    writer = csvout.writer(out)
    writer.writerow(COLUMNS)
    count = 0
    for batch in _batches(calls):
        staff = staff_of(object_session(batch[0]), [call.id for call in batch])
        for call in batch:
            names = " ".join(staff.get(call.id, []))
            writer.writerow(_row(call, default_zone) + [call.transfer_count, names])
            count += 1
    return count


def _batches(calls: Iterator[Call]) -> Iterator[list[Call]]:
    batch: list[Call] = []
    for call in calls:
        batch.append(call)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _row(call: Call, default_zone: str) -> list:
    zone = zone_named(call.centre.timezone if call.centre else default_zone)
    return [
        call.id,
        call.centre.name if call.centre else "",
        call.dialled_line or "",
        _iso(call.started_at),
        _iso(call.started_at.astimezone(zone)),
        _iso(call.queued_at),
        _iso(call.answered_at),
        _iso(call.ended_at),
        "" if call.wait_seconds is None else call.wait_seconds,
        "" if call.talk_seconds is None else call.talk_seconds,
        call.language or "",
        call.caller_type or "",
        "yes" if call.is_urgent else "no",
        call.menu_path,
        call.outcome or "in_progress",
    ]
