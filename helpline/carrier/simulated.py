"""A simulated carrier that treats the IVR exactly as Twilio does.

It only speaks HTTP and TwiML: it posts signed, form-encoded webhooks with Twilio's parameters
to the public URL, follows the returned TwiML verb by verb (Say, Play, Pause, Gather with its
timeout fall-through, Redirect, Enqueue with its wait-URL loop and action URL, Dial into a
Conference with its status callbacks (``helpline.carrier.conference``), Leave, Hangup), follows
a REST redirect from whatever verb it interrupts, and sends the status callback when the call
ends.  It therefore cannot hide an IVR bug: what works here is what Twilio would be asked to do.

``SimulatedAgentLeg`` (``helpline.carrier.agent_leg``) is the psychologist's leg, as the Voice
SDK places it: it requests ``/ivr/agent-join`` with the join token and follows the TwiML
(normally into the conference).
``CarrierFaults`` switches on the failures the product must survive (see ``SimulatedCarrier``).

Timing follows the real call scaled by ``speed`` (1.0 = real time, 0 = as fast as possible).
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
import urllib.parse
import xml.etree.ElementTree as ET  # noqa: S405 - parses TwiML from our own app
from collections import deque
from collections.abc import Callable

from twilio.request_validator import RequestValidator

from helpline.carrier.conference import ConferenceBook, ConferenceView
from helpline.carrier.simulated_base import CallEvent, CarrierFaults, Ended
from helpline.carrier.simulated_dial import DialVerbs
from helpline.carrier.simulated_queue import QueueBook, QueueVerbs
from helpline.carrier.simulated_speech import SpeechVerbs
from helpline.carrier.transport import HttpTransport, Transport

__all__ = ["CallEvent", "CarrierFaults", "HttpTransport", "QueueBook", "SimulatedCall", "Transport"]

logger = logging.getLogger(__name__)


class SimulatedCall(SpeechVerbs, QueueVerbs, DialVerbs):
    """One inbound call, run on its own thread by ``start()``; its verbs are in the mixins."""

    #: Who is on this leg, as the simulator page names them.
    role = "caller"
    #: The first webhook the carrier requests for this leg.
    first_path = "/ivr/voice"
    #: Whether the carrier posts /ivr/status when this leg ends.
    sends_status_callback = True
    #: The leg's line dropped (a network fault, not a hang-up).
    dropped = False

    def __init__(
        self,
        *,
        base_url: str,
        auth_token: str,
        to_number: str,
        from_number: str,
        transport: Transport,
        speed: float = 1.0,
        fallback_url: str | None = None,
        queues: QueueBook | None = None,
        conferences: ConferenceBook | None = None,
        faults: CarrierFaults | None = None,
        account_sid: str | None = None,
    ) -> None:
        self.handle = secrets.token_urlsafe(12)
        self.sid = "CA" + secrets.token_hex(16)
        self._account = account_sid or "AC" + secrets.token_hex(16)
        self._base = base_url.rstrip("/")
        self._validator = RequestValidator(auth_token)
        self._to = to_number
        self._from = from_number
        self._transport = transport
        self._speed = speed
        self._fallback = fallback_url
        self._queues = queues or QueueBook()
        self._conferences = conferences or ConferenceBook()
        self._faults = faults or CarrierFaults()
        self._first_params: dict[str, str] = {}
        self._put_out = False
        self._started = time.monotonic()
        self._answered: float | None = None
        self._cond = threading.Condition()
        self._digits: deque[str] = deque()
        self._hung_up = False
        self._redirect: str | None = None
        self.events: list[CallEvent] = []
        self.status = "ringing"
        self.listening = False
        self.connected = False
        self.thread: threading.Thread | None = None

    # ------------------------------------------------------------ controls (any thread)

    def start(self) -> threading.Thread:
        self.thread = threading.Thread(target=self.run, name="simulated-call", daemon=True)
        self.thread.start()
        return self.thread

    def press(self, keys: str) -> None:
        keys = "".join(k for k in keys if k in "0123456789*#")
        with self._cond:
            if not self.listening:
                self._event("keys", keys, ignored=True)
                return
            self._digits.extend(keys)
            self._event("keys", keys)
            self._cond.notify_all()

    def hang_up(self) -> None:
        self._end("caller_hung_up")

    def terminate(self) -> None:
        """What Twilio's REST ``calls(sid).update(status="completed")`` does: end the call."""
        self._end("ivr_hung_up")

    def _end(self, event: str) -> None:
        """The call ends (once: the first side to hang up is the one recorded)."""
        with self._cond:
            if not self._hung_up:
                self._hung_up = True
                self._event(event, "")
            self._cond.notify_all()

    def redirect(self, url: str) -> None:
        """What Twilio's REST ``calls(sid).update(url=...)`` does: leave the current verb."""
        with self._cond:
            self._redirect = url
            self._cond.notify_all()

    def put_out(self) -> None:
        """The conference this leg is in has ended: its ``<Dial>`` ends (the carrier's doing)."""
        with self._cond:
            self._put_out = True
            self._cond.notify_all()

    def record_event(self, kind: str, text: str) -> None:
        """Add to the leg's event list (what the carrier did to it, shown on the page)."""
        self._event(kind, text)

    @property
    def finished(self) -> bool:
        return self.status == "completed"

    @property
    def conference(self) -> ConferenceView | None:
        """The conference this leg is in now, if any."""
        return self._conferences.of(self)

    def wait_for(self, predicate: Callable[[SimulatedCall], bool], timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        with self._cond:
            while not predicate(self):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(min(remaining, 0.05))
        return True

    def spoken(self) -> list[str]:
        return [e.text for e in self.events if e.kind == "say"]

    # ------------------------------------------------------------ the call

    def run(self) -> None:
        self.status = "in-progress"
        self._answered = time.monotonic()
        try:
            url: str | None = f"{self._base}{self.first_path}"
            params: dict[str, str] = dict(self._first_params)
            while url is not None:
                root, url = self._fetch(url, params)
                if root is None:
                    break
                step = self._execute(root, url)
                url, params = step if step else (None, {})
        except Ended:
            pass
        except Exception:  # the simulator must never leave a call hanging
            logger.exception("Simulated call failed")
            self._event("error", "the simulated carrier failed")
        finally:
            self._complete()

    def _complete(self) -> None:
        duration = int(time.monotonic() - (self._answered or self._started))
        with self._cond:
            self.listening = False
        if self.sends_status_callback and self._faults.no_status_callback:
            self._event("fault", "status callback not sent (simulated fault)")
        elif self.sends_status_callback:
            self._post(f"{self._base}/ivr/status", {
                "CallStatus": "completed", "CallDuration": str(duration),
                "Duration": str(duration // 60 + 1),
                "CallbackSource": "call-progress-events", "SequenceNumber": "0",
            })
        with self._cond:
            self.status = "completed"
            self._event("completed", "")
            self._cond.notify_all()

    def _params(self, extra: dict[str, str]) -> dict[str, str]:
        params = {
            "AccountSid": self._account, "ApiVersion": "2010-04-01", "CallSid": self.sid,
            "CallStatus": self.status, "Direction": "inbound", "From": self._from,
            "Caller": self._from, "To": self._to, "Called": self._to, "ToCountry": "KZ",
            "FromCountry": "KZ" if self._from.startswith("+7") else "",
        }
        params.update(extra)
        return params

    def _post(self, url: str, extra: dict[str, str]) -> tuple[int, str]:
        return self._send(url, self._params(extra))

    def _send(self, url: str, params: dict[str, str]) -> tuple[int, str]:
        """POST ``params`` as they are, signed as Twilio signs them."""
        headers = {
            "X-Twilio-Signature": self._validator.compute_signature(url, params),
            "User-Agent": "TwilioProxy/1.1",
            "Content-Type": "application/x-www-form-urlencoded",
        }
        status, body = self._transport.post(url, params, headers)
        path = urllib.parse.urlsplit(url).path
        self._event("http", f"POST {path} -> {status}", status=status)
        return status, body

    def _fetch(self, url: str, extra: dict[str, str]) -> tuple[ET.Element | None, str]:
        """Request TwiML; on an error use the fallback URL as Twilio does."""
        status, body = self._post(url, extra)
        root = _parse(body) if status == 200 else None
        if root is None and self._fallback:
            self._event("error", f"webhook failed ({status}); using the fallback URL")
            status, body = self._post(self._fallback, {"ErrorCode": "11200", "ErrorUrl": url})
            root = _parse(body) if status == 200 else None
        if root is None:
            self._event("error", "An application error has occurred. Goodbye.")
        return root, url

    def _execute(self, root: ET.Element, url: str) -> tuple[str, dict[str, str]] | None:
        """Run a TwiML document; returns the next request, or None when the call ends."""
        for verb in root:
            self._check()
            target = self._take_redirect()
            if target is not None:          # a REST redirect ends the document being run
                return target, {}
            tag = verb.tag
            if tag in {"Say", "Play", "Pause"}:
                self._speak(verb, url, interruptible=False)
            elif tag == "Gather":
                step = self._gather(verb, url)
                if step is not None:
                    return step
            elif tag == "Redirect":
                return urllib.parse.urljoin(url, (verb.text or "").strip()), {}
            elif tag == "Enqueue":
                step = self._enqueue(verb, url)
                if step is not None:
                    return step
            elif tag == "Dial":
                step = self._dial(verb, url)
                if step is not None:
                    return step
            elif tag in {"Hangup", "Reject"}:
                self._event("ivr_hung_up", "")
                return None
            else:
                self._event("error", f"unsupported verb <{tag}>")
                return None
        target = self._take_redirect()
        return (target, {}) if target is not None else None  # end of document: the carrier hangs up

    def _take_redirect(self) -> str | None:
        with self._cond:
            target, self._redirect = self._redirect, None
            return target

    # ------------------------------------------------------------ waiting

    def _check(self) -> None:
        if self._hung_up:
            raise Ended

    def _has_digits(self) -> bool:
        with self._cond:
            return bool(self._digits)

    def _wait(self, seconds: float, interruptible: bool, in_queue: bool = False) -> None:
        """Let ``seconds`` of call time pass; ends early on hang-up (or a key / a redirect)."""
        deadline = time.monotonic() + seconds * self._speed
        with self._cond:
            while True:
                if self._hung_up and not in_queue:
                    raise Ended
                if self._hung_up or self._redirect or (interruptible and self._digits):
                    return
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return
                self._cond.wait(remaining)

    def _next_digit(self, timeout: float) -> str | None:
        deadline = time.monotonic() + timeout * self._speed
        with self._cond:
            while not self._digits:
                if self._hung_up:
                    raise Ended
                if self._redirect is not None:
                    return None
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._cond.wait(remaining)
            return self._digits.popleft()

    def _event(self, kind: str, text: str, **detail: object) -> None:
        self.events.append(CallEvent(time.monotonic() - self._started, kind, text, dict(detail)))
        with self._cond:
            self._cond.notify_all()


def _parse(body: str) -> ET.Element | None:
    try:
        root = ET.fromstring(body)  # noqa: S314 - TwiML from our own app
    except ET.ParseError:
        return None
    return root if root.tag == "Response" else None
