"""Routing with an injected clock: longest idle, urgency, language, overflow, retries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from helpline.routing import Assignment, Candidate, WaitingCall, assign

NOW = datetime(2026, 3, 2, 22, 30, tzinfo=UTC)


def agent(user_id, centre=1, languages=("kk", "ru"), idle_minutes=1):
    return Candidate(user_id, centre, frozenset(languages), NOW - timedelta(minutes=idle_minutes))


def call(call_id, centre=1, language="ru", urgent=False, waited=10, overflow=300, tried=()):
    return WaitingCall(call_id, centre, language, urgent, NOW - timedelta(seconds=waited), overflow,
                       frozenset(tried))


def test_the_longest_idle_agent_gets_the_call():
    result = assign([call("a")], [agent(1, idle_minutes=2), agent(2, idle_minutes=9),
                                  agent(3, idle_minutes=5)], NOW)
    assert result == [Assignment("a", 2, False)]


def test_urgent_calls_are_offered_first_even_if_they_came_later():
    calls = [call("early", waited=120), call("urgent", urgent=True, waited=5)]
    result = assign(calls, [agent(1)], NOW)
    assert result == [Assignment("urgent", 1, False)]


def test_calls_are_offered_in_arrival_order_to_agents_in_idle_order():
    calls = [call("second", waited=30), call("first", waited=60)]
    result = assign(calls, [agent(1, idle_minutes=1), agent(2, idle_minutes=3)], NOW)
    assert result == [Assignment("first", 2, False), Assignment("second", 1, False)]


def test_only_agents_who_speak_the_language_are_offered():
    result = assign([call("a", language="en")], [agent(1, languages=("kk",)),
                                                 agent(2, languages=("ru", "en"), idle_minutes=0)], NOW)
    assert result == [Assignment("a", 2, False)]
    assert assign([call("b", language="en")], [agent(1, languages=("kk",))], NOW) == []


def test_other_centres_take_the_call_only_after_the_centres_maximum_wait():
    other = agent(7, centre=2)
    assert assign([call("a", waited=299)], [other], NOW) == []
    assert assign([call("a", waited=300)], [other], NOW) == [Assignment("a", 7, True)]


def test_own_centre_is_preferred_to_backup_even_when_overflowing():
    result = assign([call("a", waited=400)], [agent(7, centre=2, idle_minutes=30), agent(1)], NOW)
    assert result == [Assignment("a", 1, False)]


def test_someone_who_declined_is_tried_again_only_when_nobody_else_can():
    result = assign([call("a", tried={1})], [agent(1, idle_minutes=9), agent(2)], NOW)
    assert result == [Assignment("a", 2, False)]
    assert assign([call("a", tried={1})], [agent(1)], NOW) == [Assignment("a", 1, False)]


def test_one_offer_per_agent_and_per_call():
    result = assign([call("a", waited=50), call("b", waited=40), call("c", waited=30)],
                    [agent(1), agent(2, idle_minutes=2)], NOW)
    assert [r.call_id for r in result] == ["a", "b"]
    assert len({r.user_id for r in result}) == 2


def test_midnight_and_calls_without_a_language():
    late = NOW.replace(hour=23, minute=59, second=59)
    result = assign([call("a", language=None)], [agent(1, languages=("en",))], late)
    assert result == [Assignment("a", 1, False)]

