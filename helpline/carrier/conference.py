"""The simulated carrier's conferences, run as Twilio runs them.

``<Dial><Conference>name</Conference></Dial>`` puts a leg into the conference of that name (made
on first use).  The first participant that names a ``statusCallback`` sets it for the
conference; events listed in its ``statusCallbackEvent`` (``join leave start end``) are posted
there, signed, with Twilio's parameters.  When a participant with ``endConferenceOnExit="true"``
leaves (hang-up or REST redirect), or the last one leaves, the conference ends: everyone else
leaves too and their ``<Dial>`` ends.

The book only decides and reports; each leg's own thread posts the callbacks (never while a
lock is held), so a webhook handler that redirects a call cannot deadlock the carrier.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from helpline.carrier.simulated import SimulatedCall

#: statusCallbackEvent words, and the StatusCallbackEvent values they subscribe to.
EVENT_WORDS = {"participant-join": "join", "participant-leave": "leave",
               "conference-start": "start", "conference-end": "end"}


@dataclass(frozen=True)
class ParticipantSpec:
    """The ``<Conference>`` noun's attributes for one participant."""

    end_on_exit: bool = False
    start_on_enter: bool = True
    muted: bool = False
    status_callback: str | None = None
    callback_events: frozenset[str] = frozenset()
    #: Heard only by the participant whose call is ``coach_of`` (a supervisor coaching).
    coaching: bool = False
    coach_of: str | None = None
    label: str | None = None
    #: On hold: hears the hold music, neither heard nor hearing (a warm transfer's caller).
    hold: bool = False


@dataclass(frozen=True)
class ParticipantView:
    """One participant, for tests and the simulator page (the page gets ``role`` only)."""

    role: str
    handle: str
    call_sid: str
    end_conference_on_exit: bool
    muted: bool
    coaching: bool = False
    coach_of: str | None = None
    hold: bool = False

    @property
    def mode(self) -> str:
        """``on_hold`` (hearing the music), ``listening`` (muted), ``coaching`` (heard by one),
        or "" (heard by all)."""
        if self.hold:
            return "on_hold"
        return "listening" if self.muted else "coaching" if self.coaching else ""

    def heard_by(self, other: ParticipantView) -> bool:
        return (other is not self and not self.muted and not self.hold and not other.hold
                and (not self.coaching or other.call_sid == self.coach_of))


@dataclass(frozen=True)
class ConferenceView:
    name: str
    sid: str
    started: bool
    participants: tuple[ParticipantView, ...]

    @property
    def roles(self) -> list[str]:
        return [p.role for p in self.participants]

    def hears(self, handle: str) -> list[str]:
        """The roles the participant ``handle`` hears (a muted listener and a coach to someone
        else are not heard)."""
        me = next((p for p in self.participants if p.handle == handle), None)
        return [p.role for p in self.participants if me is not None and p.heard_by(me)]


@dataclass(frozen=True)
class Callback:
    """A conference status callback to post: where, and the form."""

    url: str
    params: dict[str, str]


@dataclass
class _Member:
    call: SimulatedCall
    spec: ParticipantSpec


@dataclass
class _Conference:
    name: str
    account: str
    sid: str = field(default_factory=lambda: "CF" + secrets.token_hex(16))
    members: list[_Member] = field(default_factory=list)
    started: bool = False
    sequence: int = 0
    callback: str | None = None
    events: frozenset[str] = frozenset()

    def view(self) -> ConferenceView:
        return ConferenceView(self.name, self.sid, self.started, tuple(
            ParticipantView(m.call.role, m.call.handle, m.call.sid, m.spec.end_on_exit, m.spec.muted,
                            m.spec.coaching, m.spec.coach_of, m.spec.hold)
            for m in self.members))


@dataclass
class Change:
    """What a join or a leave did: the callbacks to post, the other legs that were in the
    conference, and the legs that the conference's end put out."""

    callbacks: list[Callback] = field(default_factory=list)
    others: list[SimulatedCall] = field(default_factory=list)
    put_out: list[SimulatedCall] = field(default_factory=list)
    #: The leg was in a conference (a leave finds nothing once the conference's end put it out).
    was_in: bool = False


class ConferenceBook:
    """The carrier's conferences by name (one live conference per name, as Twilio's)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rooms: dict[str, _Conference] = {}

    # ------------------------------------------------------------ reading

    def get(self, name: str) -> ConferenceView | None:
        with self._lock:
            room = self._rooms.get(name)
            return room.view() if room else None

    def of(self, call: SimulatedCall) -> ConferenceView | None:
        """The conference ``call`` is in, if any."""
        with self._lock:
            room = self._room_of(call)
            return room.view() if room else None

    def names(self) -> list[str]:
        with self._lock:
            return list(self._rooms)

    # ------------------------------------------------------------ changes

    def join(self, call: SimulatedCall, name: str, spec: ParticipantSpec, account: str) -> Change:
        """Put ``call`` into conference ``name``."""
        with self._lock:
            room = self._rooms.get(name)
            if room is None:
                room = self._rooms[name] = _Conference(name=name, account=account)
            if room.callback is None and spec.status_callback:
                room.callback, room.events = spec.status_callback, spec.callback_events
            change = Change(others=[m.call for m in room.members], was_in=True)
            member = _Member(call, spec)
            room.members.append(member)
            change.callbacks.append(self._callback(room, "participant-join", member))
            if not room.started and spec.start_on_enter:
                room.started = True
                change.callbacks.append(self._callback(room, "conference-start"))
            change.callbacks = [c for c in change.callbacks if c is not None]
            return change

    def update(self, call: SimulatedCall, **changes) -> bool:
        """Change a participant (Twilio: update the Participant: ``muted``, ``coaching``,
        ``coach_of``, ``hold``, ``end_on_exit``); False if not in one."""
        with self._lock:
            room = self._room_of(call)
            if room is None:
                return False
            member = next(m for m in room.members if m.call is call)
            member.spec = replace(member.spec, **changes)
            return True

    def leave(self, call: SimulatedCall) -> Change:
        """Take ``call`` out of its conference; ends the conference if it must."""
        departure = Change()
        with self._lock:
            room = self._room_of(call)
            if room is None:
                return departure
            member = next(m for m in room.members if m.call is call)
            room.members.remove(member)
            departure.was_in = True
            departure.others = [m.call for m in room.members]
            departure.callbacks.append(self._callback(room, "participant-leave", member))
            if member.spec.end_on_exit or not room.members:
                reason = ("participant-with-end-conference-on-exit-left" if member.spec.end_on_exit
                          else "last-participant-left")
                for other in room.members:
                    departure.callbacks.append(self._callback(room, "participant-leave", other))
                    departure.put_out.append(other.call)
                room.members.clear()
                if room.started:
                    departure.callbacks.append(self._callback(
                        room, "conference-end", ReasonConferenceEnded=reason,
                        CallSidEndingConference=call.sid))
                del self._rooms[room.name]
            departure.callbacks = [c for c in departure.callbacks if c is not None]
            return departure

    # ------------------------------------------------------------ internals

    def _room_of(self, call: SimulatedCall) -> _Conference | None:
        return next((room for room in self._rooms.values()
                     if any(m.call is call for m in room.members)), None)

    def _callback(self, room: _Conference, event: str, member: _Member | None = None,
                  **extra: str) -> Callback | None:
        if room.callback is None or EVENT_WORDS[event] not in room.events:
            return None
        room.sequence += 1
        params = {
            "AccountSid": room.account, "ConferenceSid": room.sid, "FriendlyName": room.name,
            "StatusCallbackEvent": event, "Timestamp": format_datetime(datetime.now(UTC)),
            "SequenceNumber": str(room.sequence),
        }
        if member is not None:
            params.update({
                "CallSid": member.call.sid,
                "EndConferenceOnExit": _word(member.spec.end_on_exit),
                "StartConferenceOnEnter": _word(member.spec.start_on_enter),
                "Muted": _word(member.spec.muted), "Hold": _word(member.spec.hold),
                "Coaching": _word(member.spec.coaching),
            })
            if member.spec.label:
                params["ParticipantLabel"] = member.spec.label
        params.update(extra)
        return Callback(room.callback, params)


def _word(value: bool) -> str:
    return "true" if value else "false"


def truthy(value: str | None, default: bool) -> bool:
    """A TwiML boolean attribute (``true``/``false``), absent = ``default``."""
    if value is None or value == "":
        return default
    return value.strip().lower() == "true"
