"""The simulated carrier's ``<Dial>``: into a conference (``helpline.carrier.conference``) until
hung up, redirected or put out by the conference's end, telling each leg who joined and left."""

from __future__ import annotations

import time
import urllib.parse
import xml.etree.ElementTree as ET  # noqa: S405 - parses TwiML from our own app
from typing import TYPE_CHECKING

from helpline.carrier.conference import Callback, ParticipantSpec, truthy
from helpline.carrier.simulated_base import Ended

if TYPE_CHECKING:
    from helpline.carrier.simulated import SimulatedCall


class DialVerbs:
    """Mixed into ``SimulatedCall``: ``<Dial>`` to a conference (or anything else)."""

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
            raise Ended
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
