"""The IVR's decisions, as pure functions: no Flask, no database, no carrier (the call's
lifecycle, ``helpline.services.lifecycle``, asks them; ``ivr`` only speaks the answers).

Rules: a caller is never hung up on for not pressing keys.  A menu is offered up to
``attempts`` times; after that the call goes on with a default.  9 ("a life is in danger right
now") is accepted wherever a caller can press a key.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

URGENT_DIGIT = "9"
CALLER_TYPE_DIGITS = {"1": "child", "2": "parent", "3": "specialist"}


class Next(enum.Enum):
    ASK_AGAIN = "ask_again"
    GO_ON = "go_on"


@dataclass(frozen=True)
class Choice:
    """What to do after a menu answer."""

    next: Next
    #: The value chosen or defaulted (a language code, a caller type or None).
    value: str | None
    #: The caller pressed the urgent key.
    urgent: bool
    #: What the register's menu path notes for this answer.
    path_value: str
    #: Whether the caller should first hear "sorry, I did not catch that".
    apologise: bool = False


def _clean(digits: str | None) -> str:
    return "".join(ch for ch in (digits or "") if ch.isdigit() or ch in "*#")[:8]


def _path_value(raw: str) -> str:
    return raw if raw else "none"


def choose_language(
    digits: str | None, attempt: int, languages: Sequence[str], attempts: int
) -> Choice:
    """Language menu: digit N picks the N-th offered language."""
    pressed = _clean(digits)
    if pressed == URGENT_DIGIT and len(languages) < 9:
        return Choice(Next.GO_ON, languages[0], True, "urgent")
    if pressed.isdigit() and 1 <= int(pressed) <= len(languages):
        return Choice(Next.GO_ON, languages[int(pressed) - 1], False, pressed)
    if attempt < attempts:
        return Choice(Next.ASK_AGAIN, None, False, _path_value(pressed), apologise=bool(pressed))
    return Choice(Next.GO_ON, languages[0], False, f"{_path_value(pressed)}>default")


def choose_caller_type(digits: str | None, attempt: int, attempts: int) -> Choice:
    """Who is calling; 9 means a life is in danger now (caller type left unsaid)."""
    pressed = _clean(digits)
    if pressed == URGENT_DIGIT:
        return Choice(Next.GO_ON, None, True, "urgent")
    if pressed in CALLER_TYPE_DIGITS:
        return Choice(Next.GO_ON, CALLER_TYPE_DIGITS[pressed], False, pressed)
    if attempt < attempts:
        return Choice(Next.ASK_AGAIN, None, False, _path_value(pressed), apologise=bool(pressed))
    return Choice(Next.GO_ON, None, False, f"{_path_value(pressed)}>default")


def needs_language_menu(languages: Sequence[str]) -> bool:
    return len(languages) > 1


class QueueStep(enum.Enum):
    WAIT = "wait"
    GIVE_UP = "give_up"


def may_give_up(waited_seconds: int, max_wait_seconds: int, no_agent_wait_seconds: int) -> bool:
    """Whether ``queue_step`` could stop the wait now, whoever is signed in: before the shorter
    of the two limits it cannot, and nobody needs counting."""
    return waited_seconds >= min(max_wait_seconds, no_agent_wait_seconds)


def queue_step(
    waited_seconds: int, max_wait_seconds: int, agents_available: int, no_agent_wait_seconds: int,
    national_backup_seconds: int = 0,
) -> QueueStep:
    """Keep a caller waiting, or stop and tell them where to get help now.

    With nobody signed in the caller waits only ``no_agent_wait_seconds`` (someone may be
    coming back from a break); otherwise up to the centre's maximum wait, and then for
    ``national_backup_seconds`` more while other centres' psychologists may take the call.
    """
    if agents_available > 0:
        limit = max_wait_seconds + national_backup_seconds
    else:
        limit = min(max_wait_seconds, no_agent_wait_seconds)
    return QueueStep.GIVE_UP if waited_seconds >= limit else QueueStep.WAIT

