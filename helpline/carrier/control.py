"""What the product asks of the carrier while a call lasts, whichever carrier it is.

Two implementations: ``TwilioCarrierControl`` (Twilio's REST API, with timeouts and bounded
retries) and ``SimulatedCarrierControl`` (the built-in simulated carrier, with fault switches to
show each recovery).  Both find the carrier's call id and the leg token through the live-call
store, so the callers of this interface only ever hold the register's call id.
"""

from __future__ import annotations

import enum
import logging
from typing import Protocol

logger = logging.getLogger(__name__)


class CarrierError(Exception):
    """The carrier did not do it (after bounded retries); message safe to log."""


class CallStatus(enum.StrEnum):
    LIVE = "live"            # the carrier says the call is still up
    ENDED = "ended"          # the carrier says it is over (completed, busy, failed, no-answer, canceled)
    LOST = "lost"            # the live-call store does not know this call: nobody can reach it
    UNREACHABLE = "unreachable"  # the carrier (or the live store) did not answer: decide nothing


class CarrierControl(Protocol):
    def redirect(self, call_id: str, path: str) -> None:
        """Send the caller's leg to f"{base_url}{path}?leg={leg}" (Twilio REST:
        POST Calls/{Sid}.json Url=..., Method=POST). Raises CarrierError after bounded retries."""

    def end_call(self, call_id: str) -> bool:
        """Complete the caller's leg (Twilio: Status=completed). False if no live leg. Raises CarrierError."""

    def call_status(self, call_id: str) -> CallStatus:
        """Never raises. Twilio: GET Calls/{Sid}.json; simulated: the simulated call's state."""

    def connect_agent(self, call_id: str, join_token: str) -> None:
        """Bring the psychologist's leg into the call's conference. Twilio: nothing (the browser's
        Voice SDK dials the TwiML App with param join=<token>). Simulated: place a simulated agent
        leg that POSTs /ivr/agent-join (signed, form join=<token>) and follows the TwiML."""

    def add_supervisor(self, call_id: str, identity: str, mode: str) -> None:
        """Bring a supervisor's browser (Voice SDK ``identity``) into the call's conference in
        ``mode`` (``SUPERVISOR_MODES``). Twilio: create a conference Participant. Raises CarrierError."""

    def set_supervisor_mode(self, call_id: str, identity: str, mode: str) -> None:
        """Switch the supervisor's mode (Twilio: update the Participant). Raises CarrierError."""

    def remove_supervisor(self, call_id: str, identity: str) -> None:
        """Take the supervisor out of the call (Twilio: delete the Participant). Raises CarrierError."""

    def hold_caller(self, call_id: str, on: bool) -> None:
        """Put the caller's leg on hold, with music (Twilio: update the Participant Hold, HoldUrl),
        or take it off hold. Raises CarrierError."""

    def add_colleague(self, call_id: str, identity: str) -> None:
        """Ring a colleague's browser into the call's conference (warm transfer). Raises CarrierError."""

    def remove_colleague(self, call_id: str, identity: str) -> None:
        """Take the colleague out of the call (nothing to do once they have gone)."""

    def hand_over(self, call_id: str, identity: str) -> None:
        """The colleague becomes the call's psychologist: their leg now ends the conference on
        exit, the first psychologist's no longer does, the caller comes off hold. Raises CarrierError."""

    def let_first_go(self, call_id: str) -> None:
        """After a hand-over: the first psychologist's leg leaves the conference. Raises CarrierError."""


#: Twilio call statuses, as the REST API reports them, and what they mean for the caller.
TWILIO_STATUSES = {
    "queued": CallStatus.LIVE, "ringing": CallStatus.LIVE, "in-progress": CallStatus.LIVE,
    "completed": CallStatus.ENDED, "busy": CallStatus.ENDED, "failed": CallStatus.ENDED,
    "no-answer": CallStatus.ENDED, "canceled": CallStatus.ENDED,
}


def leg_url(base_url: str, path: str, leg: str) -> str:
    """The webhook URL a redirected leg requests: ``path`` with the leg token added."""
    joiner = "&" if "?" in path else "?"
    return f"{base_url.rstrip('/')}{path}{joiner}leg={leg}"


def live_leg(live, call_id: str):
    """The caller's live leg (with its carrier call id), None when the line does not know it;
    a live-store outage is the carrier action failing, said without the call id."""
    try:
        leg = live.by_call(call_id)
    except Exception as exc:
        raise CarrierError("the live-call store did not answer") from exc
    if leg is None or leg.ended or not leg.call_sid:
        return None
    return leg


def leg_status(live, call_id: str):
    """(the live leg, None) when the carrier must be asked; else (None, the answer already
    known from the live store: LOST, ENDED, or UNREACHABLE when the store did not answer)."""
    try:
        leg = live.by_call(call_id)
    except Exception:  # the live store (Redis) did not answer: decide nothing
        logger.warning("Call status: the live-call store did not answer")
        return None, CallStatus.UNREACHABLE
    if leg is None:
        return None, CallStatus.LOST if getattr(live, "healthy", True) else CallStatus.UNREACHABLE
    if leg.ended or not leg.call_sid:
        return None, CallStatus.ENDED
    return leg, None


#: How a supervisor is on a call: muted (the caller hears nothing), coaching (only the
#: psychologist hears them), or joined (everyone hears everyone).
SUPERVISOR_MODES = ("listen", "coach", "join")
#: Conference participant labels: the supervisor's (with their opaque voice identity).
SUPERVISOR_LABEL = "supervisor-"


#: A colleague brought in for a warm transfer (with their opaque voice identity).
COLLEAGUE_LABEL = "colleague-"


def colleague_label(identity: str) -> str:
    return f"{COLLEAGUE_LABEL}{identity}"


def supervisor_label(identity: str) -> str:
    return f"{SUPERVISOR_LABEL}{identity}"


def mode_flags(mode: str) -> tuple[bool, bool]:
    """(muted, coaching) for a supervisor's mode."""
    if mode not in SUPERVISOR_MODES:
        raise ValueError(f"unknown mode {mode!r}")
    return mode == "listen", mode == "coach"
