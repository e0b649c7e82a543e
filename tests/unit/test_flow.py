"""The IVR's decisions as tables."""

from __future__ import annotations

import pytest

from helpline import call_flow as flow
from helpline.call_flow import Next, QueueStep

LANGS = ("kk", "ru", "en")


@pytest.mark.parametrize(("digits", "attempt", "expected"), [
    ("1", 1, (Next.GO_ON, "kk", False, "1", False)),
    ("2", 1, (Next.GO_ON, "ru", False, "2", False)),
    ("3", 3, (Next.GO_ON, "en", False, "3", False)),
    ("9", 1, (Next.GO_ON, "kk", True, "urgent", False)),
    ("4", 1, (Next.ASK_AGAIN, None, False, "4", True)),
    (None, 1, (Next.ASK_AGAIN, None, False, "none", False)),
    ("", 2, (Next.ASK_AGAIN, None, False, "none", False)),
    ("x1y", 1, (Next.GO_ON, "kk", False, "1", False)),
    ("#", 2, (Next.ASK_AGAIN, None, False, "#", True)),
    (None, 3, (Next.GO_ON, "kk", False, "none>default", False)),
    ("7", 3, (Next.GO_ON, "kk", False, "7>default", False)),
    ("12", 1, (Next.ASK_AGAIN, None, False, "12", True)),
])
def test_choose_language(digits, attempt, expected):
    choice = flow.choose_language(digits, attempt, LANGS, attempts=3)
    assert (choice.next, choice.value, choice.urgent, choice.path_value, choice.apologise) == expected


@pytest.mark.parametrize(("digits", "attempt", "expected"), [
    ("1", 1, (Next.GO_ON, "child", False)),
    ("2", 1, (Next.GO_ON, "parent", False)),
    ("3", 1, (Next.GO_ON, "specialist", False)),
    ("9", 1, (Next.GO_ON, None, True)),
    ("0", 1, (Next.ASK_AGAIN, None, False)),
    (None, 2, (Next.ASK_AGAIN, None, False)),
    (None, 3, (Next.GO_ON, None, False)),
    ("5", 3, (Next.GO_ON, None, False)),
])
def test_choose_caller_type(digits, attempt, expected):
    choice = flow.choose_caller_type(digits, attempt, attempts=3)
    assert (choice.next, choice.value, choice.urgent) == expected


@pytest.mark.parametrize(("waited", "max_wait", "available", "no_agent_wait", "step"), [
    (0, 300, 0, 45, QueueStep.WAIT),
    (44, 300, 0, 45, QueueStep.WAIT),
    (45, 300, 0, 45, QueueStep.GIVE_UP),
    (45, 300, 2, 45, QueueStep.WAIT),
    (299, 300, 1, 45, QueueStep.WAIT),
    (419, 300, 1, 45, QueueStep.WAIT),
    (420, 300, 1, 45, QueueStep.GIVE_UP),
    (30, 30, 0, 45, QueueStep.GIVE_UP),
])
def test_queue_step(waited, max_wait, available, no_agent_wait, step):
    assert flow.queue_step(waited, max_wait, available, no_agent_wait, 120) is step


def test_single_language_centre_has_no_language_menu():
    assert not flow.needs_language_menu(["ru"])
    assert flow.needs_language_menu(["kk", "ru"])
