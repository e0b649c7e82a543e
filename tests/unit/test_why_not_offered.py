"""Why a waiting call is not ringing for a person, the end of the current shift period, and a
deadline in words: pure functions with fixed instants (UTC+5)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from helpline.deadlines import due_by
from helpline.routing import Candidate, Standing, WaitingCall, assign, why_not_offered
from scheduling.rota import Absence, Span, period_end

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)          # 15:00 in Almaty
ALMATY = ZoneInfo("Asia/Almaty")


def person(state="available", present=True, on_duty=True, ringing=None, centre=2,
           languages=("kk", "ru")):
    return Standing(Candidate(7, centre, frozenset(languages), NOW - timedelta(minutes=5)), state,
                    present, on_duty, ringing)


CALL = WaitingCall("c1", 2, "ru", False, NOW - timedelta(seconds=40), 300)


@pytest.mark.parametrize(("who", "call", "ringing_elsewhere", "reason"), [
    (person(), CALL, False, ""),
    (person(ringing="c1"), CALL, False, ""),
    (person(ringing="c1", on_duty=False), CALL, False, ""),      # handed to her by a supervisor
    (person(state="on_call"), CALL, False, "on_call"),
    (person(state="wrap_up"), CALL, False, "wrap_up"),
    (person(state="break"), CALL, False, "break"),
    (person(state="offline"), CALL, False, "offline"),
    (person(present=False), CALL, False, "console_away"),
    (person(on_duty=False), CALL, False, "not_on_duty"),
    (person(ringing="c2"), CALL, False, "ringing_other"),
    (person(languages=("kk",)), CALL, False, "language"),
    (person(centre=1), CALL, False, "other_centre"),
    (person(), CALL, True, "ringing_elsewhere"),
    (person(), WaitingCall("c1", 2, "ru", False, NOW, 300, frozenset({7})), False, "tried"),
    # past the centre's maximum wait, another centre's psychologist may take it
    (person(centre=1), WaitingCall("c1", 2, "ru", False, NOW - timedelta(seconds=301), 300), False, ""),
])
def test_the_reason_a_call_is_not_ringing_for_a_person(who, call, ringing_elsewhere, reason):
    assert why_not_offered(who, call, NOW, ringing_elsewhere) == reason


def test_an_empty_reason_means_routing_would_offer_her_the_call():
    who = person()
    assert why_not_offered(who, CALL, NOW) == ""
    assert [a.user_id for a in assign([CALL], [who.candidate], NOW)] == [7]


def test_the_period_ends_with_the_shifts_running_now_or_at_the_next_slot_boundary():
    running = Span(1, "line", NOW - timedelta(hours=2), NOW + timedelta(hours=3))
    longer = Span(2, "line", NOW - timedelta(hours=1), NOW + timedelta(hours=6))
    supervisor = Span(3, "supervisor", NOW, NOW + timedelta(hours=9))
    assert period_end([running, longer, supervisor], [], NOW, ALMATY) == NOW + timedelta(hours=6)
    # person 2 on leave: only person 1's shift runs now
    assert period_end([running, longer], [Absence(2, NOW - timedelta(days=1), NOW + timedelta(days=1))],
                      NOW, ALMATY) == NOW + timedelta(hours=3)
    # nobody on duty at 15:00 local: the 08:00-16:00 slot ends at 16:00 local (11:00 UTC)
    assert period_end([], [], NOW, ALMATY) == datetime(2026, 3, 2, 11, 0, tzinfo=UTC)
    # at 23:30 local the next boundary is midnight, at 07:00 it is 08:00
    assert period_end([], [], datetime(2026, 3, 2, 18, 30, tzinfo=UTC), ALMATY) == datetime(
        2026, 3, 2, 19, 0, tzinfo=UTC)
    assert period_end([], [], datetime(2026, 3, 2, 2, 0, tzinfo=UTC), ALMATY) == datetime(
        2026, 3, 2, 3, 0, tzinfo=UTC)


def test_a_deadline_at_midnight_reads_as_the_last_minute_of_the_day_never_as_00_00():
    midnight = datetime(2026, 3, 2, 19, 0, tzinfo=UTC)          # 00:00 on 3 March in Almaty
    assert due_by(midnight, NOW, "Asia/Almaty") == {"day": "today", "time": "23:59",
                                                    "date": "2026-03-02"}
    # just after midnight UTC, it is still 2 March in Almaty until 19:00 UTC
    assert due_by(midnight, datetime(2026, 3, 2, 18, 59, tzinfo=UTC), "Asia/Almaty")["day"] == "today"
    assert due_by(midnight + timedelta(days=1), NOW, "Asia/Almaty") == {
        "day": "tomorrow", "time": "23:59", "date": "2026-03-03"}
    assert due_by(midnight + timedelta(days=3), NOW, "Asia/Almaty")["day"] == "date"
    assert due_by(midnight, midnight + timedelta(minutes=1), "Asia/Almaty")["day"] == "overdue"
