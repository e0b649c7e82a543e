"""Centres and their numbers."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline.models import Centre, CentreLine
from helpline.phone import InvalidNumber, normalise

KNOWN_LANGUAGES = ("kk", "ru", "en")


class CentreError(ValueError):
    """Input that cannot make a centre; the message says what to fix."""


@dataclass(frozen=True)
class CentreInput:
    name: str
    region: str
    numbers: Sequence[str]
    timezone: str = "Asia/Almaty"
    languages: Sequence[str] = ("kk", "ru")
    max_wait_seconds: int = 300


def add_centre(session: Session, data: CentreInput, now: datetime) -> Centre:
    """Validate and add a centre with its numbers; raises ``CentreError`` and adds nothing."""
    name = data.name.strip()
    if not name:
        raise CentreError("name: required")
    if not data.region.strip():
        raise CentreError("region: required")
    try:
        ZoneInfo(data.timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise CentreError(f"timezone: unknown zone {data.timezone!r}") from exc
    languages = [code.strip().lower() for code in data.languages if code.strip()]
    unknown = [code for code in languages if code not in KNOWN_LANGUAGES]
    if not languages or unknown:
        raise CentreError(f"languages: choose from {', '.join(KNOWN_LANGUAGES)}")
    if data.max_wait_seconds < 10:
        raise CentreError("max wait: at least 10 seconds")
    numbers = _normalise_all(data.numbers)
    if session.scalar(select(Centre.id).where(Centre.name == name)) is not None:
        raise CentreError(f"name: a centre called {name!r} exists")
    taken = session.scalars(select(CentreLine.number).where(CentreLine.number.in_(numbers))).all()
    if taken:
        raise CentreError(f"numbers: already used by another centre: {', '.join(taken)}")
    centre = Centre(
        name=name,
        region=data.region.strip(),
        timezone=data.timezone,
        languages=",".join(dict.fromkeys(languages)),
        max_wait_seconds=data.max_wait_seconds,
        created_at=now,
        lines=[CentreLine(number=number) for number in numbers],
    )
    session.add(centre)
    session.flush()
    return centre


def _normalise_all(raw_numbers: Iterable[str]) -> list[str]:
    numbers: list[str] = []
    for raw in raw_numbers:
        try:
            numbers.append(normalise(raw))
        except InvalidNumber as exc:
            raise CentreError(f"numbers: {exc}") from exc
    if not numbers:
        raise CentreError("numbers: at least one number is required")
    return list(dict.fromkeys(numbers))


def list_centres(session: Session) -> list[Centre]:
    return list(session.scalars(select(Centre).order_by(Centre.name)))


def find_centre(session: Session, name_or_id: str) -> Centre | None:
    """The centre with this id (all digits) or exact name, or None (an id no row can have, too
    large for the database's integers, finds none rather than failing)."""
    text = name_or_id.strip()
    if text.isdigit():
        return session.get(Centre, int(text)) if int(text) < 2**31 else None
    return session.scalar(select(Centre).where(Centre.name == text))


def centre_for_number(session: Session, number: str | None) -> Centre | None:
    """The centre that owns ``number`` (E.164), or None."""
    if not number:
        return None
    return session.scalar(
        select(Centre).join(CentreLine).where(CentreLine.number == number)
    )


def default_centre(session: Session, default_centre_id: str = "") -> Centre | None:
    """The centre that answers numbers no centre owns: the configured one, else the first."""
    if default_centre_id:
        centre = session.get(Centre, int(default_centre_id))
        if centre is not None:
            return centre
    return session.scalar(select(Centre).order_by(Centre.id).limit(1))
