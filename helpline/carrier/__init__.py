"""The carrier: Twilio in production, a built-in simulated carrier when no account is set."""

from __future__ import annotations

import secrets
import threading
import time

from flask import Flask

from helpline.carrier.simulated import HttpTransport, QueueBook, SimulatedCall, Transport


class SimulatedCarrier:
    """Places simulated inbound calls toward this app and keeps them while they last."""

    KEEP_FINISHED_SECONDS = 3600

    def __init__(self, base_url: str, auth_token: str, speed: float = 1.0,
                 transport: Transport | None = None) -> None:
        self.base_url = base_url
        self._auth_token = auth_token
        self.speed = speed
        self._transport = transport or HttpTransport()
        self._queues = QueueBook()
        self._calls: dict[str, tuple[float, SimulatedCall]] = {}
        self._lock = threading.Lock()

    def dial(self, to_number: str, withheld: bool = False, start: bool = True) -> SimulatedCall:
        """A caller dials ``to_number`` from a random Kazakh mobile (or a withheld number)."""
        caller = "anonymous" if withheld else random_mobile()
        call = SimulatedCall(
            base_url=self.base_url, auth_token=self._auth_token, to_number=to_number,
            from_number=caller, transport=self._transport, speed=self.speed,
            fallback_url=f"{self.base_url}/ivr/fallback", queues=self._queues,
        )
        with self._lock:
            self._purge()
            self._calls[call.handle] = (time.monotonic(), call)
        if start:
            call.start()
        return call

    def get(self, handle: str) -> SimulatedCall | None:
        with self._lock:
            entry = self._calls.get(handle)
        return entry[1] if entry else None

    def by_sid(self, call_sid: str) -> SimulatedCall | None:
        with self._lock:
            return next((c for _, c in self._calls.values() if c.sid == call_sid), None)

    def _purge(self) -> None:
        cutoff = time.monotonic() - self.KEEP_FINISHED_SECONDS
        for handle, (created, call) in list(self._calls.items()):
            if call.finished and created < cutoff:
                del self._calls[handle]


def random_mobile() -> str:
    """A random, valid Kazakh mobile number (+7 70x ...)."""
    return f"+7701{secrets.randbelow(10**7):07d}"


def init_app(app: Flask):
    """The carrier control for the dispatcher; in simulated mode (never in production) also the
    simulated carrier and its ``/simulator`` page."""
    runtime = app.extensions["helpline"]
    settings = runtime.settings
    if settings.carrier == "twilio":
        return TwilioCarrierControl(settings.twilio_account_sid, settings.twilio_auth_token,
                                    runtime.live, settings.public_base_url)
    if settings.is_production:
        return None
    speed = float(settings.extra.get("simulator_speed", 1.0))
    simulated = SimulatedCarrier(
        settings.public_base_url, settings.twilio_auth_token, speed=speed,
        transport=settings.extra.get("simulator_transport"),
    )
    app.extensions["carrier"] = simulated
    from helpline.carrier.views import bp

    app.register_blueprint(bp)
    return SimulatedCarrierControl(simulated, runtime.live, settings.public_base_url)


class SimulatedCarrierControl:
    """Bridges and ends calls on the simulated carrier, as Twilio's REST API would."""

    def __init__(self, carrier: SimulatedCarrier, live, base_url: str) -> None:
        self._carrier = carrier
        self._live = live
        self._base = base_url

    def _call(self, call_id: str) -> tuple[SimulatedCall | None, str | None]:
        leg = self._live.by_call(call_id)
        if leg is None or leg.ended:
            return None, None
        return self._carrier.by_sid(leg.call_sid), leg.leg

    def is_live(self, call_id: str) -> bool:
        call, _leg = self._call(call_id)
        return call is not None and not call.finished

    def connect_caller(self, call_id: str) -> None:
        call, leg = self._call(call_id)
        if call is not None:
            call.redirect(f"{self._base}/ivr/connect?leg={leg}")

    def end_call(self, call_id: str) -> bool:
        call, _leg = self._call(call_id)
        if call is None:
            return False
        call.terminate()
        return True


class TwilioCarrierControl:
    """Twilio's REST API: redirect the caller into the conference, or complete the call."""

    def __init__(self, account_sid: str, auth_token: str, live, base_url: str) -> None:
        from twilio.rest import Client

        self._client = Client(account_sid, auth_token)
        self._live = live
        self._base = base_url

    def is_live(self, call_id: str) -> bool:
        leg = self._live.by_call(call_id)
        return leg is not None and not leg.ended

    def connect_caller(self, call_id: str) -> None:
        leg = self._live.by_call(call_id)
        if leg is not None and not leg.ended:
            self._client.calls(leg.call_sid).update(
                url=f"{self._base}/ivr/connect?leg={leg.leg}", method="POST")

    def end_call(self, call_id: str) -> bool:
        leg = self._live.by_call(call_id)
        if leg is None or leg.ended:
            return False
        self._client.calls(leg.call_sid).update(status="completed")
        return True
