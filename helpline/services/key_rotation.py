"""Re-encrypting every encrypted column under the newest ``NOTES_KEY`` key.

Run after a new key has been put first in ``NOTES_KEY`` and every process restarted with it; once
it reports nothing left under an old key, the old key can be removed.  It works in batches, one
unit of work each, so a large register is never held in one transaction and an interruption
loses nothing (a re-run carries on: values already under the newest key are left alone).  It
reports counts and record ids, never content.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline.models import ContactRecord, FollowUp, RecordDraft, User
from helpline.services import audit
from helpline.services.cipher import NotesCipher, UnreadableNotes
from helpline.uow import unit_of_work


@dataclass(frozen=True)
class EncryptedColumn:
    """One column holding text encrypted with the notes cipher."""

    label: str
    model: type
    attribute: str


#: Every column the notes cipher writes (add a new one here and rotation covers it).
ENCRYPTED_COLUMNS = (
    EncryptedColumn("contact-record notes", ContactRecord, "notes_encrypted"),
    EncryptedColumn("request follow-up details", FollowUp, "detail_encrypted"),
    EncryptedColumn("two-factor secrets", User, "totp_secret"),
    EncryptedColumn("contact-record drafts", RecordDraft, "content_encrypted"),
)


@dataclass
class ColumnReport:
    label: str
    rotated: int = 0
    current: int = 0
    unreadable: list[int] = field(default_factory=list)


def _batches(session: Session, column: EncryptedColumn, batch_size: int) -> Iterator[list]:
    """The rows with a value in ``column``, ``batch_size`` at a time, in id order."""
    model = column.model
    value = getattr(model, column.attribute)
    last = 0
    while True:
        rows = list(session.scalars(select(model).where(model.id > last, value.is_not(None))
                                    .order_by(model.id).limit(batch_size)))
        if not rows:
            return
        last = rows[-1].id
        yield rows


def unreadable_values(session: Session, cipher: NotesCipher, batch_size: int = 500
                      ) -> dict[str, list[int]]:
    """Record ids, per column, whose value no configured key decrypts (only columns with some)."""
    found: dict[str, list[int]] = {}
    for column in ENCRYPTED_COLUMNS:
        for rows in _batches(session, column, batch_size):
            found.setdefault(column.label, []).extend(
                row.id for row in rows if not cipher.is_readable(getattr(row, column.attribute)))
            session.expunge_all()
    return {label: ids for label, ids in found.items() if ids}


def rotate(session: Session, cipher: NotesCipher, now: datetime, batch_size: int = 500
           ) -> list[ColumnReport]:
    """Re-encrypt under the newest key every value not already under it; an unreadable value is
    left exactly as it is and its id reported (callers refuse first, see ``unreadable_values``)."""
    reports = []
    for column in ENCRYPTED_COLUMNS:
        report = ColumnReport(column.label)
        batches = _batches(session, column, batch_size)
        while True:
            with unit_of_work(session):
                rows = next(batches, None)
                if rows is None:
                    break
                for row in rows:
                    _rotate_one(cipher, row, column.attribute, report)
            session.expunge_all()
        reports.append(report)
    with unit_of_work(session):
        audit.record(session, now, "keys.rotate", detail="; ".join(
            f"{r.label}: {r.rotated} re-encrypted, {r.current} already current, "
            f"{len(r.unreadable)} unreadable" for r in reports))
    return reports


def _rotate_one(cipher: NotesCipher, row, attribute: str, report: ColumnReport) -> None:
    blob = getattr(row, attribute)
    if cipher.is_current(blob):
        report.current += 1
        return
    try:
        setattr(row, attribute, cipher.rotate(blob))
    except UnreadableNotes:
        report.unreadable.append(row.id)
        return
    report.rotated += 1
