"""TwiML documents parsed back: verbs, attributes and order."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from ivr import twiml
from ivr.prompts import Prompt, PromptBook, numbers_text

SAY = Prompt(text="Hello", say_language="en-US", voice="Polly.Joanna")
RECORDED = Prompt(text="Сәлем", say_language="ru-RU", voice="Polly.Tatyana",
                  audio_path="kk/greeting.mp3")


def parse(body: str) -> ET.Element:
    root = ET.fromstring(body)  # noqa: S314
    assert root.tag == "Response"
    return root


def test_menu_gathers_one_key_and_falls_through_to_a_redirect():
    root = parse(twiml.menu([SAY], action="https://x/ivr/a?leg=1", fallthrough="https://x/ivr/a?leg=1",
                            timeout=6, audio_base="https://x/ivr/audio", before=[RECORDED]))
    assert [c.tag for c in root] == ["Gather", "Redirect"]
    gather = root[0]
    assert (gather.get("numDigits"), gather.get("timeout"), gather.get("method")) == ("1", "6", "POST")
    assert [c.tag for c in gather] == ["Play", "Say"]      # keys work during the greeting too
    assert gather[0].text == "https://x/ivr/audio/kk/greeting.mp3"
    assert gather[1].get("voice") == "Polly.Joanna"
    assert root[1].get("method") == "POST"


def test_enqueue_names_queue_wait_url_and_action():
    root = parse(twiml.enqueue([SAY], queue_name="centre-1", wait_url="https://x/w",
                               action="https://x/r", audio_base=""))
    node = root.find("Enqueue")
    assert (node.text, node.get("waitUrl"), node.get("action")) == ("centre-1", "https://x/w", "https://x/r")


def test_help_document_ends_with_hangup():
    root = parse(twiml.say_and_hang_up([SAY], audio_base=""))
    assert [c.tag for c in root] == ["Say", "Hangup"]


def test_a_persons_recording_replaces_the_said_text(tmp_path):
    book = PromptBook(str(tmp_path / "rec"), str(tmp_path / "built"),
                      {"kk": "", "ru": "Polly.Tatyana", "en": "Polly.Joanna"})
    assert book.prompt("ru", "greeting").audio_path is None
    (tmp_path / "rec" / "ru").mkdir(parents=True)
    (tmp_path / "rec" / "ru" / "greeting.mp3").write_bytes(b"ID3")
    prompt = book.prompt("ru", "greeting")
    assert prompt.audio_path == "ru/greeting.mp3" and "Сеним" in prompt.text
    assert book.prompt("ru", "greeting", audio=False).audio_path is None   # a copy kept elsewhere


def test_every_language_has_every_prompt():
    from ivr.prompts import catalogue

    keys = set(catalogue("en"))
    for language in ("kk", "ru"):
        assert set(catalogue(language)) == keys
        assert set(catalogue(language)["number_names"]) == set(catalogue("en")["number_names"])


def test_unknown_help_numbers_are_said_as_they_are():
    assert numbers_text("en", ["112", "1414"]) == "112 for emergencies; 1414"
