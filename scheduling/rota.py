"""The rota as pure functions of intervals and an explicit instant: who is on duty, where the
coverage has gaps, and whether a person's hours keep within the Labour Code.

No Flask, no database. Times are aware datetimes in UTC; day, week, night and month limits are
taken in the centre's zone (``Asia/Almaty``, UTC+5).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LINE = "line"
SUPERVISOR = "supervisor"
HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class Span:
    """A shift: ``user_id`` on ``duty`` from ``start`` to ``end`` (UTC)."""

    user_id: int
    duty: str
    start: datetime
    end: datetime
    shift_id: int | None = None

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600


@dataclass(frozen=True)
class Absence:
    """Leave or absence of ``user_id`` from ``start`` to ``end`` (UTC)."""

    user_id: int
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Rules:
    """Working-time limits (Labour Code of Kazakhstan; every one is configuration)."""

    #: Art. 68: normal working time, hours per week.
    weekly_norm_hours: float = 40
    #: Longest single shift, hours.
    max_shift_hours: float = 12
    #: Shortest rest between two shifts of a person, hours (back-to-back is a rest of 0).
    min_rest_hours: float = 12
    #: Art. 77: overtime caps, hours per month and per year (shift work is accounted in sums, so
    #: overtime is the time above the weekly norm).
    overtime_month_hours: float = 12
    overtime_year_hours: float = 120
    #: Night work (art. 79): 22:00 to 06:00 local time.
    night_start: time = time(22)
    night_end: time = time(6)


@dataclass(frozen=True)
class Gap:
    start: datetime
    end: datetime
    duty: str
    have: int
    need: int


@dataclass(frozen=True)
class Violation:
    user_id: int
    kind: str
    detail: str
    at: datetime
    shift_id: int | None = None


def _active(spans: Iterable[Span], absences: Sequence[Absence]) -> list[Span]:
    """Shifts minus the parts covered by the person's leave."""
    away = defaultdict(list)
    for absence in absences:
        away[absence.user_id].append(absence)
    result = []
    for span in spans:
        pieces = [(span.start, span.end)]
        for absence in away.get(span.user_id, ()):
            next_pieces = []
            for start, end in pieces:
                if absence.end <= start or absence.start >= end:
                    next_pieces.append((start, end))
                    continue
                if start < absence.start:
                    next_pieces.append((start, absence.start))
                if absence.end < end:
                    next_pieces.append((absence.end, end))
            pieces = next_pieces
        result += [Span(span.user_id, span.duty, s, e, span.shift_id) for s, e in pieces]
    return result


def on_duty_at(spans: Iterable[Span], absences: Sequence[Absence], instant: datetime,
               duty: str = LINE) -> set[int]:
    """People on ``duty`` at ``instant`` (start included, end excluded), leave taken out."""
    return {s.user_id for s in _active(spans, absences)
            if s.duty == duty and s.start <= instant < s.end}


def find_gaps(spans: Iterable[Span], absences: Sequence[Absence], start: datetime, end: datetime,
              minimum: Callable[[datetime], int], supervisors_needed: int = 1) -> list[Gap]:
    """Stretches of [start, end) with fewer people on line duty than ``minimum`` (asked per
    hour: it may change on the hour) or fewer supervisors on call than needed."""
    active = [s for s in _active(spans, absences) if s.end > start and s.start < end]
    cuts = {start, end}
    for span in active:
        cuts.update(t for t in (span.start, span.end) if start < t < end)
    hour = start.replace(minute=0, second=0, microsecond=0)
    while hour < end:
        if hour > start:
            cuts.add(hour)
        hour += HOUR
    points = sorted(cuts)
    gaps: list[Gap] = []
    open_gap: dict[str, int] = {}                     # duty -> index of its latest gap
    for a, b in zip(points, points[1:], strict=False):
        for duty, need in ((LINE, minimum(a)), (SUPERVISOR, supervisors_needed)):
            have = len({s.user_id for s in active if s.duty == duty and s.start <= a < s.end})
            if have >= need:
                continue
            index = open_gap.get(duty)
            last = gaps[index] if index is not None else None
            if last and last.end == a and (last.have, last.need) == (have, need):
                gaps[index] = Gap(last.start, b, duty, have, need)
            else:
                open_gap[duty] = len(gaps)
                gaps.append(Gap(a, b, duty, have, need))
    return sorted(gaps, key=lambda g: (g.start, g.duty))


def night_hours(start: datetime, end: datetime, zone: ZoneInfo, rules: Rules = Rules()) -> float:
    """Hours of [start, end) falling between 22:00 and 06:00 in ``zone``."""
    total = 0.0
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    day = local_start.date() - timedelta(days=1)
    while day <= local_end.date():
        night_from = datetime.combine(day, rules.night_start, zone)
        night_to = datetime.combine(day + timedelta(days=1), rules.night_end, zone)
        overlap = min(local_end, night_to) - max(local_start, night_from)
        total += max(0.0, overlap.total_seconds() / 3600)
        day += timedelta(days=1)
    return total


def _split_by_day(span: Span, zone: ZoneInfo) -> dict[date, float]:
    hours: dict[date, float] = defaultdict(float)
    cursor = span.start
    while cursor < span.end:
        local = cursor.astimezone(zone)
        midnight = datetime.combine(local.date() + timedelta(days=1), time(0), zone).astimezone(UTC)
        piece_end = min(span.end, midnight)
        hours[local.date()] += (piece_end - cursor).total_seconds() / 3600
        cursor = piece_end
    return hours


def check_working_time(spans: Sequence[Span], absences: Sequence[Absence], zone: ZoneInfo,
                       rules: Rules = Rules()) -> list[Violation]:
    """Every limit a person's shifts break: shift length, rest, weekly norm, overtime caps."""
    violations: list[Violation] = []
    by_user: dict[int, list[Span]] = defaultdict(list)
    for span in _active(spans, absences):
        by_user[span.user_id].append(span)
    for user_id, shifts in by_user.items():
        shifts.sort(key=lambda s: s.start)
        for span in shifts:
            if span.hours > rules.max_shift_hours:
                violations.append(Violation(user_id, "shift_too_long",
                                            f"{span.hours:.1f} h > {rules.max_shift_hours:g} h",
                                            span.start, span.shift_id))
        for before, after in zip(shifts, shifts[1:], strict=False):
            rest = (after.start - before.end).total_seconds() / 3600
            if rest < 0:
                violations.append(Violation(user_id, "overlap", "two shifts at once", after.start,
                                            after.shift_id))
            elif rest == 0:
                violations.append(Violation(user_id, "back_to_back", "no rest between shifts",
                                            after.start, after.shift_id))
            elif rest < rules.min_rest_hours:
                violations.append(Violation(user_id, "short_rest",
                                            f"rest {rest:.1f} h < {rules.min_rest_hours:g} h",
                                            after.start, after.shift_id))
        monthly_overtime: dict[tuple[int, int], float] = defaultdict(float)
        yearly_overtime: dict[int, float] = defaultdict(float)
        for (year, week), hours in sorted(weekly_hours(shifts, zone).items()):
            monday = date.fromisocalendar(year, week, 1)
            at = datetime.combine(monday, time(0), zone).astimezone(UTC)
            over = hours - rules.weekly_norm_hours
            if over > 0:
                violations.append(Violation(user_id, "weekly_norm",
                                            f"week {year}-W{week:02d}: {hours:.1f} h > "
                                            f"{rules.weekly_norm_hours:g} h", at))
                monthly_overtime[(monday.year, monday.month)] += over
                yearly_overtime[monday.year] += over
        for (year, month), over in sorted(monthly_overtime.items()):
            if over > rules.overtime_month_hours:
                at = datetime(year, month, 1, tzinfo=zone).astimezone(UTC)
                violations.append(Violation(user_id, "overtime_month",
                                            f"{year}-{month:02d}: {over:.1f} h overtime > "
                                            f"{rules.overtime_month_hours:g} h", at))
        for year, over in sorted(yearly_overtime.items()):
            if over > rules.overtime_year_hours:
                violations.append(Violation(user_id, "overtime_year", f"{year}: {over:.1f} h "
                                            f"overtime > {rules.overtime_year_hours:g} h",
                                            datetime(year, 1, 1, tzinfo=zone).astimezone(UTC)))
    return sorted(violations, key=lambda v: (v.at, v.user_id, v.kind))


def weekly_hours(shifts: Iterable[Span], zone: ZoneInfo) -> dict[tuple[int, int], float]:
    """Hours per ISO week (local time) of one person's shifts."""
    weekly: dict[tuple[int, int], float] = defaultdict(float)
    for span in shifts:
        for day, hours in _split_by_day(span, zone).items():
            iso = day.isocalendar()
            weekly[(iso.year, iso.week)] += hours
    return weekly


@dataclass
class HoursSheet:
    """A person's month for payroll (art. 79): hours in total, at night, on weekends and
    holidays, and over the weekly norm."""

    user_id: int
    total: float = 0.0
    night: float = 0.0
    weekend_holiday: float = 0.0
    overtime: float = 0.0
    shifts: int = 0
    days: set[date] = field(default_factory=set)


def monthly_sheet(spans: Sequence[Span], absences: Sequence[Absence], year: int, month: int,
                  zone: ZoneInfo, holidays: Iterable[date] = (), rules: Rules = Rules()
                  ) -> dict[int, HoursSheet]:
    first = datetime(year, month, 1, tzinfo=zone)
    after = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=zone)
    holidays = set(holidays)
    sheets: dict[int, HoursSheet] = {}
    active = _active(spans, absences)
    for span in active:
        start, end = max(span.start, first), min(span.end, after)
        if start >= end:
            continue
        sheet = sheets.setdefault(span.user_id, HoursSheet(span.user_id))
        piece = Span(span.user_id, span.duty, start, end)
        sheet.shifts += 1
        sheet.total += piece.hours
        sheet.night += night_hours(start, end, zone, rules)
        for day, hours in _split_by_day(piece, zone).items():
            sheet.days.add(day)
            if day.weekday() >= 5 or day in holidays:
                sheet.weekend_holiday += hours
    by_user: dict[int, list[Span]] = defaultdict(list)
    for span in active:
        by_user[span.user_id].append(span)
    for user_id, sheet in sheets.items():
        for (iso_year, week), hours in weekly_hours(by_user[user_id], zone).items():
            monday = date.fromisocalendar(iso_year, week, 1)
            if (monday.year, monday.month) == (year, month):
                sheet.overtime += max(0.0, hours - rules.weekly_norm_hours)
    for sheet in sheets.values():
        sheet.total, sheet.night = round(sheet.total, 2), round(sheet.night, 2)
        sheet.weekend_holiday, sheet.overtime = round(sheet.weekend_holiday, 2), round(sheet.overtime, 2)
    return sheets


def period_end(spans: Iterable[Span], absences: Sequence[Absence], instant: datetime, zone: ZoneInfo,
               first_hour: int = 8, slot_hours: int = 8) -> datetime:
    """Where the rota's current shift period ends after ``instant``: the latest end of the line
    shifts running now, or, with none, the next boundary of the day's slots (08:00, 16:00,
    00:00 local by default). An ad-hoc duty ends there unless told otherwise."""
    running = [s.end for s in _active(spans, absences)
               if s.duty == LINE and s.start <= instant < s.end]
    if running:
        return max(running)
    local = instant.astimezone(zone)
    boundary = datetime.combine(local.date() - timedelta(days=1), time(first_hour % 24), zone)
    while boundary <= local:
        boundary = (boundary.replace(tzinfo=None) + timedelta(hours=slot_hours)).replace(tzinfo=zone)
    return boundary.astimezone(UTC)
