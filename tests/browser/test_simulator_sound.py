"""The simulated phone is heard: <Play> through an audio element, <Say> through the browser's
speech synthesis in the <Say> language; the mute toggle silences both."""

from __future__ import annotations

import io
import wave

from playwright.sync_api import expect

from ivr.synth import build

#: Records what the page asks the browser to say and play (the real calls still go through).
LISTEN = """
window.__spoken = [];
window.__played = [];
if (window.speechSynthesis) {
  const speak = window.speechSynthesis.speak.bind(window.speechSynthesis);
  window.speechSynthesis.speak = (u) => { window.__spoken.push({text: u.text, lang: u.lang}); speak(u); };
}
const play = HTMLMediaElement.prototype.play;
HTMLMediaElement.prototype.play = function () { window.__played.push(this.src); return play.call(this); };
"""


def dial_almaty(page, base: str) -> None:
    page.goto(base + "/simulator")
    page.get_by_label("Number to call").select_option(label="Almaty PSC (demo) · +77273555150")
    page.get_by_role("button", name="Call").click()


def test_the_simulator_plays_kazakh_audio_and_speaks_said_prompts(live_app, page):
    build(live_app.extensions["helpline"].settings, ["language_option"])   # real espeak-ng
    page.add_init_script(LISTEN)
    dial_almaty(page, live_app.base_url)
    page.wait_for_function("() => window.__played.some(u => u.includes('/ivr/audio/kk/'))")
    source = page.locator("#line-audio").get_attribute("src")
    assert source.startswith("/ivr/audio/kk/language_option-1-") and source.endswith(".wav")
    page.wait_for_function("() => window.__spoken.some(s => s.text === 'For English, press 3.')")
    spoken = page.evaluate("() => window.__spoken")
    assert {"text": "Для продолжения на русском языке нажмите 2.", "lang": "ru-RU"} in spoken
    assert {"text": "For English, press 3.", "lang": "en-US"} in spoken
    audio = page.request.get(live_app.base_url + source)
    assert audio.ok and audio.headers["content-type"].startswith("audio/")
    with wave.open(io.BytesIO(audio.body())) as sound:
        assert sound.getnchannels() == 1 and sound.getnframes() / sound.getframerate() > 0.5
    page.get_by_role("button", name="Hang up").click()


def test_muted_the_simulator_shows_the_call_without_sound(live_app, page):
    page.add_init_script(LISTEN)
    dial_almaty(page, live_app.base_url)
    expect(page.locator("#transcript")).to_contain_text("For English, press 3.")
    page.get_by_label("Mute the line (audio and speech)").check()
    page.get_by_role("button", name="Key 3").click()
    expect(page.locator("#transcript")).to_contain_text("You do not need to give your name")
    spoken = page.evaluate("() => window.__spoken.map(s => s.text)")
    assert "For English, press 3." in spoken
    assert not [text for text in spoken if "You do not need to give your name" in text]
    page.reload()
    expect(page.get_by_label("Mute the line (audio and speech)")).to_be_checked()
