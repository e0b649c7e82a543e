"""Deadlines of requests (rule 16): two working days, or the same day for an immediate threat
to a minor's life or health. Pure: dates and zones in, instants out."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from helpline.vocabulary import zone_named

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
    tz = zone_named(zone)
    received_day = received_at.astimezone(tz).date()
    last_day = received_day if immediate_threat else add_working_days(
        received_day, WORKING_DAYS_TO_DEAL, holidays)
    return datetime.combine(last_day + timedelta(days=1), time(0), tz).astimezone(received_at.tzinfo)


def due_by(due_at: datetime, now: datetime, zone: str) -> dict:
    """How a deadline at a day's end reads: "by 23:59 today", "tomorrow" or on a date, in the
    centre's zone (a deadline of 00:00 is the last minute of the day before, never "00:00");
    ``day`` is ``overdue`` once it has passed."""
    tz = zone_named(zone)
    last = (due_at - timedelta(minutes=1)).astimezone(tz)
    today = now.astimezone(tz).date()
    if due_at <= now:
        day = "overdue"
    elif last.date() == today:
        day = "today"
    elif last.date() == today + timedelta(days=1):
        day = "tomorrow"
    else:
        day = "date"
    return {"day": day, "time": last.strftime("%H:%M"), "date": last.date().isoformat()}
