"""The register of requests: registration with a deadline, status, follow-ups, lists."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import literal, select
from sqlalchemy.orm import Session

from helpline.deadlines import due_at
from helpline.models import Call, CallerType, Centre, ContactRecord, Request, Topic, User
from helpline.models.contact import AGE_BANDS, RISK_LEVELS
from helpline.models.request import CHANNELS, FOLLOW_UP_ACTIONS, STATUSES, FollowUp
from helpline.services.contacts import NotesCipher
from helpline.vocabulary import zone_named

VIEWS = ("open", "due_today", "overdue", "all")


class RequestError(ValueError):
    """Input that cannot be registered; the message names the field."""


@dataclass(frozen=True)
class RequestInput:
    channel: str
    received_at: datetime
    caller_type: str | None = None
    age_band: str | None = None
    risk_level: str | None = None
    topics: Sequence[str] = ()
    immediate_threat: bool = False


def _validate(session: Session, data: RequestInput, now: datetime) -> list[str]:
    if data.channel not in CHANNELS:
        raise RequestError(f"channel: one of {', '.join(CHANNELS)}")
    if data.caller_type not in (None, *CallerType):
        raise RequestError("caller type: child, parent or specialist")
    if data.age_band not in (None, *AGE_BANDS):
        raise RequestError("age band: unknown")
    if data.risk_level not in (None, *RISK_LEVELS):
        raise RequestError("risk level: unknown")
    if data.received_at > now + timedelta(minutes=5):
        raise RequestError("received: not in the future")
    known = set(session.scalars(select(Topic.code)))
    unknown = sorted(set(data.topics) - known)
    if unknown:
        raise RequestError(f"topics: unknown {', '.join(unknown)}")
    return list(dict.fromkeys(data.topics))


def register(session: Session, centre: Centre, data: RequestInput, by: User | None, now: datetime,
             holidays: Iterable[date], call: Call | None = None) -> Request:
    topics = _validate(session, data, now)
    immediate = data.immediate_threat or data.risk_level == "immediate"
    request = Request(
        centre_id=centre.id, channel=data.channel, call_id=call.id if call else None,
        received_at=data.received_at, is_immediate_threat=immediate,
        due_at=due_at(data.received_at, immediate, centre.timezone, holidays), status="open",
        caller_type=data.caller_type, age_band=data.age_band, risk_level=data.risk_level,
        topics=",".join(topics), created_by_id=by.id if by else None, updated_at=now)
    session.add(request)
    session.flush()
    return request


def from_contact_record(session: Session, call: Call, record: ContactRecord, by: User,
                        now: datetime, holidays: Iterable[date]) -> Request:
    """An answered call is a phone request; its record fills the anonymous fields."""
    existing = session.scalar(select(Request).where(Request.call_id == call.id))
    immediate = record.risk_level == "immediate"
    if existing is None:
        centre = session.get(Centre, call.centre_id)
        return register(session, centre, RequestInput(
            channel="phone", received_at=call.started_at, caller_type=record.caller_type,
            age_band=record.age_band, risk_level=record.risk_level,
            topics=[t.code for t in record.topics], immediate_threat=immediate), by, now, holidays,
            call=call)
    existing.caller_type, existing.age_band = record.caller_type, record.age_band
    existing.risk_level = record.risk_level
    existing.topics = ",".join(t.code for t in record.topics)
    if immediate and not existing.is_immediate_threat:
        zone = session.get(Centre, existing.centre_id).timezone
        existing.is_immediate_threat = True
        existing.due_at = due_at(existing.received_at, True, zone, holidays)
    existing.updated_at = now
    return existing


def set_status(request: Request, status: str, now: datetime) -> None:
    if status not in STATUSES:
        raise RequestError(f"status: one of {', '.join(STATUSES)}")
    request.status = status
    request.updated_at = now
    request.closed_at = now if status == "closed" else None


def add_follow_up(request: Request, action: str, detail: str, by: User, now: datetime,
                  cipher: NotesCipher) -> FollowUp:
    if action not in FOLLOW_UP_ACTIONS:
        raise RequestError(f"action: one of {', '.join(FOLLOW_UP_ACTIONS)}")
    if len(detail) > 2000:
        raise RequestError("detail: at most 2000 characters")
    item = FollowUp(at=now, by_id=by.id, action=action, detail_encrypted=cipher.encrypt(detail))
    request.follow_ups.append(item)
    if request.status == "open":
        request.status = "in_progress"
    request.updated_at = now
    return item


def may_read(user: User, request: Request) -> bool:
    """The request's details (its description and follow-ups) are for its author, the
    supervisors of its centre and administrators; other psychologists of the centre only see in
    the lists that it exists, with its status and deadline, so pending work is handed over."""
    if user.is_admin:
        return True
    if user.centre_id is None or user.centre_id != request.centre_id:
        return False
    return user.is_supervisor or (request.created_by_id is not None
                                  and request.created_by_id == user.id)


def listing(session: Session, centre_id: int | None, view: str, now: datetime, zone: str,
            topic: str | None = None, risk: str | None = None, status: str | None = None,
            reader: User | None = None) -> list[Request]:
    """open; due today (local day); overdue; or all — newest deadlines first for "all".

    With a ``reader`` who may not read every request of the centre, filtering by topic or risk
    (details) only finds the requests they may read, so a filter never reveals others' details.
    """
    if view not in VIEWS:
        raise RequestError(f"view: one of {', '.join(VIEWS)}")
    query = select(Request)
    if centre_id is not None:
        query = query.where(Request.centre_id == centre_id)
    not_closed = Request.status != "closed"
    if view == "open":
        query = query.where(not_closed)
    elif view == "due_today":
        tz = zone_named(zone)
        end = datetime.combine(now.astimezone(tz).date() + timedelta(days=1), time(0), tz)
        query = query.where(not_closed, Request.due_at <= end, Request.due_at > now)
    elif view == "overdue":
        query = query.where(not_closed, Request.due_at <= now)
    if (topic or risk) and reader is not None and not reader.is_supervisor:
        query = query.where(Request.created_by_id == reader.id)
    if topic:
        query = query.where((literal(",") + Request.topics + literal(",")).contains(f",{topic},"))
    if risk:
        query = query.where(Request.risk_level == risk)
    if status:
        query = query.where(Request.status == status)
    order = Request.received_at.desc() if view == "all" else Request.due_at
    return list(session.scalars(query.order_by(order).limit(500)))
