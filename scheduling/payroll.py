"""The monthly hours sheet for payroll: each person's hours at a centre in a month (total,
night, weekend and holiday, overtime), from the current shifts and absences."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline.config import Settings
from helpline.holidays import holidays_from
from helpline.models import Centre, User
from helpline.vocabulary import zone_of
from scheduling import rota, service

COLUMNS = ("username", "shifts", "hours", "night_hours", "weekend_holiday_hours", "overtime_hours")


def monthly_hours(session: Session, centre: Centre, year: int, month: int, settings: Settings
                  ) -> list[tuple[str, rota.HoursSheet]]:
    """Each person with shifts at ``centre`` in the month (in the centre's zone), by username.

    Shifts are read from a week before the month (overtime counts whole weeks, and a week
    that starts in the month may end in the next) to well after it."""
    zone = zone_of(centre)
    first = date(year, month, 1)
    start = datetime.combine(first, time(0), zone) - timedelta(days=7)
    end = datetime.combine(first + timedelta(days=40), time(0), zone)
    shifts = service.current_shifts(session, centre.id, start, end)
    people = sorted({s.user_id for s in shifts})
    sheets = rota.monthly_sheet(
        service.spans(shifts), service.absences(session, people, start, end), year, month, zone,
        holidays_from(settings), service.rules_from(settings))
    names = dict(session.execute(select(User.id, User.username).where(User.id.in_(people))).all())
    return sorted(((names[user_id], sheet) for user_id, sheet in sheets.items()),
                  key=lambda row: row[0])


def row(username: str, sheet: rota.HoursSheet) -> list:
    """One person's line of the sheet, in ``COLUMNS`` order."""
    return [username, sheet.shifts, sheet.total, sheet.night, sheet.weekend_holiday, sheet.overtime]
