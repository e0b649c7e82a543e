"""Each indicator against a table of call sets whose figures are worked out by hand."""

from __future__ import annotations

import pytest

from helpline import indicators
from helpline.indicators import SERVICE_LEVEL_SECONDS, CallFact


def answered(wait: int | None, talk: int | None = 60) -> CallFact:
    return CallFact(queued=True, left_queue=True, answered=True, wait_seconds=wait, talk_seconds=talk)


ABANDONED = CallFact(queued=True, left_queue=True, abandoned_in_queue=True, wait_seconds=30)
SENT_AWAY = CallFact(queued=True, left_queue=True, wait_seconds=45)         # no one available
WAITING = CallFact(queued=True)                                              # still in the queue
IN_MENU = CallFact(queued=False)                                             # never offered

#: (calls, service level, answer rate, abandonment, speed of answer, handling time)
TABLE = [
    ([], None, None, None, None, None),
    ([IN_MENU, IN_MENU], None, None, None, None, None),
    ([WAITING], None, None, None, None, None),                 # a call still waiting is not late yet
    ([answered(0)], 100.0, 100.0, 0.0, 0.0, 60.0),
    ([answered(SERVICE_LEVEL_SECONDS)], 100.0, 100.0, 0.0, 20.0, 60.0),      # on the second: in time
    ([answered(SERVICE_LEVEL_SECONDS + 1)], 0.0, 100.0, 0.0, 21.0, 60.0),
    ([answered(10), ABANDONED], 50.0, 50.0, 50.0, 10.0, 60.0),
    ([answered(10), ABANDONED, WAITING, IN_MENU], 50.0, 50.0, 50.0, 10.0, 60.0),
    ([answered(10), SENT_AWAY], 50.0, 50.0, 0.0, 10.0, 60.0),    # sent away counts against
    ([answered(10, 300), answered(30, 600), ABANDONED, SENT_AWAY, IN_MENU], 25.0, 50.0, 25.0, 20.0, 450.0),
    ([ABANDONED, ABANDONED, ABANDONED], 0.0, 0.0, 100.0, None, None),
    ([answered(5), answered(5), answered(50)], 66.7, 100.0, 0.0, 20.0, 60.0),
    ([answered(None, None)], 100.0, 100.0, 0.0, 0.0, None),     # no wait recorded: answered at once
    ([answered(3, 0), answered(7, 100)], 100.0, 100.0, 0.0, 5.0, 100.0),  # no talk time: not averaged
    # answered but the register has no dequeue time yet: it has left the queue all the same
    ([CallFact(queued=True, answered=True, wait_seconds=4, talk_seconds=20)], 100.0, 100.0, 0.0, 4.0, 20.0),
]


@pytest.mark.parametrize(("calls", "level", "answer", "abandonment", "speed", "handling"), TABLE)
def test_each_indicator_over_a_set_of_calls(calls, level, answer, abandonment, speed, handling):
    t = indicators.tally(calls)
    assert indicators.service_level(t) == level
    assert indicators.answer_rate(t) == answer
    assert indicators.abandonment_rate(t) == abandonment
    assert indicators.average_speed_of_answer(t) == speed
    assert indicators.average_handling_time(t) == handling


def test_the_counts_behind_the_rates():
    t = indicators.tally([answered(10), ABANDONED, WAITING, IN_MENU, SENT_AWAY])
    figures = indicators.all_of(t)
    assert (figures["offered"], figures["answered"], figures["abandoned"]) == (4, 1, 1)


@pytest.mark.parametrize(("row", "fact"), [
    ((None, None, None, None, "abandoned_in_menu", None, None), IN_MENU),
    (("q", None, None, None, None, 12, None), CallFact(queued=True, wait_seconds=12)),
    (("q", "d", "a", "e", "answered", 3, 40), answered(3, 40)),
    (("q", "d", None, "e", "abandoned_in_queue", 30, None), ABANDONED),
    (("q", None, None, "e", "no_one_available", 45, None), SENT_AWAY),   # ended: left the queue
])
def test_a_register_row_as_a_fact(row, fact):
    assert CallFact.of_register(*row) == fact


@pytest.mark.parametrize(("outcome", "kind"), [
    ("answered", "answered"), ("abandoned_in_menu", "abandoned"), ("abandoned_in_queue", "abandoned"),
    ("no_one_available", "no_one_available"), (None, "in_progress"), ("", "in_progress")])
def test_how_reports_group_an_outcome(outcome, kind):
    assert indicators.outcome_kind(outcome) == kind
