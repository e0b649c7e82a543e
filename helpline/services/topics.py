"""The topic list of contact records: administrators add topics, and hide or show them (a topic
is never deleted: old records and reports name it)."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline.models import Topic, User
from helpline.services import audit


class TopicError(ValueError):
    """A topic that cannot be added, in words for the administrator."""


def list_topics(session: Session) -> list[Topic]:
    return list(session.scalars(select(Topic).order_by(Topic.id)))


def add_topic(session: Session, code: str, names: dict[str, str], actor: User, now: datetime) -> Topic:
    """A new shown topic under a new code (lower case), with its English, Russian and Kazakh names."""
    code = code.strip().lower()
    if session.scalar(select(Topic.id).where(Topic.code == code)) is not None:
        raise TopicError(_("A topic with this code exists."))
    topic = Topic(code=code, name_en=names["en"], name_ru=names["ru"], name_kk=names["kk"], is_active=True)
    session.add(topic)
    audit.record(session, now, "topic.add", actor, "topic", code)
    return topic


def show_topic(session: Session, topic: Topic, shown: bool, actor: User, now: datetime) -> None:
    """Offer the topic on new records again, or stop offering it (kept for old ones and reports)."""
    topic.is_active = shown
    audit.record(session, now, f"topic.{'show' if shown else 'hide'}", actor, "topic", topic.code)
