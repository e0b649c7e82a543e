"""The caller's side of the line, webhook by webhook, with TwiML checked verb by verb."""

from __future__ import annotations

from tests.conftest import ALMATY, ASTANA, all_calls, played, spoken, verbs


def test_incoming_call_offers_the_centres_languages_then_greets_in_the_chosen_one(
        phone, app, kazakh_prompts):
    call = phone(ASTANA)
    doc = call.dial()
    assert verbs(doc) == ["Gather", "Redirect"]
    gather = doc.find("Gather")
    assert gather.get("numDigits") == "1" and gather.get("timeout") == "6"
    assert "/ivr/language?leg=" in gather.get("action")
    assert [child.tag for child in gather] == ["Play", "Say"]   # each option in its own voice
    assert played(doc)[0].startswith("/ivr/audio/kk/language_option-1-")
    (option,) = spoken(doc)
    assert "русском" in option and "2" in option

    doc = call.press("2")
    said = spoken(doc)
    assert "конфиденциальный" in said[0] and "имя" in said[0]   # greeting: confidential, no name
    assert "нажмите 9" in said[1]                               # urgent choice offered first
    assert "/ivr/caller-type?leg=" in doc.find("Gather").get("action")
    for say in doc.iter("Say"):
        assert say.get("voice") == "Polly.Tatyana" and say.get("language") == "ru-RU"

    (row,) = all_calls(app)
    assert row.language == "ru" and row.state == "in_menu" and row.outcome is None


def test_english_is_offered_where_the_centre_lists_it(phone):
    call = phone(ALMATY)
    options = spoken(call.dial())
    assert options[2] == "For English, press 3."
    doc = call.press("3")
    assert "You do not need to give your name" in spoken(doc)[0]
    assert doc.find(".//Say").get("language") == "en-US"


def test_caller_type_choice_puts_the_caller_in_the_queue(phone, app):
    call = phone(ALMATY)
    call.dial()
    call.press("3")
    doc = call.press("2")
    assert verbs(doc) == ["Say", "Enqueue"]
    assert "stay on the line" in spoken(doc)[0]
    enqueue = call.enqueue
    assert enqueue.text == "centre-2"
    assert "/ivr/queue/wait?leg=" in enqueue.get("waitUrl")
    assert "/ivr/queue/result?leg=" in enqueue.get("action")

    (row,) = all_calls(app)
    assert (row.state, row.language, row.caller_type, row.is_urgent) == ("queued", "en", "parent", False)
    assert row.queued_at is not None
    assert row.menu_path == "language#1:3 caller_type#1:2"


def test_wait_loop_says_position_and_plays_hold_music(phone):
    call = phone(ALMATY)
    call.dial()
    call.press("3")
    call.press("1")
    wait = call.wait()
    assert verbs(wait) == ["Say", "Play"]
    assert spoken(wait) == ["You are number 1 in line."]
    assert wait.find("Play").text.endswith("/static/audio/hold.wav")


def test_urgent_caller_hears_emergency_numbers_once_and_is_queued_ahead(phone, app, clock):
    first = phone(ALMATY)
    first.dial()
    first.press("3")
    first.press("1")
    clock.advance(seconds=5)

    urgent = phone(ALMATY)
    urgent.dial()
    urgent.press("3")
    doc = urgent.press("9")
    said = " ".join(spoken(doc))
    assert said.count("112 for emergencies") == 1
    assert "150, the national child trust line" in said
    assert verbs(doc) == ["Say", "Enqueue"]

    assert spoken(urgent.wait()) == ["You are number 1 in line."]
    assert spoken(first.wait()) == ["You are number 2 in line."]
    assert "112" not in " ".join(spoken(urgent.wait()))  # said once, not on every loop

    rows = all_calls(app)
    assert [r.is_urgent for r in rows] == [False, True]
    assert rows[1].caller_type is None and "caller_type#1:urgent" in rows[1].menu_path


def test_nine_in_the_language_menu_is_urgent_in_the_first_language(phone, app):
    call = phone(ASTANA)
    call.dial()
    doc = call.press("9")
    assert "Enqueue" in verbs(doc)
    (row,) = all_calls(app)
    assert row.is_urgent and row.language == "kk"


def test_silence_repeats_the_menu_then_goes_on_with_defaults_never_hanging_up(
        phone, app, kazakh_prompts):
    call = phone(ASTANA)
    call.dial()
    for attempt in (2, 3):
        doc = call.press(None)
        assert f"attempt={attempt}" in doc.find("Gather").get("action")
        assert "Hangup" not in verbs(doc)
    doc = call.press(None)                      # third silence: default language (kk)
    assert played(doc)[0].startswith("/ivr/audio/kk/greeting-")
    call.press(None)
    call.press(None)
    doc = call.press(None)                      # caller type never said: queue anyway
    assert verbs(doc) == ["Play", "Enqueue"]
    (row,) = all_calls(app)
    assert row.language == "kk" and row.caller_type is None and row.state == "queued"
    assert row.menu_path.split() == [
        "language#1:none", "language#2:none", "language#3:none>default",
        "caller_type#1:none", "caller_type#2:none", "caller_type#3:none>default",
    ]


def test_wrong_keys_get_an_apology_and_the_menu_again(phone, app, kazakh_prompts):
    call = phone(ALMATY)
    call.dial()
    for garbage in ("7", "*"):
        doc = call.press(garbage)
        assert verbs(doc) == ["Gather", "Redirect"]
        assert played(doc)[0].startswith("/ivr/audio/kk/not_understood-")  # the first language
    doc = call.press("abc")                                  # third try: go on in Kazakh
    assert played(doc)[0].startswith("/ivr/audio/kk/greeting-")
    doc = call.press("0")
    assert any(path.startswith("/ivr/audio/kk/not_understood-") for path in played(doc))
    doc = call.press("1")
    assert "Enqueue" in verbs(doc)
    (row,) = all_calls(app)
    assert row.caller_type == "child" and row.language == "kk"
    assert row.menu_path.split()[:3] == ["language#1:7", "language#2:*", "language#3:none>default"]
