"""The simulated carrier's spoken verbs: Say, Play and Pause take their time, and Gather
listens for keys (with its timeout fall-through), as Twilio runs them."""

from __future__ import annotations

import io
import urllib.parse
import wave
import xml.etree.ElementTree as ET  # noqa: S405 - parses TwiML from our own app

SAY_CHARS_PER_SECOND = 14.0
DEFAULT_PLAY_SECONDS = 3.0


class SpeechVerbs:
    """Mixed into ``SimulatedCall``: Say, Play, Pause and Gather."""

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

