"""The prompt catalogue: one JSON file per language, and the audio that may say each prompt.

Every prompt has a stable name: its key, then its values (``greeting``, ``language_option-1``,
``queue_position-3``, ``urgent-112-102-103-111-150`` for the configured help numbers). What a
caller hears for a prompt, first found wins:

1. a recording by a person, ``<PROMPTS_RECORDINGS_PATH>/<language>/<name>.wav`` (or ``.mp3``);
2. ``<Say>`` in the configured voice, when that voice speaks the language (``helpline.voices``);
3. the synthesised file ``<PROMPTS_BUILD_PATH>/<language>/<name>-<hash>.wav`` that
   ``helpline prompts build`` makes (Kazakh, with espeak-ng: Twilio has no Kazakh voice);
4. the Russian prompt in the Russian voice (a warning is logged once per missing file).

Kazakh text is therefore never read by a voice that does not speak Kazakh.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from helpline.voices import say_language, speaks

logger = logging.getLogger(__name__)

LANGUAGES = ("kk", "ru", "en")
AUDIO_EXTENSIONS = (".wav", ".mp3")
#: Said instead when a prompt cannot be said in its own language.
FALLBACK_LANGUAGE = "ru"
#: A fallback that must change its words, not only its language: the Kazakh option of the
#: language menu, said in Russian, names Kazakh ("для продолжения на казахском языке ...").
FALLBACK_KEYS = {"language_option": "kazakh_option"}
#: Catalogue entries that are not prompts.
NOT_SPOKEN = frozenset({"language_name", "number_names"})
#: How synthesised prompts are made; part of each file's hash, so a change rebuilds them.
SYNTH_VOICE = ("espeak-ng", "-v", "kk", "-s", "150")



@dataclass(frozen=True)
class Prompt:
    text: str
    say_language: str
    voice: str
    audio_path: str | None = None  # ``<language>/<file>`` under /ivr/audio/ when played


@cache
def catalogue(language: str) -> dict:
    if language not in LANGUAGES:
        raise KeyError(language)
    text = resources.files("ivr").joinpath("prompts", f"{language}.json").read_text("utf-8")
    return json.loads(text)


def numbers_text(language: str, numbers: Sequence[str]) -> str:
    names = catalogue(language)["number_names"]
    return "; ".join(names.get(number, number) for number in numbers)


def _value_slug(value: object) -> str:
    parts = value if isinstance(value, list | tuple) else [value]
    return "-".join(re.sub(r"[^0-9A-Za-z+]", "", str(part)) for part in parts)


def prompt_name(key: str, values: dict[str, object]) -> str:
    """``key`` then each value in the order of the names: ``queue_position-3``."""
    return "-".join([key, *(_value_slug(values[name]) for name in sorted(values))])


def prompt_text(language: str, key: str, values: dict[str, object]) -> str:
    """The catalogue's words, with ``numbers`` (a sequence of help numbers) said by name."""
    words = dict(values)
    if "numbers" in words:
        words["numbers"] = numbers_text(language, words["numbers"])
    return catalogue(language)[key].format(**words)


@cache
def synth_file_name(name: str, text: str) -> str:
    """The synthesised file of a prompt: its name and a hash of its text and voice."""
    digest = hashlib.sha256("\n".join([*SYNTH_VOICE, text]).encode("utf-8")).hexdigest()[:12]
    return f"{name}-{digest}.wav"


#: A folder changed this recently is read again on every look-up: a file written in the same
#: tick of the file system's clock as the last reading would not change its time again.
RECENT_CHANGE_NS = 2_000_000_000


class _Folder:
    """The file names in one prompt folder, read again only when the folder's modification
    time changes (a file added, removed or renamed): one ``stat`` per look-up instead of one
    per prompt and extension, and a recording dropped in is heard on the next webhook."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._seen: tuple[int | None, frozenset[str]] = (None, frozenset())

    def names(self) -> frozenset[str]:
        try:
            changed = os.stat(self.path).st_mtime_ns
        except OSError:
            return frozenset()              # no folder (yet): no files
        seen, names = self._seen
        if changed != seen or time.time_ns() - changed < RECENT_CHANGE_NS:
            try:
                with os.scandir(self.path) as entries:
                    names = frozenset(entry.name for entry in entries if entry.is_file())
            except OSError:
                names = frozenset()
            self._seen = (changed, names)   # one assignment: other threads see old or new
        return names


class PromptBook:
    """Finds how to say a prompt in a language (see the module's order)."""

    def __init__(self, recordings_path: str, build_path: str, voices: dict[str, str]) -> None:
        self._recordings = Path(recordings_path)
        self._built = Path(build_path)
        self._voices = voices
        self._warned: set[str] = set()    # each missing file is logged once, not on every call
        self._folders = {(kind, language): _Folder(root / language) for language in LANGUAGES
                         for kind, root in (("recordings", self._recordings), ("built", self._built))}

    def recording(self, language: str, name: str) -> Path | None:
        present = self._folders["recordings", language].names()
        for ext in AUDIO_EXTENSIONS:
            if f"{name}{ext}" in present:
                return self._recordings / language / f"{name}{ext}"
        return None

    def built(self, language: str, name: str, text: str) -> Path | None:
        filename = synth_file_name(name, text)
        if filename in self._folders["built", language].names():
            return self._built / language / filename
        return None

    def audio_file(self, language: str, filename: str) -> Path | None:
        """A recording or built file served at ``/ivr/audio/<language>/<filename>``."""
        for folder in (self._recordings, self._built):
            path = folder / language / filename
            if "/" not in filename and not filename.startswith(".") and path.is_file():
                return path
        return None

    def prompt(self, language: str, key: str, *, audio: bool = True, **values: object) -> Prompt:
        """How to say ``key``; ``audio=False``: only ``<Say>`` (a document served elsewhere)."""
        text = prompt_text(language, key, values)
        name = prompt_name(key, values)
        voice = self._voices.get(language, "")
        recording = self.recording(language, name) if audio else None
        if recording is None and speaks(voice, language):
            return Prompt(text, say_language(voice) or "", voice)
        found = recording or (self.built(language, name, text) if audio else None)
        if found is not None:
            return Prompt(text, "", "", audio_path=f"{language}/{found.name}")
        if language == FALLBACK_LANGUAGE:
            raise LookupError(f"no voice for {language}")   # the configuration guarantees one
        if audio and f"{language}/{name}" not in self._warned:
            self._warned.add(f"{language}/{name}")
            logger.warning("Prompt %s/%s has no audio (run `helpline prompts build`); "
                           "saying it in Russian", language, name)
        return self.prompt(FALLBACK_LANGUAGE, FALLBACK_KEYS.get(key, key), audio=audio, **values)
