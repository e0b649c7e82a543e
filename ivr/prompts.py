"""The prompt catalogue: one JSON file per language, optional recordings per prompt.

A centre replaces a prompt by dropping a recording at
``<instance>/prompts/<language>/<key>.mp3`` (or ``.wav``); it is then played with ``<Play>``
and the catalogue's text is only the fallback said with ``<Say>``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

LANGUAGES = ("kk", "ru", "en")
#: ``<Say language=...>`` per catalogue language; Twilio has no Kazakh voice.
SAY_LANGUAGE = {"kk": "ru-RU", "ru": "ru-RU", "en": "en-US"}
AUDIO_EXTENSIONS = (".mp3", ".wav")


@dataclass(frozen=True)
class Prompt:
    text: str
    say_language: str
    voice: str
    audio_path: str | None = None  # path under /ivr/audio/ when a recording exists


@cache
def catalogue(language: str) -> dict:
    if language not in LANGUAGES:
        raise KeyError(language)
    text = resources.files("ivr").joinpath("prompts", f"{language}.json").read_text("utf-8")
    return json.loads(text)


def numbers_text(language: str, numbers: Sequence[str]) -> str:
    names = catalogue(language)["number_names"]
    return "; ".join(names.get(number, number) for number in numbers)


class PromptBook:
    """Finds the text and recording of a prompt for a language."""

    def __init__(self, instance_path: str, voices: dict[str, str]) -> None:
        self._recordings = Path(instance_path) / "prompts"
        self._voices = voices

    def recording(self, language: str, key: str) -> Path | None:
        for ext in AUDIO_EXTENSIONS:
            path = self._recordings / language / f"{key}{ext}"
            if path.is_file():
                return path
        return None

    def prompt(self, language: str, key: str, **values: object) -> Prompt:
        text = catalogue(language)[key].format(**values)
        recording = None if values else self.recording(language, key)
        return Prompt(
            text=text,
            say_language=SAY_LANGUAGE[language],
            voice=self._voices[language],
            audio_path=f"{language}/{recording.name}" if recording else None,
        )
