"""Resolver and checks with fixed instants: midnight, month ends, UTC+5, leave, overlaps."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from scheduling.rota import (
    LINE,
    SUPERVISOR,
    Absence,
    Gap,
    Rules,
    Span,
    check_working_time,
    find_gaps,
    monthly_sheet,
    night_hours,
    on_duty_at,
)

ALMATY = ZoneInfo("Asia/Almaty")


def local(*args) -> datetime:
    return datetime(*args, tzinfo=ALMATY).astimezone(UTC)


def shift(user, start, hours, duty=LINE, shift_id=None):
    return Span(user, duty, start, start + timedelta(hours=hours), shift_id)


def test_on_duty_across_midnight_in_utc_plus_5():
    night = shift(1, local(2026, 3, 31, 20), 12)            # 20:00 31 Mar -> 08:00 1 Apr local
    assert night.start == datetime(2026, 3, 31, 15, tzinfo=UTC)
    assert on_duty_at([night], [], local(2026, 4, 1, 3)) == {1}
    assert on_duty_at([night], [], local(2026, 4, 1, 8)) == set()      # end excluded
    assert on_duty_at([night], [], local(2026, 3, 31, 20)) == {1}      # start included
    assert on_duty_at([night], [], local(2026, 4, 1, 3), duty=SUPERVISOR) == set()


def test_leave_takes_people_off_duty():
    day = shift(1, local(2026, 3, 2, 8), 12)
    leave = Absence(1, local(2026, 3, 2, 12), local(2026, 3, 3, 0))
    assert on_duty_at([day], [leave], local(2026, 3, 2, 10)) == {1}
    assert on_duty_at([day], [leave], local(2026, 3, 2, 13)) == set()


def test_gaps_below_the_hourly_minimum_and_without_a_supervisor():
    spans = [shift(1, local(2026, 3, 2, 8), 12), shift(2, local(2026, 3, 2, 8), 8),
             shift(9, local(2026, 3, 2, 0), 24, SUPERVISOR)]

    def minimum(at):                                  # 2 by day (08-20 local), 1 at night
        return 2 if 8 <= at.astimezone(ALMATY).hour < 20 else 1

    gaps = find_gaps(spans, [], local(2026, 3, 2, 6), local(2026, 3, 3, 0), minimum)
    assert gaps == [
        Gap(local(2026, 3, 2, 6), local(2026, 3, 2, 8), LINE, 0, 1),
        Gap(local(2026, 3, 2, 16), local(2026, 3, 2, 20), LINE, 1, 2),
        Gap(local(2026, 3, 2, 20), local(2026, 3, 3, 0), LINE, 0, 1),
    ]
    no_supervisor = find_gaps(spans[:2], [], local(2026, 3, 2, 8), local(2026, 3, 2, 9), lambda _: 1)
    assert no_supervisor == [Gap(local(2026, 3, 2, 8), local(2026, 3, 2, 9), SUPERVISOR, 0, 1)]


def test_a_full_day_in_two_twelve_hour_shifts_has_no_gap():
    spans = [shift(1, local(2026, 2, 28, 8), 12), shift(2, local(2026, 2, 28, 20), 12),
             shift(9, local(2026, 2, 28, 8), 24, SUPERVISOR)]
    assert find_gaps(spans, [], local(2026, 2, 28, 8), local(2026, 3, 1, 8), lambda _: 1) == []


def test_working_time_violations():
    spans = [
        shift(1, local(2026, 3, 2, 8), 13, shift_id=1),     # longer than 12 h
        shift(1, local(2026, 3, 2, 21), 4, shift_id=2),     # back to back
        shift(1, local(2026, 3, 3, 8), 8, shift_id=3),      # rest 7 h
        shift(1, local(2026, 3, 3, 12), 2, shift_id=4),     # overlaps
    ]
    kinds = [(v.kind, v.shift_id) for v in check_working_time(spans, [], ALMATY)]
    assert ("shift_too_long", 1) in kinds and ("back_to_back", 2) in kinds
    assert ("short_rest", 3) in kinds and ("overlap", 4) in kinds


def test_weekly_norm_and_monthly_overtime_caps():
    # 5 x 12 h in one ISO week = 60 h: 20 h above the 40-hour norm, over the 12 h monthly cap.
    spans = [shift(1, local(2026, 3, 2 + i, 8), 12) for i in range(5)]
    kinds = {v.kind for v in check_working_time(spans, [], ALMATY)}
    assert kinds == {"weekly_norm", "overtime_month"}
    lawful = [shift(1, local(2026, 3, 2 + 2 * i, 8), 12) for i in range(3)]   # 36 h
    assert check_working_time(lawful, [], ALMATY) == []
    assert check_working_time(spans, [], ALMATY, Rules(weekly_norm_hours=60)) == []


def test_night_hours_are_counted_in_local_time():
    assert night_hours(local(2026, 3, 2, 20), local(2026, 3, 3, 8), ALMATY) == 8
    assert night_hours(local(2026, 3, 2, 8), local(2026, 3, 2, 20), ALMATY) == 0
    assert night_hours(local(2026, 3, 2, 23), local(2026, 3, 3, 1), ALMATY) == 2


def test_monthly_sheet_splits_a_shift_at_the_month_end():
    spans = [shift(1, local(2026, 3, 31, 20), 12),              # 4 h in March, 8 h in April
             shift(1, local(2026, 3, 8, 8), 12)]                # Sunday 8 March: a holiday too
    march = monthly_sheet(spans, [], 2026, 3, ALMATY, holidays=[date(2026, 3, 8)])
    sheet = march[1]
    assert (sheet.total, sheet.night, sheet.shifts) == (16, 2, 2)
    assert sheet.weekend_holiday == 12
    april = monthly_sheet(spans, [], 2026, 4, ALMATY)[1]
    assert (april.total, april.night) == (8, 6)
