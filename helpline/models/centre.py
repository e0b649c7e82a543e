"""A Psychological Support Centre and the published numbers that ring it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpline.extensions import db
from helpline.orm import SurrogateKey, code_list


class Centre(db.Model):
    __tablename__ = "centres"
    __table_args__ = (
        CheckConstraint("languages <> ''", name="has_language"),
        CheckConstraint("max_wait_seconds > 0", name="positive_max_wait"),
    )

    id: Mapped[SurrogateKey]
    #: Display name, e.g. "Almaty city PSC".
    name: Mapped[str] = mapped_column(String(200), unique=True)
    #: Region or city of the centre.
    region: Mapped[str] = mapped_column(String(200))
    #: IANA zone in which the centre's times are shown.
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Almaty")
    #: Menu languages in the order offered, comma separated codes (kk, ru, en).
    languages: Mapped[str] = mapped_column(String(32), default="kk,ru")
    #: Longest wait in the queue before the caller is told where else to get help.
    max_wait_seconds: Mapped[int] = mapped_column(default=300)
    #: When the centre was added (UTC).
    created_at: Mapped[datetime]

    lines: Mapped[list[CentreLine]] = relationship(
        back_populates="centre", cascade="all, delete-orphan", order_by="CentreLine.number"
    )

    language_list = code_list("languages")


class CentreLine(db.Model):
    """A published trust-line number of a centre (the centre's own, never a person's)."""

    __tablename__ = "centre_lines"

    id: Mapped[SurrogateKey]
    #: Owning centre.
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id", ondelete="CASCADE"), index=True)
    #: E.164 number as dialled by callers, e.g. +77172000000.
    number: Mapped[str] = mapped_column(String(20), unique=True)

    centre: Mapped[Centre] = relationship(back_populates="lines")
