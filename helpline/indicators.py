"""The line's performance indicators, defined once: pure functions over call facts (no
database). The wallboard, the supervisor's screens, the period report, the monthly report and
the public page all count with these, so two screens never disagree on the same calls.

Definitions (the README's "Indicators" section says the same):

- a call is **offered** when it entered a centre's queue; it has **left the queue** when it was
  answered, the caller hung up while waiting, or the line ended the wait (no one available);
- **service level**: calls answered within ``SERVICE_LEVEL_SECONDS`` of entering the queue,
  over the offered calls that have left the queue (the contact-centre standard "X % of calls
  answered within Y seconds", abandoned calls counted against it; a call still waiting is not
  late yet);
- **answer rate**: answered calls over offered calls that have left the queue;
- **abandonment rate**: calls whose caller hung up while waiting, over the same;
- **average speed of answer**: mean seconds in the queue of the answered calls;
- **average handling time**: mean seconds talking of the answered calls with a talk time
  (the line records no hold or after-call work separately).

Rates are percentages rounded to one decimal; an indicator over no calls is ``None`` (shown as
a dash), never 0.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

#: The "Y seconds" of the service level.
SERVICE_LEVEL_SECONDS = 20


def outcome_kind(outcome: str | None) -> str:
    """How reports group a call's outcome: both kinds of abandoned call are "abandoned"; a
    call not ended yet is "in_progress"."""
    if not outcome:
        return "in_progress"
    return "abandoned" if outcome.startswith("abandoned") else outcome


@dataclass(frozen=True)
class CallFact:
    """What the indicators need of one call (seconds as the register keeps them)."""

    queued: bool
    left_queue: bool = False
    answered: bool = False
    abandoned_in_queue: bool = False
    wait_seconds: int | None = None
    talk_seconds: int | None = None

    @classmethod
    def of_register(cls, queued_at, dequeued_at, answered_at, ended_at, outcome, wait_seconds,
                    talk_seconds) -> CallFact:
        """From a register row's ``REGISTER_COLUMNS``, in that order."""
        return cls(queued=queued_at is not None,
                   left_queue=dequeued_at is not None or ended_at is not None,
                   answered=answered_at is not None, abandoned_in_queue=outcome == "abandoned_in_queue",
                   wait_seconds=wait_seconds, talk_seconds=talk_seconds)


#: The register's columns ``CallFact.of_register`` reads.
REGISTER_COLUMNS = ("queued_at", "dequeued_at", "answered_at", "ended_at", "outcome", "wait_seconds",
                    "talk_seconds")


@dataclass(frozen=True)
class Tally:
    """Sums over a set of calls, from which every indicator is computed."""

    #: Calls that entered the queue, and those of them that have left it.
    offered: int
    left_queue: int
    #: Answered calls; those answered within ``SERVICE_LEVEL_SECONDS``; their seconds waiting.
    answered: int
    answered_in_time: int
    wait_seconds: int
    #: Calls whose caller hung up while waiting.
    abandoned: int
    #: Answered calls with a talk time, and their seconds talking.
    talked: int
    talk_seconds: int


def tally(calls: Iterable[CallFact]) -> Tally:
    sums = dict.fromkeys(Tally.__dataclass_fields__, 0)
    for call in calls:
        if not call.queued:
            continue
        sums["offered"] += 1
        sums["left_queue"] += call.left_queue or call.answered
        sums["abandoned"] += call.abandoned_in_queue
        if call.answered:
            wait = call.wait_seconds or 0
            sums["answered"] += 1
            sums["answered_in_time"] += wait <= SERVICE_LEVEL_SECONDS
            sums["wait_seconds"] += wait
            if call.talk_seconds:
                sums["talked"] += 1
                sums["talk_seconds"] += call.talk_seconds
    return Tally(**sums)


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _mean(total: int, count: int) -> float | None:
    return round(total / count, 1) if count else None


def service_level(t: Tally) -> float | None:
    return _percent(t.answered_in_time, t.left_queue)


def answer_rate(t: Tally) -> float | None:
    return _percent(t.answered, t.left_queue)


def abandonment_rate(t: Tally) -> float | None:
    return _percent(t.abandoned, t.left_queue)


def average_speed_of_answer(t: Tally) -> float | None:
    return _mean(t.wait_seconds, t.answered)


def average_handling_time(t: Tally) -> float | None:
    return _mean(t.talk_seconds, t.talked)


def all_of(t: Tally) -> dict[str, float | int | None]:
    """Every indicator by its report key, with the counts they are computed from."""
    return {"offered": t.offered, "answered": t.answered, "abandoned": t.abandoned,
            "answer_rate": answer_rate(t), "abandonment": abandonment_rate(t),
            "average_speed_of_answer": average_speed_of_answer(t), "service_level": service_level(t),
            "average_handling_time": average_handling_time(t)}
