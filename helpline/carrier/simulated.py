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

import io
import logging
import secrets
import threading
import time
import urllib.parse
import wave
import xml.etree.ElementTree as ET  # noqa: S405 - parses TwiML from our own app
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from twilio.request_validator import RequestValidator

from helpline.carrier.conference import Callback, ConferenceBook, ConferenceView, ParticipantSpec, truthy
from helpline.carrier.transport import HttpTransport, Transport

__all__ = ["CallEvent", "CarrierFaults", "HttpTransport", "QueueBook", "SimulatedCall", "Transport"]

logger = logging.getLogger(__name__)

SAY_CHARS_PER_SECOND = 14.0
DEFAULT_PLAY_SECONDS = 3.0
QUEUE_RESULTS = {"leave", "hangup", "redirected", "bridged", "system-error"}


@dataclass
class CarrierFaults:
    """Failures the simulated carrier can be told to have (the /simulator page's switches)."""

    #: The REST API fails: redirect and end_call raise CarrierError, call_status is UNREACHABLE.
    rest_fails: bool = False
    #: Calls that end do not POST /ivr/status (a lost status callback).
    no_status_callback: bool = False

    def as_dict(self) -> dict[str, bool]:
        return {"rest_fails": self.rest_fails, "no_status_callback": self.no_status_callback}


@dataclass
class CallEvent:
    at: float
    kind: str
    text: str = ""
    detail: dict[str, object] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {"at": round(self.at, 2), "kind": self.kind, "text": self.text, **self.detail}


class _Ended(Exception):
    """The call ended (caller or IVR hung up) while a verb was running."""


class SimulatedCall:
    """One inbound call, run on its own thread by ``start()``."""

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
        with self._cond:
            if not self._hung_up:
                self._hung_up = True
                self._event("caller_hung_up", "")
            self._cond.notify_all()

    def terminate(self) -> None:
        """What Twilio's REST ``calls(sid).update(status="completed")`` does: end the call."""
        with self._cond:
            if not self._hung_up:
                self._hung_up = True
                self._event("ivr_hung_up", "")
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
        except _Ended:
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

    # ------------------------------------------------------------ verbs

    def _speak(self, verb: ET.Element, url: str, interruptible: bool) -> None:
        if verb.tag == "Say":
            text = (verb.text or "").strip()
            self._event("say", text, language=verb.get("language", ""), voice=verb.get("voice", ""))
            self._wait(len(text) / SAY_CHARS_PER_SECOND, interruptible)
        elif verb.tag == "Play":
            media = urllib.parse.urljoin(url, (verb.text or "").strip())
            seconds = self._media_seconds(media)
            loops = int(verb.get("loop", "1") or 1) or 10
            self._event("play", urllib.parse.urlsplit(media).path, seconds=seconds)
            self._wait(seconds * loops, interruptible)
        elif verb.tag == "Pause":
            self._wait(float(verb.get("length", "1")), interruptible)

    def _media_seconds(self, media_url: str) -> float:
        status, body = self._transport.get(media_url)
        if status != 200:
            self._event("error", f"could not fetch audio ({status})")
            return 0.0
        try:
            with wave.open(io.BytesIO(body)) as audio:
                return audio.getnframes() / float(audio.getframerate())
        except (wave.Error, EOFError):
            return DEFAULT_PLAY_SECONDS

    def _gather(self, verb: ET.Element, url: str) -> tuple[str, dict[str, str]] | None:
        action = urllib.parse.urljoin(url, verb.get("action") or url)
        timeout = float(verb.get("timeout", "5"))
        num_digits = int(verb.get("numDigits", "0") or 0)
        finish_key = verb.get("finishOnKey", "#")
        with self._cond:
            self.listening = True
            self._digits.clear()
            self._cond.notify_all()
        self._event("gather", "listening for keys", timeout=timeout)
        try:
            for child in verb:
                if self._has_digits():
                    break
                self._speak(child, url, interruptible=True)
            digits, finished_on = self._collect(timeout, num_digits, finish_key)
        finally:
            with self._cond:
                self.listening = False
        if not digits or self._redirect is not None:
            return None  # timeout (or a REST redirect): fall through to the next verb
        params = {"Digits": digits}
        if finished_on:
            params["FinishedOnKey"] = finished_on
        return action, params

    def _collect(self, timeout: float, num_digits: int, finish_key: str) -> tuple[str, str]:
        digits = ""
        while True:
            key = self._next_digit(timeout)
            if key is None:
                return digits, ""
            if key == finish_key and finish_key:
                return digits, key
            digits += key
            if num_digits and len(digits) >= num_digits:
                return digits, ""

    def _enqueue(self, verb: ET.Element, url: str) -> tuple[str, dict[str, str]] | None:
        name = (verb.text or "").strip()
        wait_url = verb.get("waitUrl")
        action = verb.get("action")
        queue_sid = self._queues.enter(name, self)
        entered = time.monotonic()
        self.status = "queued"
        self._event("queue", "entered the queue")
        result = None
        try:
            while result is None:
                if self._hung_up:
                    result = "hangup"
                    break
                if self._redirect:
                    result = "redirected"
                    break
                waited = str(int(time.monotonic() - entered))
                if not wait_url:
                    self._wait(1.0, interruptible=False, in_queue=True)
                    continue
                root, _ = self._fetch(urllib.parse.urljoin(url, wait_url), {
                    "QueueSid": queue_sid, "QueuePosition": str(self._queues.position(name, self)),
                    "QueueTime": waited, "AvgQueueTime": waited,
                    "CurrentQueueSize": str(self._queues.size(name)),
                })
                result = "system-error" if root is None else self._hold(root, url)
        finally:
            self._queues.leave(name, self)
            self.status = "in-progress"
        self._event("queue", f"left the queue: {result}", result=result)
        if result == "redirected":
            target, self._redirect = self._redirect, None
            return target, {}
        if action:
            params = {"QueueResult": result, "QueueSid": queue_sid,
                      "QueueTime": str(int(time.monotonic() - entered))}
            if result == "hangup":
                self._post(urllib.parse.urljoin(url, action), params)
                raise _Ended
            return urllib.parse.urljoin(url, action), params
        if result == "hangup":
            raise _Ended
        return None

    def _hold(self, root: ET.Element, url: str) -> str | None:
        """One wait-URL document; returns a queue result when the caller leaves the queue."""
        for verb in root:
            if self._hung_up:
                return "hangup"
            if self._redirect:
                return "redirected"
            if verb.tag in {"Say", "Play", "Pause"}:
                try:
                    self._speak(verb, url, interruptible=False)
                except _Ended:
                    return "hangup"
            elif verb.tag == "Leave":
                return "leave"
            elif verb.tag == "Hangup":
                self._event("ivr_hung_up", "")
                return "hangup"
        return None

    def _dial(self, verb: ET.Element, url: str) -> tuple[str, dict[str, str]] | None:
        """Returns the next request, or None to go on with the verb after the Dial."""
        started = time.monotonic()
        noun = verb.find("Conference")
        ended = self._conference(noun, url) if noun is not None else self._bridge()
        if ended == "redirected":
            return self._take_redirect(), {}
        action = verb.get("action")
        params = {"DialCallStatus": "completed", "DialCallDuration": str(int(time.monotonic() - started))}
        if ended == "hangup":
            if action:   # Twilio still requests the action URL (the call completed), ignores the answer
                self._post(urllib.parse.urljoin(url, action), {**params, "CallStatus": "completed"})
            raise _Ended
        # the conference ended with this leg still on the line: Twilio goes on
        return (urllib.parse.urljoin(url, action), params) if action else None

    def _bridge(self) -> str:
        """A Dial to anything but a conference: connected until redirected or hung up."""
        self._event("dial", "connected to the psychologist")
        self.connected = True
        try:
            with self._cond:
                while not self._hung_up and self._redirect is None:
                    self._cond.wait(0.1)
                return "hangup" if self._hung_up else "redirected"
        finally:
            self.connected = False

    def _conference(self, noun: ET.Element, url: str) -> str:
        """In the conference until hung up, redirected, or put out by its end."""
        callback = noun.get("statusCallback")
        spec = ParticipantSpec(
            end_on_exit=truthy(noun.get("endConferenceOnExit"), False),
            start_on_enter=truthy(noun.get("startConferenceOnEnter"), True),
            muted=truthy(noun.get("muted"), False),
            status_callback=urllib.parse.urljoin(url, callback) if callback else None,
            callback_events=frozenset((noun.get("statusCallbackEvent") or "").replace(",", " ").split()),
        )
        with self._cond:
            self._put_out = False
        change = self._conferences.join(self, (noun.text or "").strip(), spec, self._account)
        self.connected = True
        self._tell([*change.others, self], "joined")
        self._notify(change.callbacks)
        with self._cond:
            while not (self._hung_up or self._redirect is not None or self._put_out):
                self._cond.wait(0.1)
            ended = "hangup" if self._hung_up else "redirected" if self._redirect is not None else "ended"
        self.connected = False
        change = self._conferences.leave(self)      # nothing if the conference's end put us out
        if change.was_in:
            self._tell([*change.others, self], "left")
        self._notify(change.callbacks)
        for other in change.put_out:
            other._event("conference", "The conference closed")
            other.put_out()
        return ended

    def _tell(self, viewers: list[SimulatedCall], action: str) -> None:
        """Conference joins and leaves in words, on each leg's own event list."""
        present = {v.role for v in viewers if v is not self}
        for viewer in viewers:
            if viewer is self and action == "joined" and "psychologist" in present:
                text = "You joined the conversation with the psychologist"
            elif viewer is self:
                text = f"You {action} the conversation"
            elif self.dropped and action == "left":
                text = "The psychologist's line dropped"
            else:
                who = "The psychologist" if self.role == "psychologist" else "The caller"
                text = f"{who} {action} the conversation"
            viewer._event("conference", text, who=self.role, action=action)

    def _notify(self, callbacks: list[Callback]) -> None:
        for callback in callbacks:
            self._send(callback.url, callback.params)

    def _take_redirect(self) -> str | None:
        with self._cond:
            target, self._redirect = self._redirect, None
            return target

    # ------------------------------------------------------------ waiting

    def _check(self) -> None:
        if self._hung_up:
            raise _Ended

    def _has_digits(self) -> bool:
        with self._cond:
            return bool(self._digits)

    def _wait(self, seconds: float, interruptible: bool, in_queue: bool = False) -> None:
        """Let ``seconds`` of call time pass; ends early on hang-up (or a key / a redirect)."""
        deadline = time.monotonic() + seconds * self._speed
        with self._cond:
            while True:
                if self._hung_up and not in_queue:
                    raise _Ended
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
                    raise _Ended
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


class QueueBook:
    """The carrier's own queues (FIFO per name, as Twilio's), for QueuePosition."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queues: dict[str, list[SimulatedCall]] = {}
        self._sids: dict[str, str] = {}

    def enter(self, name: str, call: SimulatedCall) -> str:
        with self._lock:
            self._queues.setdefault(name, []).append(call)
            return self._sids.setdefault(name, "QU" + secrets.token_hex(16))

    def leave(self, name: str, call: SimulatedCall) -> None:
        with self._lock:
            if call in self._queues.get(name, []):
                self._queues[name].remove(call)

    def position(self, name: str, call: SimulatedCall) -> int:
        with self._lock:
            members = self._queues.get(name, [])
            return members.index(call) + 1 if call in members else 0

    def size(self, name: str) -> int:
        with self._lock:
            return len(self._queues.get(name, []))


def _parse(body: str) -> ET.Element | None:
    try:
        root = ET.fromstring(body)  # noqa: S314 - TwiML from our own app
    except ET.ParseError:
        return None
    return root if root.tag == "Response" else None
