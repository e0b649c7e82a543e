"""A person's recording is heard from the next webhook on, however soon after the folder was
last read, and a removed one is no longer offered (the folder listings are cached)."""

from __future__ import annotations

from ivr.prompts import PromptBook

VOICES = {"kk": "", "ru": "Polly.Tatyana", "en": "Polly.Joanna"}


def test_a_recording_added_or_removed_right_after_a_look_up_is_seen_at_once(tmp_path):
    folder = tmp_path / "rec" / "ru"
    folder.mkdir(parents=True)
    (folder / "goodbye.wav").write_bytes(b"RIFF")
    book = PromptBook(str(tmp_path / "rec"), str(tmp_path / "built"), VOICES)
    assert book.prompt("ru", "greeting").audio_path is None          # the folder has been read
    (folder / "greeting.wav").write_bytes(b"RIFF")                  # in the same clock tick
    assert book.prompt("ru", "greeting").audio_path == "ru/greeting.wav"
    (folder / "greeting.wav").unlink()
    assert book.prompt("ru", "greeting").audio_path is None
    assert book.prompt("ru", "goodbye").audio_path == "ru/goodbye.wav"


def test_a_built_kazakh_prompt_is_found_once_the_build_writes_it(tmp_path):
    from ivr.prompts import prompt_text, synth_file_name

    book = PromptBook(str(tmp_path / "rec"), str(tmp_path / "built"), VOICES)
    assert book.prompt("kk", "goodbye").voice == "Polly.Tatyana"      # said in Russian meanwhile
    built = tmp_path / "built" / "kk"
    built.mkdir(parents=True)
    (built / synth_file_name("goodbye", prompt_text("kk", "goodbye", {}))).write_bytes(b"RIFF")
    assert book.prompt("kk", "goodbye").audio_path.startswith("kk/goodbye-")
