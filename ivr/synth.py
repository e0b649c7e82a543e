"""``helpline prompts build``: every Kazakh prompt, and each of its variants with numbers, as a
WAV file spoken by Debian's ``espeak-ng`` Kazakh voice (Twilio has no Kazakh ``<Say>`` voice).

Files are named by the prompt and a hash of its text and voice (``ivr.prompts.synth_file_name``),
so a build makes only what is new or changed, and removes files no prompt uses any more.
"""

from __future__ import annotations

import itertools
import os
import string
import subprocess
import tempfile
import wave
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from helpline.config import Settings
from ivr.prompts import (
    FALLBACK_KEYS,
    LANGUAGES,
    NOT_SPOKEN,
    SYNTH_VOICE,
    catalogue,
    prompt_name,
    prompt_text,
    synth_file_name,
)

#: Languages the line synthesises (the others have a Twilio voice).
SYNTH_LANGUAGES = ("kk",)
ESPEAK_TIMEOUT_SECONDS = 60


class SynthError(RuntimeError):
    """espeak-ng is missing or failed; the message says what to do."""


@dataclass
class BuildReport:
    built: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def placeholder_values(name: str, settings: Settings) -> list[object]:
    """Every value a placeholder takes when the line speaks."""
    if name == "digit":                       # the language menu: one digit per language
        return list(range(1, len(LANGUAGES) + 1))
    if name == "position":
        return list(range(1, settings.prompts_max_queue_position + 1))
    if name == "numbers":
        return [settings.help_numbers]
    raise SynthError(f"prompt placeholder {{{name}}}: no known values")


def variants(language: str, settings: Settings, keys: Iterable[str] = ()) -> Iterator[
        tuple[str, str]]:
    """(prompt name, text) of every prompt of ``language`` (or only ``keys``)."""
    wanted = set(keys)
    for key, template in catalogue(language).items():
        if key in NOT_SPOKEN or key in FALLBACK_KEYS.values() or (wanted and key not in wanted):
            continue
        names = sorted({f for _, f, _, _ in string.Formatter().parse(template) if f})
        for combination in itertools.product(*(placeholder_values(n, settings) for n in names)):
            values = dict(zip(names, combination, strict=True))
            yield prompt_name(key, values), prompt_text(language, key, values)


def synthesise(text: str, target: Path) -> None:
    """Speak ``text`` into the WAV file ``target`` (written whole, or not at all)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(suffix=".wav", dir=target.parent)
    os.close(handle)
    try:
        subprocess.run([*SYNTH_VOICE, "--stdin", "-w", temporary],  # noqa: S603  (fixed argv)
                       input=text.encode("utf-8"),
                       check=True, capture_output=True, timeout=ESPEAK_TIMEOUT_SECONDS)
        with wave.open(temporary) as audio:
            if audio.getnframes() == 0:
                raise SynthError(f"espeak-ng made no sound for {target.name}")
        os.replace(temporary, target)
    except FileNotFoundError as exc:
        raise SynthError("espeak-ng is not installed (apt-get install espeak-ng)") from exc
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, wave.Error) as exc:
        raise SynthError(f"espeak-ng failed on {target.name}: {exc}") from exc
    finally:
        Path(temporary).unlink(missing_ok=True)


def build(settings: Settings, keys: Iterable[str] = ()) -> BuildReport:
    """Make the missing and changed prompt files; with no ``keys``, also remove unused ones."""
    keys = list(keys)
    report = BuildReport()
    for language in SYNTH_LANGUAGES:
        unknown = set(keys) - set(catalogue(language))
        if unknown:
            raise SynthError(f"no such prompt: {', '.join(sorted(unknown))}")
        folder = Path(settings.prompts_build_path) / language
        used = set()
        for name, text in variants(language, settings, keys):
            target = folder / synth_file_name(name, text)
            used.add(target.name)
            if target.is_file():
                report.kept.append(f"{language}/{target.name}")
                continue
            synthesise(text, target)
            report.built.append(f"{language}/{target.name}")
        if not keys and folder.is_dir():
            for stale in sorted(folder.glob("*.wav")):
                if stale.name not in used:
                    stale.unlink()
                    report.removed.append(f"{language}/{stale.name}")
    return report
