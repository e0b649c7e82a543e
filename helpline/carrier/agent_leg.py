"""The psychologist's leg on the simulated carrier: the same call machinery as a caller's leg,
started at /ivr/agent-join with the join token, with no status callback."""

from __future__ import annotations

import secrets

from helpline.carrier.simulated import SimulatedCall


class SimulatedAgentLeg(SimulatedCall):
    """The psychologist's leg, as Twilio's Voice SDK places it: a client call to the TwiML App,
    whose voice URL is /ivr/agent-join, with the join token as the custom parameter ``join``."""

    role = "psychologist"
    first_path = "/ivr/agent-join"
    sends_status_callback = False

    def __init__(self, *, join_token: str, **kwargs) -> None:
        super().__init__(to_number="", from_number="client:agent", fallback_url=None, **kwargs)
        self._first_params = {"join": join_token}
        self._application = "AP" + secrets.token_hex(16)
        self.dropped = False

    def drop(self) -> None:
        """The psychologist's line drops (network, closed browser): the leg is gone."""
        with self._cond:
            if not self._hung_up:
                self.dropped = True
                self._hung_up = True
                self._event("dropped", "the psychologist's line dropped")
            self._cond.notify_all()

    def _params(self, extra: dict[str, str]) -> dict[str, str]:
        params = super()._params(extra)
        params.update({"ApplicationSid": self._application, "ToCountry": "", "FromCountry": ""})
        return params
