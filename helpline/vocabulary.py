"""The product's shared vocabulary: the zone each centre keeps time in, and how a stored UTC
instant becomes the centre's local time and back. Every module asks here instead of naming a
zone itself (times are stored in UTC and shown in the centre's zone)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

#: The zone of a centre that has none recorded (all of Kazakhstan keeps UTC+5).
DEFAULT_ZONE_NAME = "Asia/Almaty"


@lru_cache(maxsize=64)
def zone_named(name: str | None) -> ZoneInfo:
    """The zone called ``name`` (the default zone when none is given)."""
    return ZoneInfo(name or DEFAULT_ZONE_NAME)


def zone_of(centre) -> ZoneInfo:
    """The zone a centre keeps time in; the default zone for no centre (administrators)."""
    return zone_named(getattr(centre, "timezone", None))


DEFAULT_ZONE = zone_named(DEFAULT_ZONE_NAME)


def local(instant: datetime, centre=None) -> datetime:
    """A stored UTC instant in the centre's local time (naive instants are taken as UTC)."""
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    return instant.astimezone(zone_of(centre))


def local_day(instant: datetime, centre=None) -> date:
    """The centre's calendar day at a UTC instant."""
    return local(instant, centre).date()


def to_utc(local_time: datetime, centre=None) -> datetime:
    """A wall-clock time at the centre (naive: taken in the centre's zone) as a UTC instant."""
    if local_time.tzinfo is None:
        local_time = local_time.replace(tzinfo=zone_of(centre))
    return local_time.astimezone(UTC)
