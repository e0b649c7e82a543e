"""Supervisors on a call, on the simulated carrier: what Twilio's conference Participants resource
does when the line adds a supervisor's browser to a call's conference (create), changes their
mode (update) and takes them out (delete).

The supervisor's leg is a conference participant with a label and a mode: listening (muted),
coaching (heard only by the psychologist's leg) or joined.  The legs that hear the supervisor are
told on their own event lists, so the simulator page shows what each one hears.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from helpline.carrier.conference import ConferenceView, ParticipantSpec
from helpline.carrier.control import CarrierError, mode_flags, supervisor_label
from helpline.carrier.simulated import SimulatedCall

NOT_IN_CONVERSATION = "the caller is not in a conversation with a psychologist"
WORDS = {"listen": "listening", "coach": "coaching", "join": "joined"}
#: What the legs that hear the supervisor are told when the mode changes.
SWITCHED = {"listen": "The supervisor is now only listening",
            "coach": "The supervisor is now coaching the psychologist",
            "join": "The supervisor joined the conversation"}


class SimulatedSupervisorLeg(SimulatedCall):
    """A supervisor's browser leg, placed by the carrier straight into a conference (no TwiML)."""

    role = "supervisor"
    sends_status_callback = False

    def __init__(self, *, identity: str, find_leg: Callable[[str], SimulatedCall | None], **kwargs) -> None:
        super().__init__(to_number=f"client:{identity}", from_number="client:senim", fallback_url=None,
                         **kwargs)
        self.label = supervisor_label(identity)
        self.mode = ""
        self._find_leg = find_leg

    def enter(self, name: str, mode: str, coachee: str | None) -> None:
        muted, coaching = mode_flags(mode)
        spec = ParticipantSpec(end_on_exit=False, muted=muted, coaching=coaching,
                               coach_of=coachee if coaching else None, label=self.label)
        change = self._conferences.join(self, name, spec, self._account)
        self.status, self.connected, self.mode = "in-progress", True, mode
        self._event("conference", f"The supervisor joined the conversation ({WORDS[mode]})", mode=mode)
        self._tell_hearers("joined")
        self._later(change.callbacks)

    def switch(self, mode: str, coachee: str | None) -> None:
        muted, coaching = mode_flags(mode)
        if not self._conferences.update(self, muted=muted, coaching=coaching,
                                        coach_of=coachee if coaching else None):
            raise CarrierError(NOT_IN_CONVERSATION)
        self.mode = mode
        self._event("conference", SWITCHED[mode], mode=mode)
        self._tell_hearers(SWITCHED[mode])

    def leave(self) -> None:
        self._tell_hearers("left")
        change = self._conferences.leave(self)
        for other in change.put_out:
            other._event("conference", "The conference closed")
            other.put_out()
        self._later(change.callbacks)
        self.put_out()

    def put_out(self) -> None:
        with self._cond:
            self.status, self.connected = "completed", False
            self._event("completed", "")

    def _tell_hearers(self, what: str) -> None:
        """Tell the legs that hear the supervisor: ``joined``, ``left``, or a sentence."""
        view = self.conference
        if view is None:
            return
        me = next(p for p in view.participants if p.handle == self.handle)
        phrase = f"The supervisor {what} the conversation" if what in {"joined", "left"} else what
        for participant in view.participants:
            leg = self._find_leg(participant.handle) if me.heard_by(participant) else None
            if leg is not None:
                leg.record_event("conference", phrase)

    def _later(self, callbacks) -> None:
        """Twilio posts the conference's status callbacks on its own time, not in the request."""
        if callbacks:
            threading.Thread(target=self._notify, args=(callbacks,), name="conference-callbacks",
                             daemon=True).start()


def conversation_of(caller: SimulatedCall | None) -> ConferenceView:
    """The conference the caller is in with a psychologist, or CarrierError."""
    view = caller.conference if caller is not None and not caller.finished else None
    if view is None or "psychologist" not in view.roles:
        raise CarrierError(NOT_IN_CONVERSATION)
    return view


def labelled_leg(find_leg: Callable[[str], SimulatedCall | None], caller: SimulatedCall,
                 label: str) -> SimulatedSupervisorLeg | None:
    """The supervisor's (or colleague's) leg with ``label`` in the caller's conference, if any."""
    view = caller.conference
    for participant in view.participants if view else ():
        leg = find_leg(participant.handle)
        if isinstance(leg, SimulatedSupervisorLeg) and leg.label == label and not leg.finished:
            return leg
    return None


def coachee(view: ConferenceView) -> str | None:
    """The psychologist's leg (its call id), whom a coach is heard by."""
    return next((p.call_sid for p in view.participants if p.role == "psychologist"), None)
