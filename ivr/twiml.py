"""TwiML documents. This module builds; it decides nothing."""

from __future__ import annotations

from collections.abc import Sequence

from twilio.twiml.voice_response import Dial, Gather, VoiceResponse

from ivr.prompts import Prompt


def _speak(target: VoiceResponse | Gather, prompt: Prompt, audio_base: str) -> None:
    if prompt.audio_path:
        target.play(f"{audio_base}/{prompt.audio_path}")
    else:
        target.say(prompt.text, voice=prompt.voice, language=prompt.say_language)


def menu(
    prompts: Sequence[Prompt],
    *,
    action: str,
    fallthrough: str,
    timeout: int,
    audio_base: str,
    before: Sequence[Prompt] = (),
) -> str:
    """Gather one key while saying ``before`` then ``prompts``; no key -> ``fallthrough``.

    Everything is said inside the Gather, so a caller who already knows the menu (or whose
    situation is urgent) can press a key without listening to the end.
    """
    response = VoiceResponse()
    gather = Gather(action=action, method="POST", num_digits=1, timeout=timeout)
    for prompt in (*before, *prompts):
        _speak(gather, prompt, audio_base)
    response.append(gather)
    response.redirect(fallthrough, method="POST")
    return str(response)


def enqueue(
    prompts: Sequence[Prompt], *, queue_name: str, wait_url: str, action: str, audio_base: str
) -> str:
    """Say ``prompts`` and put the caller in the carrier's queue ``queue_name``."""
    response = VoiceResponse()
    for prompt in prompts:
        _speak(response, prompt, audio_base)
    response.enqueue(queue_name, wait_url=wait_url, wait_url_method="POST", action=action,
                     method="POST")
    return str(response)


def hold(prompts: Sequence[Prompt], *, music_url: str, audio_base: str) -> str:
    """One loop of the queue's wait music (the carrier asks again when it ends)."""
    response = VoiceResponse()
    for prompt in prompts:
        _speak(response, prompt, audio_base)
    response.play(music_url)
    return str(response)


def hold_then(prompts: Sequence[Prompt], *, music_url: str, audio_base: str, then: str) -> str:
    """Say ``prompts``, one loop of hold music, then ask ``then`` what comes next."""
    response = VoiceResponse()
    for prompt in prompts:
        _speak(response, prompt, audio_base)
    response.play(music_url)
    response.redirect(then, method="POST")
    return str(response)


def conference(name: str, *, action: str | None, wait_music: str | None = None,
               status_callback: str | None = None) -> str:
    """Bridge into the call's conference.  Either side leaving ends it; the caller's ``action``
    then decides what the caller hears (goodbye, or "your psychologist was disconnected").

    With ``wait_music`` (the caller's leg) the conference starts only when the psychologist is
    in it, and the caller hears the music until then, never silence.  ``status_callback`` is
    told when a participant joins or leaves."""
    response = VoiceResponse()
    dial = Dial(action=action, method="POST") if action else Dial()
    callbacks = {"status_callback": status_callback, "status_callback_event": "join leave",
                 "status_callback_method": "POST"} if status_callback else {}
    dial.conference(name, beep=False, start_conference_on_enter=wait_music is None,
                    end_conference_on_exit=True, wait_url=wait_music or "", wait_method="GET",
                    **callbacks)
    response.append(dial)
    return str(response)


def leave_queue() -> str:
    response = VoiceResponse()
    response.leave()
    return str(response)


def say_and_hang_up(prompts: Sequence[Prompt], *, audio_base: str) -> str:
    """Say ``prompts`` (each once: a prompt that fell back to Russian is not said twice)."""
    response = VoiceResponse()
    for prompt in dict.fromkeys(prompts):
        _speak(response, prompt, audio_base)
    response.hangup()
    return str(response)


def empty() -> str:
    return str(VoiceResponse())
