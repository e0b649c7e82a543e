"""The contact record a psychologist fills during and after a call, and the topic list."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, LargeBinary, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpline.extensions import db
from helpline.orm import CallRef, SurrogateKey, UserRef, code_list, one_of

AGE_BANDS = ("under_10", "10_13", "14_15", "16_17", "18_plus", "unknown")
GENDERS = ("female", "male", "not_said")
RISK_LEVELS = ("none", "low", "medium", "high", "immediate")
CONSENTS = ("parent_consent", "not_required", "immediate_threat")
REFERRALS = ("advice", "school_psychologist", "face_to_face", "mobile_group", "medical", "police",
             "other_service")

contact_topics = Table(
    "contact_record_topics",
    db.Model.metadata,
    Column("contact_record_id", ForeignKey("contact_records.id", ondelete="CASCADE"),
           primary_key=True),
    Column("topic_id", ForeignKey("topics.id"), primary_key=True),
)


class Topic(db.Model):
    __tablename__ = "topics"

    id: Mapped[SurrogateKey]
    #: Stable code, e.g. "bullying".
    code: Mapped[str] = mapped_column(String(40), unique=True)
    #: Names in the interface languages.
    name_en: Mapped[str] = mapped_column(String(120))
    name_ru: Mapped[str] = mapped_column(String(120))
    name_kk: Mapped[str] = mapped_column(String(120))
    #: Hidden from new records when False (kept for old ones and reports).
    is_active: Mapped[bool] = mapped_column(default=True)

    def name(self, language: str) -> str:
        return getattr(self, f"name_{language}", None) or self.name_en


class ContactRecord(db.Model):
    __tablename__ = "contact_records"
    __table_args__ = (
        one_of("age_band", AGE_BANDS, nullable=True),
        one_of("gender", GENDERS, nullable=True),
        one_of("risk_level", RISK_LEVELS, nullable=True),
        one_of("consent", CONSENTS, nullable=True),
        CheckConstraint("follow_up_due IS NULL OR follow_up_needed", name="due_needs_follow_up"),
    )

    id: Mapped[SurrogateKey]
    #: The call it records (one record per call).
    call_id: Mapped[CallRef] = mapped_column(unique=True)
    #: Psychologist who wrote it last.
    author_id: Mapped[UserRef]
    #: child, parent or specialist (as the psychologist understood it).
    caller_type: Mapped[str | None] = mapped_column(String(16))
    #: Age band of the person the call is about.
    age_band: Mapped[str | None] = mapped_column(String(16))
    #: Optional; "not_said" by default.
    gender: Mapped[str | None] = mapped_column(String(16))
    #: none, low, medium, high, immediate (danger now).
    risk_level: Mapped[str | None] = mapped_column(String(16))
    #: Rule 15 for callers under 16: parent's consent, not required, or immediate-threat exception.
    consent: Mapped[str | None] = mapped_column(String(24))
    #: Outcome and referral codes, comma separated.
    referrals: Mapped[str] = mapped_column(String(200), default="")
    referral_list = code_list("referrals")
    #: A follow-up is needed, by this date (centre's calendar).
    follow_up_needed: Mapped[bool] = mapped_column(default=False)
    follow_up_due: Mapped[date | None]
    #: Free-text notes, encrypted (Fernet, key from NOTES_KEY); never a name.
    notes_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    #: When written and last changed (UTC).
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    topics: Mapped[list[Topic]] = relationship(secondary=contact_topics, order_by=Topic.id)
