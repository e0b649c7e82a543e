"""A Kazakh caller hears Kazakh from a Kazakh voice (built files or people's recordings), and
never Kazakh text read by a Russian voice; what is missing is said in Russian instead."""

from __future__ import annotations

import io
import logging
import re
import wave
from pathlib import Path

import pytest

from helpline.config import ConfigError, Settings
from tests.conftest import ASTANA, played, spoken, write_wav

#: Letters Kazakh has and Russian does not: Kazakh text in a <Say>.
KAZAKH_LETTERS = re.compile("[әғқңөұүһі]", re.IGNORECASE)


def fetch(client, path: str) -> tuple[int, str, bytes]:
    response = client.get(path)
    try:
        return response.status_code, response.mimetype, response.get_data()
    finally:
        response.close()


def a_kazakh_child_waits(phone) -> list:
    """Dial Astana, choose Kazakh (1), a child (1), and wait one loop: every document heard."""
    call = phone(ASTANA)
    docs = [call.dial(), call.press("1"), call.press("1")]
    return [*docs, call.wait()]


def test_a_kazakh_caller_hears_only_kazakh_audio_from_menu_to_queue(phone, client,
                                                                    kazakh_prompts):
    docs = a_kazakh_child_waits(phone)
    heard = [path for doc in docs for path in played(doc)]
    for name in ("language_option-1-", "greeting-", "caller_type_menu-", "connecting-",
                 "queue_position-1-"):
        assert any(path.startswith(f"/ivr/audio/kk/{name}") for path in heard), name
    russian_says = [say.text for doc in docs for say in doc.iter("Say")
                    if say.get("language") == "ru-RU"]
    assert russian_says == ["Для продолжения на русском языке нажмите 2."]
    assert not [text for doc in docs for text in spoken(doc) if KAZAKH_LETTERS.search(text)]
    status, mimetype, data = fetch(client, heard[0])
    assert status == 200 and mimetype in {"audio/wav", "audio/x-wav"}
    with wave.open(io.BytesIO(data)) as sound:
        assert sound.getnframes() > 0


def test_a_persons_recording_wins_over_the_built_file(app, phone, client, kazakh_prompts):
    recordings = Path(app.extensions["helpline"].settings.prompts_recordings_path) / "kk"
    write_wav(recordings / "greeting.wav", seconds=0.3)
    write_wav(recordings / "queue_position-1.wav", seconds=0.2)
    heard = [path for doc in a_kazakh_child_waits(phone) for path in played(doc)]
    assert "/ivr/audio/kk/greeting.wav" in heard
    assert "/ivr/audio/kk/queue_position-1.wav" in heard
    assert not any(path.startswith("/ivr/audio/kk/greeting-") for path in heard)
    assert fetch(client, "/ivr/audio/kk/greeting.wav")[2] == (recordings / "greeting.wav").read_bytes()


def test_without_audio_kazakh_prompts_are_said_in_russian_and_logged_once(phone, caplog):
    with caplog.at_level(logging.WARNING, logger="ivr.prompts"):
        first = a_kazakh_child_waits(phone)
        a_kazakh_child_waits(phone)
    assert not [path for doc in first for path in played(doc) if path.startswith("/ivr/audio/")]
    said = [(say.text, say.get("voice"), say.get("language")) for doc in first
            for say in doc.iter("Say")]
    assert said[0] == ("Для продолжения на казахском языке нажмите 1.", "Polly.Tatyana", "ru-RU")
    assert all(voice == "Polly.Tatyana" and not KAZAKH_LETTERS.search(text)
               for text, voice, _ in said)
    assert any("Сеним" in text for text, _, _ in said)                  # the greeting, in Russian
    warnings = [r.getMessage() for r in caplog.records if "kk/greeting" in r.getMessage()]
    assert len(warnings) == 1 and "helpline prompts build" in warnings[0]


def test_audio_outside_the_prompt_folders_is_not_served(client, kazakh_prompts):
    assert fetch(client, "/ivr/audio/kk/nothing.wav")[0] == 404
    assert fetch(client, "/ivr/audio/de/greeting.wav")[0] == 404
    assert fetch(client, "/ivr/audio/kk/..%2F..%2Fsecret_key")[0] == 404


@pytest.mark.parametrize(("variable", "voice", "message"), [
    ("VOICE_KK", "Polly.Tatyana", "VOICE_KK: 'Polly.Tatyana' speaks ru-RU, not kk"),
    ("VOICE_RU", "Polly.Joanna", "VOICE_RU: 'Polly.Joanna' speaks en-US, not ru"),
    ("VOICE_EN", "Polly.Nobody", "VOICE_EN: 'Polly.Nobody' is not a voice the line knows"),
])
def test_a_voice_that_does_not_speak_its_language_is_refused_at_start(tmp_path, variable, voice,
                                                                      message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        Settings.from_env({"HELPLINE_INSTANCE_PATH": str(tmp_path), variable: voice}).resolved()


def test_the_say_language_follows_the_voice(tmp_path):
    settings = Settings.from_env({"HELPLINE_INSTANCE_PATH": str(tmp_path),
                                  "VOICE_EN": "Google.en-GB-Standard-A"}).resolved()
    from ivr.prompts import PromptBook

    book = PromptBook(settings.prompts_recordings_path, settings.prompts_build_path,
                      {"kk": "", "ru": settings.voice_ru, "en": settings.voice_en})
    assert book.prompt("en", "goodbye").say_language == "en-GB"
