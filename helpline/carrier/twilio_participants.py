"""Supervisors on a call, over Twilio's REST API: the conference Participants resource.

The call's conference is named by the caller's leg token; it is found by that name among the
conferences in progress.  A supervisor joins as a participant dialled to their browser (the Voice
SDK's ``client:<identity>``), labelled so the mode can be changed (update) and the supervisor
taken out (delete) by label; coaching names the psychologist's leg (``CallSidToCoach``), the
participant that is neither the caller nor a supervisor.  No SID is ever logged or put in a
message here (``TwilioCarrierControl._retrying``).
"""

from __future__ import annotations

from helpline.carrier.control import (
    COLLEAGUE_LABEL,
    SUPERVISOR_LABEL,
    CarrierError,
    colleague_label,
    mode_flags,
    supervisor_label,
)

NOT_IN_CONVERSATION = "the caller is not in a conversation with a psychologist"
#: Who the supervisor's browser sees calling: the line itself.
LINE_IDENTITY = "client:senim"


class CallGone(Exception):
    """Twilio answered that the call does not exist or has ended (raised by the REST retries)."""


class _Gone(Exception):
    pass


class ConferenceParticipants:
    """Mixed into ``TwilioCarrierControl`` (which gives ``_client``, ``_live_leg``, ``_retrying``,
    ``_base`` and ``_ring_seconds``)."""

    def add_supervisor(self, call_id: str, identity: str, mode: str) -> None:
        leg, conference = self._conversation(call_id)
        muted, coaching = mode_flags(mode)
        values = {"from_": LINE_IDENTITY, "to": f"client:{identity}", "label": supervisor_label(identity),
                  "muted": muted, "beep": "false", "end_conference_on_exit": False}
        if coaching:
            values.update(coaching=True, call_sid_to_coach=self._coachee(leg, conference))
        self._participants("add the supervisor",
                           lambda: self._client.conferences(conference).participants.create(**values))

    def set_supervisor_mode(self, call_id: str, identity: str, mode: str) -> None:
        leg, conference = self._conversation(call_id)
        muted, coaching = mode_flags(mode)
        values: dict[str, object] = {"muted": muted, "coaching": coaching}
        if coaching:
            values["call_sid_to_coach"] = self._coachee(leg, conference)
        label = supervisor_label(identity)
        self._participants("change the supervisor's mode",
                           lambda: self._client.conferences(conference).participants(label).update(**values))

    def remove_supervisor(self, call_id: str, identity: str) -> None:
        self._take_out(call_id, supervisor_label(identity), "take the supervisor off the call")

    def hold_caller(self, call_id: str, on: bool) -> None:
        """The caller's participant on hold (the hold music, as in the queue) or off hold."""
        leg, conference = self._conversation(call_id)
        values: dict[str, object] = {"hold": on}
        if on:
            values.update(hold_url=f"{self._base.rstrip('/')}/static/audio/hold.wav", hold_method="GET")
        self._participants("put the caller on hold" if on else "release the caller from hold",
                           lambda: self._client.conferences(conference).participants(leg.call_sid)
                           .update(**values))

    def add_colleague(self, call_id: str, identity: str) -> None:
        """Ring the colleague's browser into the conference; her leg's answer and end come back
        signed to ``/ivr/consult/status`` (named by the caller's leg token, never a SID), so a
        colleague who does not answer, is busy or fails gives the caller back at once."""
        leg, conference = self._conversation(call_id)
        values = {"from_": LINE_IDENTITY, "to": f"client:{identity}", "label": colleague_label(identity),
                  "beep": "false", "end_conference_on_exit": False, "timeout": self._ring_seconds,
                  "status_callback": f"{self._base.rstrip('/')}/ivr/consult/status?leg={leg.leg}"
                                     f"&label={colleague_label(identity)}",
                  "status_callback_method": "POST", "status_callback_event": ["answered", "completed"]}
        self._participants("bring the colleague in",
                           lambda: self._client.conferences(conference).participants.create(**values))

    def remove_colleague(self, call_id: str, identity: str) -> None:
        self._take_out(call_id, colleague_label(identity), "take the colleague off the call")

    def hand_over(self, call_id: str, identity: str) -> None:
        """The colleague's leg now ends the conference, the first psychologist's no longer does
        (``let_first_go`` then takes her out), and the caller comes off hold."""
        leg, conference = self._conversation(call_id)
        room = self._client.conferences(conference).participants
        first = self._coachee(leg, conference)
        self._participants("hand the caller over",
                           lambda: room(colleague_label(identity)).update(end_conference_on_exit=True))
        self._participants("hand the caller over", lambda: room(first).update(end_conference_on_exit=False))
        self._participants("release the caller from hold", lambda: room(leg.call_sid).update(hold=False))

    def let_first_go(self, call_id: str) -> None:
        leg, conference = self._conversation(call_id)
        first = self._coachee(leg, conference)
        self._participants("hand the caller over",
                           lambda: self._client.conferences(conference).participants(first).delete())

    # ------------------------------------------------------------ internals

    def _take_out(self, call_id: str, label: str, what: str) -> None:
        try:
            _leg, conference = self._conversation(call_id)
        except CarrierError:
            return                      # the conversation is over: nobody is on it any more
        try:
            room = self._client.conferences(conference).participants
            self._participants(what, lambda: room(label).delete())
        except _Gone:
            return

    def _conversation(self, call_id: str):
        """The caller's live leg and the SID of its conference in progress, or CarrierError."""
        leg = self._live_leg(call_id)
        if leg is None:
            raise CarrierError("the caller is no longer on the line")
        found = self._participants("find the call's conference", lambda: self._client.conferences.list(
            friendly_name=leg.leg, status="in-progress", limit=1))
        if not found:
            raise CarrierError(NOT_IN_CONVERSATION)
        return leg, found[0].sid

    def _coachee(self, leg, conference: str) -> str:
        people = self._participants("find the psychologist's leg",
                                    lambda: self._client.conferences(conference).participants.list(limit=20))
        for person in people:
            helper = (person.label or "").startswith((SUPERVISOR_LABEL, COLLEAGUE_LABEL))
            if person.call_sid != leg.call_sid and not helper:
                return person.call_sid
        raise CarrierError("the psychologist is not on the call")

    def _participants(self, what: str, action):
        try:
            return self._retrying(what, action)
        except CallGone:
            if what.startswith("take"):
                raise _Gone from None
            raise CarrierError(NOT_IN_CONVERSATION) from None
