"""Contact records: what the psychologist notes about a call, notes encrypted at rest."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline.models import Call, CallerType, ContactRecord, Topic, User
from helpline.models.contact import AGE_BANDS, CONSENTS, GENDERS, REFERRALS, RISK_LEVELS
from helpline.services.cipher import NotesCipher

__all__ = ["NotesCipher", "StoredNotesUnreadable", "RecordError", "RecordInput",
           "active_topics", "record_of", "save_record", "validate"]

UNDER_16 = ("under_10", "10_13", "14_15")
MAX_NOTES = 4000


class StoredNotesUnreadable(RuntimeError):
    """The stored notes cannot be decrypted with the configured keys and new notes were sent:
    saving would destroy them, so nothing is saved (the form keeps what was typed)."""


class RecordError(ValueError):
    """Input that cannot be saved; ``field`` names the control to fix."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name


@dataclass(frozen=True)
class RecordInput:
    caller_type: str | None = None
    age_band: str | None = None
    gender: str | None = "not_said"
    topics: tuple[str, ...] = ()
    risk_level: str | None = None
    consent: str | None = None
    referrals: tuple[str, ...] = ()
    follow_up_needed: bool = False
    follow_up_due: date | None = None
    notes: str = ""
    extra: dict = field(default_factory=dict)


def _check(name: str, value: str | None, allowed: tuple[str, ...]) -> None:
    if value is not None and value not in allowed:
        raise RecordError(name, f"{name}: not one of {', '.join(allowed)}")


def validate(data: RecordInput, today: date) -> None:
    if data == RecordInput(gender=data.gender) and data.gender in (None, "not_said"):
        raise RecordError("caller_type", "The record is empty: choose at least the caller type "
                                         "and the risk level.")
    if data.caller_type is None:
        raise RecordError("caller_type", "caller_type: required")
    if data.risk_level is None:
        raise RecordError("risk_level", "risk_level: required")
    _check("caller_type", data.caller_type, tuple(CallerType))
    _check("age_band", data.age_band, AGE_BANDS)
    _check("gender", data.gender, GENDERS)
    _check("risk_level", data.risk_level, RISK_LEVELS)
    _check("consent", data.consent, CONSENTS)
    for code in data.referrals:
        _check("referrals", code, REFERRALS)
    if data.age_band in UNDER_16 and data.caller_type == CallerType.CHILD and data.consent is None:
        raise RecordError("consent", "consent: required for a caller under 16 (rule 15)")
    if data.follow_up_due is not None and not data.follow_up_needed:
        raise RecordError("follow_up_due", "follow-up date: tick 'follow-up needed' first")
    if data.follow_up_needed and data.follow_up_due is None:
        raise RecordError("follow_up_due", "follow-up date: required when a follow-up is needed")
    if data.follow_up_due is not None and data.follow_up_due < today:
        raise RecordError("follow_up_due", "follow-up date: not in the past")
    if len(data.notes) > MAX_NOTES:
        raise RecordError("notes", f"notes: at most {MAX_NOTES} characters")


def save_record(session: Session, call: Call, author: User, data: RecordInput, now: datetime,
                today: date, cipher: NotesCipher) -> ContactRecord:
    """Create or update the call's record; raises ``RecordError`` and changes nothing.

    Notes that no configured key decrypts are never overwritten: with no new notes sent (the
    console shows them as unreadable and sends none) the other fields are saved and the stored
    ciphertext kept, so nothing is lost when the administrator restores the key; with new notes
    sent, ``StoredNotesUnreadable`` is raised and nothing changes (the typed text stays on screen).
    """
    validate(data, today)
    topics = list(session.scalars(select(Topic).where(Topic.code.in_(data.topics))))
    unknown = set(data.topics) - {t.code for t in topics}
    if unknown:
        raise RecordError("topics", f"topics: unknown {', '.join(sorted(unknown))}")
    record = session.scalar(select(ContactRecord).where(ContactRecord.call_id == call.id))
    keep_notes = record is not None and not cipher.is_readable(record.notes_encrypted)
    if keep_notes and data.notes:
        raise StoredNotesUnreadable("notes: the stored notes cannot be read with the configured keys, "
                              "so new notes cannot be saved over them")
    if record is None:
        record = ContactRecord(call_id=call.id, created_at=now, author_id=author.id)
        session.add(record)
    record.author_id = author.id
    record.caller_type = data.caller_type
    record.age_band = data.age_band
    record.gender = data.gender
    record.risk_level = data.risk_level
    record.consent = data.consent
    record.referrals = ",".join(dict.fromkeys(data.referrals))
    record.follow_up_needed = data.follow_up_needed
    record.follow_up_due = data.follow_up_due
    if not keep_notes:
        record.notes_encrypted = cipher.encrypt(data.notes)
    record.topics = topics
    record.updated_at = now
    session.flush()
    return record


def record_of(session: Session, call_id: str) -> ContactRecord | None:
    return session.scalar(select(ContactRecord).where(ContactRecord.call_id == call_id))


def active_topics(session: Session) -> list[Topic]:
    return list(session.scalars(select(Topic).where(Topic.is_active.is_(True)).order_by(Topic.id)))
