"""A contact record being written: saved as the psychologist types, so nothing typed is lost."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from helpline.extensions import db
from helpline.orm import SurrogateKey, UserRef


class RecordDraft(db.Model):
    __tablename__ = "record_drafts"
    __table_args__ = (UniqueConstraint("call_id", "author_id"),)

    id: Mapped[SurrogateKey]
    #: The call whose record is being written.
    call_id: Mapped[str] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    #: Who is writing it (one draft per call and person).
    author_id: Mapped[UserRef] = mapped_column(index=True)
    #: The form as typed (JSON, notes included), encrypted like notes (NOTES_KEY); never plain.
    content_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    #: When its author chose "Save later" to take calls meanwhile (UTC); NULL while not deferred.
    deferred_at: Mapped[datetime | None]
    #: Last change (UTC).
    updated_at: Mapped[datetime]
