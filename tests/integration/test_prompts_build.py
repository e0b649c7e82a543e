"""`helpline prompts build` with Debian's espeak-ng: Kazakh prompts as WAV files, idempotent."""

from __future__ import annotations

import wave
from pathlib import Path

import pytest


@pytest.fixture
def settings_overrides(settings_overrides):
    return {**settings_overrides, "prompts_max_queue_position": 2}


def test_the_command_speaks_kazakh_prompts_into_wav_files_once(app, helpline_cli):
    folder = Path(app.extensions["helpline"].settings.prompts_build_path) / "kk"
    first = helpline_cli("prompts", "build", "--key", "greeting", "--key", "queue_position")
    assert first.exit_code == 0, first.output
    assert "3 built, 0 unchanged" in first.output
    names = sorted(path.name.rsplit("-", 1)[0] for path in folder.glob("*.wav"))
    assert names == ["greeting", "queue_position-1", "queue_position-2"]
    for path in folder.glob("*.wav"):
        with wave.open(str(path)) as audio:
            assert audio.getnchannels() == 1
            assert audio.getnframes() / audio.getframerate() > 0.5       # something is said
    again = helpline_cli("prompts", "build", "--key", "greeting", "--key", "queue_position")
    assert "0 built, 3 unchanged" in again.output


def test_a_full_build_makes_every_variant_and_removes_stale_files(app, helpline_cli):
    folder = Path(app.extensions["helpline"].settings.prompts_build_path) / "kk"
    folder.mkdir(parents=True)
    (folder / "greeting-000000000000.wav").write_bytes(b"RIFF")     # an older text's file
    result = helpline_cli("prompts", "build")
    assert result.exit_code == 0, result.output
    assert "1 removed" in result.output
    names = {path.name.rsplit("-", 1)[0] for path in folder.glob("*.wav")}
    assert {"language_option-1", "language_option-3", "urgent-112-102-103-111-150",
            "blocked_help-112-102-103-111-150", "queue_position-2"} <= names
    assert "greeting" in names and not (folder / "greeting-000000000000.wav").exists()


def test_an_unknown_prompt_is_refused(helpline_cli):
    result = helpline_cli("prompts", "build", "--key", "welcome")
    assert result.exit_code == 1 and "no such prompt: welcome" in result.output
