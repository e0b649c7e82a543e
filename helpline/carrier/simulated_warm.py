"""Warm transfer on the simulated carrier: what Twilio's conference Participants resource does
when the line holds the caller (hold music), rings a colleague's browser into the conference,
takes the colleague out again, or hands the call over to them.

The caller's leg shows "On hold, music" on the simulator page while held.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from helpline.carrier.control import CarrierError, colleague_label
from helpline.carrier.supervision import SimulatedSupervisorLeg, conversation_of, labelled_leg

if TYPE_CHECKING:
    from helpline.carrier.simulated import SimulatedCall


class SimulatedColleagueLeg(SimulatedSupervisorLeg):
    """A colleague's browser leg in a warm transfer, placed straight into the conference."""

    role = "colleague"

    def __init__(self, *, identity: str, **kwargs) -> None:
        super().__init__(identity=identity, **kwargs)
        self.label = colleague_label(identity)


class SimulatedWarmTransfer:
    """Mixed into ``SimulatedCarrierControl`` (which gives ``_carrier``, ``_caller``)."""

    def hold_caller(self, call_id: str, on: bool) -> None:
        caller = self._caller(call_id, "put the caller on hold" if on else "take the caller off hold")
        conversation_of(caller)
        if not self._carrier.conferences.update(caller, hold=on):
            raise CarrierError("the caller is not in a conversation with a psychologist")
        caller.record_event("conference", "On hold, music" if on else "Off hold: back in the conversation")

    def add_colleague(self, call_id: str, identity: str) -> None:
        if not self._carrier.colleagues_answer:       # her browser rings; nobody picks up
            caller = self._caller(call_id, "bring the colleague in")
            caller.record_event("conference", "Colleague rung, no answer")
            return
        self._bring_in(call_id, "colleague", SimulatedColleagueLeg, identity, "join")

    def remove_colleague(self, call_id: str, identity: str) -> None:
        leg = self.colleague_leg(self._caller(call_id, "take the colleague off the call"), identity)
        if leg is not None:
            leg.leave()

    def hand_over(self, call_id: str, identity: str) -> None:
        caller = self._caller(call_id, "hand the caller over")
        view = conversation_of(caller)
        colleague = self.colleague_leg(caller, identity)
        if colleague is None:
            raise CarrierError("the colleague is no longer on the line")
        books = self._carrier.conferences
        books.update(colleague, end_on_exit=True)
        if (first := self._first(view)) is not None:
            books.update(first, end_on_exit=False)
        books.update(caller, hold=False)
        caller.record_event("conference", "Off hold: handed over to another psychologist")

    def let_first_go(self, call_id: str) -> None:
        caller = self._caller(call_id, "let the first psychologist go")
        first = self._first(conversation_of(caller))
        if first is not None:
            first.terminate()

    def _first(self, view):
        found = (p.handle for p in view.participants if p.role == "psychologist")
        return next((self._carrier.get(handle) for handle in found), None)

    def colleague_leg(self, caller: SimulatedCall, identity: str) -> SimulatedSupervisorLeg | None:
        return labelled_leg(self._carrier.get, caller, colleague_label(identity))
