"""The carrier: Twilio in production, a built-in simulated carrier when no account is set.

``build`` makes the ``CarrierControl`` (``helpline.carrier.control``) the product uses to
redirect, end and check a caller's leg and to bring in the psychologist's leg.  In simulated
mode it also makes the ``SimulatedCarrier``, which the app keeps in ``app.extensions["carrier"]``;
``init_app`` then serves the ``/simulator`` page, whose fault switches show each recovery in
the browser.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from dataclasses import dataclass

from flask import Flask

from helpline.carrier.agent_leg import SimulatedAgentLeg
from helpline.carrier.conference import ConferenceBook, ConferenceView
from helpline.carrier.control import CallStatus, CarrierControl, CarrierError
from helpline.carrier.simulated import CarrierFaults, QueueBook, SimulatedCall
from helpline.carrier.simulated_control import SimulatedCarrierControl
from helpline.carrier.transport import HttpTransport, Transport
from helpline.carrier.twilio_purge import TwilioPurge
from helpline.carrier.twilio_rest import TwilioCarrierControl

logger = logging.getLogger(__name__)

__all__ = [
    "CallStatus", "CarrierControl", "CarrierError", "CarrierFaults", "SimulatedAgentLeg",
    "Carrier", "SimulatedCall", "SimulatedCarrier", "SimulatedCarrierControl", "TwilioCarrierControl",
    "TwilioPurge", "build", "init_app",
]


class SimulatedCarrier:
    """Places simulated inbound calls (and psychologists' legs) toward this app and keeps them
    while they last.

    Fault switches (``faults``), for showing each recovery:

    - ``faults.rest_fails``: the REST API fails (``SimulatedCarrierControl`` raises CarrierError
      on redirect and end_call; call_status is UNREACHABLE);
    - ``faults.no_status_callback``: calls that end do not POST /ivr/status;
    - ``drop_agent(handle)``: the psychologist's leg in that call's conference drops.
    - ``drop_colleague(handle)``: a warm transfer's colleague's leg in that conference drops.
    - ``colleagues_answer = False``: a warm transfer's colleague's browser rings and is never
      answered (no callback either: only the ring timeout gives the caller back).
    """

    KEEP_FINISHED_SECONDS = 3600

    def __init__(self, base_url: str, auth_token: str, speed: float = 1.0,
                 transport: Transport | None = None) -> None:
        self.base_url = base_url
        self._auth_token = auth_token
        self.speed = speed
        self._transport = transport or HttpTransport()
        self._queues = QueueBook()
        self.conferences = ConferenceBook()
        self.faults = CarrierFaults()
        self.colleagues_answer = True
        self.account_sid = "AC" + secrets.token_hex(16)
        self._calls: dict[str, tuple[float, SimulatedCall]] = {}
        self._lock = threading.Lock()

    def dial(self, to_number: str, withheld: bool = False, start: bool = True) -> SimulatedCall:
        """A caller dials ``to_number`` from a random Kazakh mobile (or a withheld number)."""
        caller = "anonymous" if withheld else random_mobile()
        call = SimulatedCall(to_number=to_number, from_number=caller,
                             fallback_url=f"{self.base_url}/ivr/fallback", **self.leg_kwargs())
        return self.keep(call, start)

    def place_agent_leg(self, join_token: str, start: bool = True) -> SimulatedAgentLeg:
        """A psychologist's browser dials the TwiML App with ``join=<token>`` (Voice SDK)."""
        leg = SimulatedAgentLeg(join_token=join_token, **self.leg_kwargs())
        return self.keep(leg, start)

    def get(self, handle: str) -> SimulatedCall | None:
        with self._lock:
            entry = self._calls.get(handle)
        return entry[1] if entry else None

    def by_sid(self, call_sid: str) -> SimulatedCall | None:
        with self._lock:
            return next((c for _, c in self._calls.values() if c.sid == call_sid), None)

    def calls(self) -> list[SimulatedCall]:
        """Every leg the carrier keeps (callers' and psychologists')."""
        with self._lock:
            return [call for _, call in self._calls.values()]

    def conference_of(self, handle: str) -> ConferenceView | None:
        """The conference the call ``handle`` is in now (name, sid, participants), if any."""
        call = self.get(handle)
        return call.conference if call else None

    def agent_legs(self, handle: str) -> list[SimulatedAgentLeg]:
        """The psychologists' legs in the conference of call ``handle``."""
        conference = self.conference_of(handle)
        if conference is None:
            return []
        legs = [self.get(p.handle) for p in conference.participants if p.role == "psychologist"]
        return [leg for leg in legs if isinstance(leg, SimulatedAgentLeg)]

    def drop_agent(self, handle: str) -> bool:
        """The psychologist's line in call ``handle``'s conference drops; False if none is there."""
        legs = self.agent_legs(handle)
        for leg in legs:
            leg.drop()
        return bool(legs)

    def drop_colleague(self, handle: str) -> bool:
        """A warm transfer's colleague's line in call ``handle``'s conference drops."""
        from helpline.carrier.simulated_warm import SimulatedColleagueLeg

        conference = self.conference_of(handle)
        legs = [self.get(p.handle) for p in conference.participants] if conference else []
        legs = [leg for leg in legs if isinstance(leg, SimulatedColleagueLeg) and not leg.finished]
        for leg in legs:
            leg.leave()
        return bool(legs)

    def leg_kwargs(self) -> dict[str, object]:
        return {"base_url": self.base_url, "auth_token": self._auth_token, "transport": self._transport,
                "speed": self.speed, "queues": self._queues, "conferences": self.conferences,
                "faults": self.faults, "account_sid": self.account_sid}

    def keep(self, call, start: bool):
        with self._lock:
            self._purge()
            self._calls[call.handle] = (time.monotonic(), call)
        if start:
            call.start()
        return call

    def _purge(self) -> None:
        cutoff = time.monotonic() - self.KEEP_FINISHED_SECONDS
        for handle, (created, call) in list(self._calls.items()):
            if call.finished and created < cutoff:
                del self._calls[handle]


def random_mobile() -> str:
    """A random, valid Kazakh mobile number (+7 70x ...)."""
    return f"+7701{secrets.randbelow(10**7):07d}"


@dataclass(frozen=True)
class Carrier:
    """What the line drives the voice provider with, built once by the composition root."""

    #: Redirects, ends and checks callers' legs; None in production without Twilio (refused).
    control: CarrierControl | None
    #: Deletes ended calls' records at the voice provider (the real carrier only).
    purge: TwilioPurge | None = None
    #: The built-in carrier, in simulated mode (never in production).
    simulated: SimulatedCarrier | None = None


def build(settings, live) -> Carrier:
    """Twilio when configured; else, outside production, the simulated carrier."""
    if settings.carrier == "twilio":
        if not (settings.twilio_api_key and settings.twilio_api_secret):
            logger.warning("Twilio's REST API is used with the account's auth token: set "
                           "TWILIO_API_KEY and TWILIO_API_SECRET (a key can be revoked on its own)")
        purge = TwilioPurge(
            settings.twilio_account_sid, settings.twilio_auth_token,
            grace_seconds=settings.twilio_purge_grace_seconds, api_key=settings.twilio_api_key,
            api_secret=settings.twilio_api_secret, api_base=settings.twilio_api_base,
            edge=settings.twilio_edge, region=settings.twilio_region,
        )
        return Carrier(TwilioCarrierControl(
            settings.twilio_account_sid, settings.twilio_auth_token, live,
            settings.public_base_url, api_key=settings.twilio_api_key,
            api_secret=settings.twilio_api_secret, api_base=settings.twilio_api_base,
            edge=settings.twilio_edge, region=settings.twilio_region,
            timeout=settings.twilio_timeout_seconds, attempts=settings.twilio_attempts,
            ring_seconds=settings.ring_timeout_seconds,
        ), purge)
    if settings.is_production:
        return Carrier(None)
    speed = float(settings.extra.get("simulator_speed", 1.0))
    simulated = SimulatedCarrier(
        settings.public_base_url, settings.twilio_auth_token, speed=speed,
        transport=settings.extra.get("simulator_transport"),
    )
    return Carrier(SimulatedCarrierControl(simulated, live, settings.public_base_url), simulated=simulated)


def init_app(app: Flask) -> None:
    """The ``/simulator`` page, when the app runs the simulated carrier."""
    if "carrier" in app.extensions:
        from helpline.carrier.views import bp

        app.register_blueprint(bp)
