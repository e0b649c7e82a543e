"""The simulated carrier's queues: ``<Enqueue>`` with its wait-URL loop and action URL, and the
carrier's own FIFO queues (for QueuePosition), as Twilio runs them."""

from __future__ import annotations

import secrets
import threading
import time
import urllib.parse
import xml.etree.ElementTree as ET  # noqa: S405 - parses TwiML from our own app
from typing import TYPE_CHECKING

from helpline.carrier.simulated_base import Ended

if TYPE_CHECKING:
    from helpline.carrier.simulated import SimulatedCall


class QueueVerbs:
    """Mixed into ``SimulatedCall``: ``<Enqueue>`` and the wait-URL documents."""

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
                raise Ended
            return urllib.parse.urljoin(url, action), params
        if result == "hangup":
            raise Ended
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
                except Ended:
                    return "hangup"
            elif verb.tag == "Leave":
                return "leave"
            elif verb.tag == "Hangup":
                self._event("ivr_hung_up", "")
                return "hangup"
        return None


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

