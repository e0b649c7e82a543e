"""Routing: which waiting call rings which psychologist. Pure: no Flask, no database.

Rules, in order:
- urgent calls before the others, then by arrival;
- a call rings one available psychologist who speaks its language, the one idle longest;
- its own centre's psychologists first; once the caller has waited the centre's maximum wait,
  psychologists of other centres too (national backup);
- someone who declined or missed this call is tried again only when nobody else can take it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Candidate:
    user_id: int
    centre_id: int | None
    languages: frozenset[str]
    idle_since: datetime


@dataclass(frozen=True)
class WaitingCall:
    call_id: str
    centre_id: int | None
    language: str | None
    is_urgent: bool
    queued_at: datetime
    #: Seconds after which other centres may take it (the centre's maximum wait).
    overflow_after_seconds: int
    #: People who declined or missed this call already.
    tried: frozenset[int] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Assignment:
    call_id: str
    user_id: int
    is_backup: bool


def speaks(candidate: Candidate, call: WaitingCall) -> bool:
    return call.language is None or call.language in candidate.languages


def may_take(candidate: Candidate, call: WaitingCall, now: datetime) -> tuple[bool, bool]:
    """(may take the call, as national backup)."""
    if not speaks(candidate, call):
        return False, False
    if candidate.centre_id == call.centre_id:
        return True, False
    waited = (now - call.queued_at).total_seconds()
    if waited >= call.overflow_after_seconds:
        return True, True
    return False, False


def assign(calls: Sequence[WaitingCall], candidates: Sequence[Candidate],
           now: datetime) -> list[Assignment]:
    """Offers to make now: at most one per call and one per candidate."""
    free = sorted(candidates, key=lambda c: (c.idle_since, c.user_id))
    taken: set[int] = set()
    result: list[Assignment] = []
    for call in sorted(calls, key=lambda c: (not c.is_urgent, c.queued_at, c.call_id)):
        eligible = []
        for candidate in free:
            if candidate.user_id in taken:
                continue
            ok, backup = may_take(candidate, call, now)
            if ok:
                eligible.append((candidate.user_id in call.tried, backup, candidate))
        if not eligible:
            continue
        # not yet tried first, own centre before backup, then longest idle (list order)
        _tried, backup, chosen = min(eligible, key=lambda e: (e[0], e[1]))
        taken.add(chosen.user_id)
        result.append(Assignment(call.call_id, chosen.user_id, backup))
    return result


# ---------------------------------------------------------------- why a call is not offered

#: Reason codes, in the order they are checked (the first that applies is given).
REASONS = ("on_call", "wrap_up", "break", "offline", "console_away", "not_on_duty",
           "ringing_other", "language", "other_centre", "ringing_elsewhere", "tried")


@dataclass(frozen=True)
class Standing:
    """What routing knows of one person at an instant, besides her skills."""

    candidate: Candidate
    #: Presence state: available, on_call, wrap_up, break or offline.
    state: str
    #: Her console is connected and was heard from recently.
    is_present: bool
    #: The rota lets her receive calls now.
    is_on_duty: bool
    #: The call ringing for her now, if any.
    ringing_call_id: str | None = None


def why_not_offered(person: Standing, call: WaitingCall, now: datetime,
                    ringing_elsewhere: bool = False) -> str:
    """Why ``call`` is not ringing for ``person`` now, as a code from ``REASONS``; empty when it
    is ringing for her, or she is who ``assign`` would choose for it (``tried`` is said even when
    she would be tried again because nobody else can take it)."""
    if person.state != "available":
        return person.state if person.state in REASONS else "offline"
    if person.ringing_call_id == call.call_id:     # routed, or handed to her by a supervisor
        return ""
    if not person.is_present:
        return "console_away"
    if not person.is_on_duty:
        return "not_on_duty"
    if person.ringing_call_id is not None:
        return "ringing_other"
    if not speaks(person.candidate, call):
        return "language"
    if not may_take(person.candidate, call, now)[0]:
        return "other_centre"
    if ringing_elsewhere:
        return "ringing_elsewhere"
    if person.candidate.user_id in call.tried:
        return "tried"
    return ""
