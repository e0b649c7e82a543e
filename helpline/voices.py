"""Which language each Twilio ``<Say>`` voice speaks.

One table: the ``<Say language=...>`` of a prompt is looked up from its voice, so a voice and
its language never disagree, and Kazakh text is never given to a voice that does not speak
Kazakh (Twilio has none today; Kazakh prompts are played from recordings, see ``ivr.synth``).
"""

from __future__ import annotations

import re

#: Amazon Polly voices on Twilio that the line may use, by the language they speak.
VOICE_LANGUAGES = {
    "Polly.Tatyana": "ru-RU",
    "Polly.Maxim": "ru-RU",
    "Polly.Joanna": "en-US",
    "Polly.Joanna-Neural": "en-US",
    "Polly.Salli": "en-US",
    "Polly.Salli-Neural": "en-US",
    "Polly.Kendra": "en-US",
    "Polly.Kendra-Neural": "en-US",
    "Polly.Matthew": "en-US",
    "Polly.Matthew-Neural": "en-US",
    "Polly.Amy": "en-GB",
    "Polly.Amy-Neural": "en-GB",
    "Polly.Emma": "en-GB",
    "Polly.Emma-Neural": "en-GB",
    "Polly.Brian": "en-GB",
    "Polly.Brian-Neural": "en-GB",
}
#: Google voices name their language: ``Google.ru-RU-Standard-A``, ``Google.en-GB-Wavenet-B``.
GOOGLE_VOICE = re.compile(r"^Google\.([a-z]{2,3}-[A-Z]{2})-[A-Za-z0-9-]+$")


def say_language(voice: str) -> str | None:
    """The ``<Say language>`` of ``voice``, or None for a voice the line does not know."""
    if voice in VOICE_LANGUAGES:
        return VOICE_LANGUAGES[voice]
    match = GOOGLE_VOICE.match(voice)
    return match.group(1) if match else None


def speaks(voice: str, language: str) -> bool:
    """Whether ``voice`` speaks ``language`` (a catalogue code: kk, ru, en)."""
    spoken = say_language(voice)
    return spoken is not None and spoken.split("-")[0] == language


def voice_problem(voice: str, language: str, *, required: bool) -> str | None:
    """Why ``voice`` cannot say ``language`` prompts, or None when it can (or may be unset)."""
    if not voice:
        return None if not required else "is empty"
    spoken = say_language(voice)
    if spoken is None:
        return (f"{voice!r} is not a voice the line knows (Polly voices in helpline/voices.py, "
                "or Google.<language>-<voice>)")
    if spoken.split("-")[0] != language:
        return f"{voice!r} speaks {spoken}, not {language}"
    return None
