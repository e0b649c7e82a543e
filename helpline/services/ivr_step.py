"""What a carrier webhook says (``CarrierCall``) and what the caller hears next (``IvrStep``),
as plain values shared by the call's lifecycle and ``ivr/routes.py``."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from helpline.models import Call

FINAL_STATUSES = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})


@dataclass(frozen=True)
class CarrierCall:
    """What one carrier webhook says, as plain values. ``from_number`` is used only in memory
    (for the optional caller token) and never stored."""

    call_sid: str = ""
    from_number: str | None = None
    to_number: str | None = None
    digits: str | None = None
    call_status: str = ""
    queue_result: str = ""
    queue_time: int = 0
    leg: str = ""
    attempt: int = 1
    #: Menu choices carried in the webhook URL (signed by the carrier), to resume a lost call.
    language: str | None = None
    caller_type: str | None = None
    urgent: bool = False
    #: The language the caller chose, when the next words are for another (a cold transfer to a
    #: centre answering in another language): she is told of the transfer in her own.
    heard: str | None = None
    #: Conference status callbacks: the event and whether the leaving party ends the conference.
    conference_event: str = ""
    #: The conference participant's label (a supervisor's leg is labelled ``supervisor-...``).
    participant_label: str = ""
    #: The agent's join token (``/ivr/agent-join``).
    join_token: str = ""


class Next(enum.StrEnum):
    LANGUAGE_MENU = "language_menu"
    CALLER_TYPE_MENU = "caller_type_menu"
    ENQUEUE = "enqueue"
    HOLD = "hold"
    LEAVE_QUEUE = "leave_queue"
    CONFERENCE = "conference"
    AGENT_CONFERENCE = "agent_conference"
    AGENT_LOST = "agent_lost"
    HELP_AND_HANG_UP = "help_and_hang_up"
    GOODBYE = "goodbye"
    HANG_UP = "hang_up"
    NOTHING = "nothing"


@dataclass(frozen=True)
class IvrStep:
    """What the caller hears next; ``ivr/routes.py`` turns it into TwiML and decides nothing."""

    next: Next
    leg: str = ""
    #: Language to speak; None = each of ``languages`` in turn (before a language is chosen).
    language: str | None = None
    languages: tuple[str, ...] = ("kk", "ru")
    attempt: int = 1
    apologise: bool = False
    greeting: bool = False
    #: Say first that there was a technical problem and the caller keeps their place.
    technical_problem: bool = False
    urgent: bool = False
    caller_type: str | None = None
    queue: str = ""
    position: int = 0
    long_wait: bool = False
    #: Which help prompt (``error``, ``no_one_available``; ``connecting`` while being connected).
    help: str = "error"
    #: A prompt said before the help numbers (``blocked``: the line cannot take this caller).
    preface: str | None = None
    #: The language of the preface, when not ``language`` (the caller's own, on a transfer).
    preface_language: str | None = None



def languages_of(call: Call | None) -> tuple[str, ...]:
    return tuple(call.centre.language_list) if call is not None and call.centre else ("kk", "ru")


def queue_name(call: Call) -> str:
    return f"centre-{call.centre_id or 'national'}"

