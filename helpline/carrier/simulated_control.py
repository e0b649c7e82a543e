"""``CarrierControl`` on the simulated carrier: what Twilio's REST API (and the psychologist's
Voice SDK) would do, including failing when the carrier's ``faults.rest_fails`` is on."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from helpline.carrier.control import CallStatus, CarrierError, leg_status, leg_url, live_leg, supervisor_label
from helpline.carrier.simulated_warm import SimulatedWarmTransfer
from helpline.carrier.supervision import SimulatedSupervisorLeg, coachee, conversation_of, labelled_leg

if TYPE_CHECKING:
    from helpline.carrier import SimulatedCarrier
    from helpline.carrier.simulated import SimulatedCall

logger = logging.getLogger(__name__)

GONE_MESSAGE = "the caller is no longer on the line"
REST_FAILS_MESSAGE = "the carrier's REST API did not answer (simulated fault)"


class SimulatedCarrierControl(SimulatedWarmTransfer):
    """Redirects, ends and reads calls on the simulated carrier, as Twilio's REST API would."""

    def __init__(self, carrier: SimulatedCarrier, live, base_url: str) -> None:
        self._carrier = carrier
        self._live = live
        self._base = base_url

    # ------------------------------------------------------------ CarrierControl

    def redirect(self, call_id: str, path: str) -> None:
        leg = self._live_leg(call_id)
        call = self._carrier.by_sid(leg.call_sid) if leg is not None else None
        self._refuse_if_faulty(call, "redirect")
        if leg is None:
            raise CarrierError("the call is not live (no carrier leg is known for it)")
        if call is None or call.finished:
            raise CarrierError(GONE_MESSAGE)
        call.redirect(leg_url(self._base, path, leg.leg))

    def end_call(self, call_id: str) -> bool:
        leg = self._live_leg(call_id)
        call = self._carrier.by_sid(leg.call_sid) if leg is not None else None
        self._refuse_if_faulty(call, "end the call")
        if call is None or call.finished:
            return False
        call.terminate()
        return True

    def call_status(self, call_id: str) -> CallStatus:
        if self._carrier.faults.rest_fails:
            return CallStatus.UNREACHABLE
        leg, known = leg_status(self._live, call_id)
        if known is not None:
            return known
        call = self._carrier.by_sid(leg.call_sid)
        if call is None or call.finished:
            return CallStatus.ENDED       # Twilio would answer 404 or "completed"
        return CallStatus.LIVE

    def connect_agent(self, call_id: str, join_token: str) -> None:
        """Place the psychologist's leg, as the browser's Voice SDK would: it POSTs
        /ivr/agent-join with ``join=<token>`` and follows the TwiML into the conference."""
        self._carrier.place_agent_leg(join_token)

    def add_supervisor(self, call_id: str, identity: str, mode: str) -> None:
        """As Twilio's Participants create: the supervisor's browser is put into the conference."""
        self._bring_in(call_id, "supervisor", SimulatedSupervisorLeg, identity, mode)

    def _bring_in(self, call_id: str, who: str, leg_class, identity: str, mode: str) -> None:
        """Put the browser of ``identity`` (a ``leg_class`` leg) into the caller's conference."""
        caller = self._caller(call_id, f"add the {who}")
        view = conversation_of(caller)
        leg = leg_class(identity=identity, find_leg=self._carrier.get, **self._carrier.leg_kwargs())
        if labelled_leg(self._carrier.get, caller, leg.label) is not None:
            raise CarrierError(f"the {who} is already on this call")
        self._carrier.keep(leg, start=False)
        leg.enter(view.name, mode, coachee(view))

    def set_supervisor_mode(self, call_id: str, identity: str, mode: str) -> None:
        caller = self._caller(call_id, "change the supervisor's mode")
        view = conversation_of(caller)
        leg = self._supervisor(caller, identity)
        if leg is None:
            raise CarrierError("the supervisor is not on this call")
        leg.switch(mode, coachee(view))

    def remove_supervisor(self, call_id: str, identity: str) -> None:
        caller = self._caller(call_id, "take the supervisor off the call")
        leg = self._supervisor(caller, identity)
        if leg is not None:
            leg.leave()

    # ------------------------------------------------------------ internals

    def _caller(self, call_id: str, what: str) -> SimulatedCall:
        leg = self._live_leg(call_id)
        call = self._carrier.by_sid(leg.call_sid) if leg is not None else None
        self._refuse_if_faulty(call, what)
        if call is None or call.finished:
            raise CarrierError(GONE_MESSAGE)
        return call

    def _supervisor(self, caller: SimulatedCall, identity: str) -> SimulatedSupervisorLeg | None:
        return labelled_leg(self._carrier.get, caller, supervisor_label(identity))

    def _live_leg(self, call_id: str):
        return live_leg(self._live, call_id)

    def _refuse_if_faulty(self, call: SimulatedCall | None, what: str) -> None:
        faults = self._carrier.faults
        if not faults.rest_fails and what not in faults.failing:
            return
        if call is not None:
            call.record_event("fault", f"the carrier's REST API failed to {what} (simulated fault)")
        raise CarrierError(REST_FAILS_MESSAGE)
