"""Deadlines of requests (rule 16): two working days, or the same day for an immediate threat
to a minor's life or health. Pure: dates and zones in, instants out."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WORKING_DAYS_TO_DEAL = 2


def is_working_day(day: date, holidays: Iterable[date]) -> bool:
    return day.weekday() < 5 and day not in set(holidays)


def add_working_days(day: date, count: int, holidays: Iterable[date]) -> date:
    """The ``count``-th working day after ``day`` (``day`` itself not counted)."""
    holidays = set(holidays)
    current = day
    left = count
    while left > 0:
        current += timedelta(days=1)
        if is_working_day(current, holidays):
            left -= 1
    return current


def due_at(received_at: datetime, immediate_threat: bool, zone: str,
           holidays: Iterable[date]) -> datetime:
    """End of the day (local) by which the request must be dealt with, as UTC."""
    tz = ZoneInfo(zone)
    received_day = received_at.astimezone(tz).date()
    last_day = received_day if immediate_threat else add_working_days(
        received_day, WORKING_DAYS_TO_DEAL, holidays)
    return datetime.combine(last_day + timedelta(days=1), time(0), tz).astimezone(received_at.tzinfo)
