"""Working-day deadlines with holidays and the UTC+5 zone."""

from __future__ import annotations

from datetime import UTC, date, datetime

from helpline.deadlines import add_working_days, due_at

HOLIDAYS = {date(2026, 3, 8), date(2026, 3, 9), date(2026, 3, 21), date(2026, 3, 22), date(2026, 3, 23)}


def test_two_working_days_skip_weekends_and_holidays():
    assert add_working_days(date(2026, 3, 2), 2, HOLIDAYS) == date(2026, 3, 4)     # Mon -> Wed
    assert add_working_days(date(2026, 3, 5), 2, HOLIDAYS) == date(2026, 3, 10)    # Thu -> Tue (Mon 9th off)
    assert add_working_days(date(2026, 3, 20), 2, HOLIDAYS) == date(2026, 3, 25)   # Nauryz


def test_due_is_the_end_of_the_local_day():
    # 20:30 UTC on Monday is already 01:30 on Tuesday in Almaty: counted from Tuesday
    received = datetime(2026, 3, 2, 20, 30, tzinfo=UTC)
    assert due_at(received, False, "Asia/Almaty", HOLIDAYS) == datetime(2026, 3, 5, 19, tzinfo=UTC)
    # an immediate threat is due the same (local) day
    assert due_at(received, True, "Asia/Almaty", HOLIDAYS) == datetime(2026, 3, 3, 19, tzinfo=UTC)


def test_a_request_on_a_saturday_counts_from_the_next_working_days():
    received = datetime(2026, 3, 7, 6, tzinfo=UTC)                    # Saturday
    assert due_at(received, False, "Asia/Almaty", HOLIDAYS) == datetime(2026, 3, 11, 19, tzinfo=UTC)
