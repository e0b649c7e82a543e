"""The psychologist's line drops mid-call, she rejoins the same caller from the console, then hangs up.

Everything goes through the real pages: the console in one browser profile, the /simulator phone
in another; the drop is the simulator's "Drop the psychologist's line" button.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

import tests.browser.conftest as browser_conftest
from helpline.extensions import db
from helpline.models import Centre
from helpline.services.accounts import NewUser, create_user
from helpline.services.demo import DEMO_PASSWORD
from tests.browser.conftest import ARTIFACTS, call_almaty_as_a_child
from tests.browser.test_console import sign_in
from tests.browser.test_voice_device import RECORD_CALL_TEXTS
from tests.conftest import all_calls

CUT = "the line to your psychologist was cut"
STAY = "Please stay on the line"
#: The time given to rejoin in the hand-over scenario (45 s in service: too long for a browser test).
SHORT_REJOIN_SECONDS = 4


@pytest.fixture
def live_app_short_rejoin(tmp_path, backend, monkeypatch):
    """``live_app`` with a short time to rejoin and a second English-speaking Almaty psychologist."""
    real_create_app = browser_conftest.create_app

    def create_app(overrides, **kwargs):
        return real_create_app({**overrides, "agent_rejoin_seconds": SHORT_REJOIN_SECONDS}, **kwargs)

    monkeypatch.setattr(browser_conftest, "create_app", create_app)
    for app in browser_conftest._serve(tmp_path, backend):
        with app.app_context():
            almaty = db.session.query(Centre).filter_by(name="Almaty PSC (demo)").one()
            create_user(db.session, NewUser("aliya", DEMO_PASSWORD, "psychologist", almaty.id,
                                            ("kk", "ru", "en"), "en"),
                        app.extensions["helpline"].clock.now())
            db.session.commit()
            db.session.remove()
        yield app


def test_a_dropped_line_is_rejoined_from_the_console_and_the_caller_is_back(
        live_app, page, browser_context_factory):
    base = live_app.base_url
    sign_in(page, base, "saule")
    expect(page).to_have_url(re.compile(r"/console$"))
    status = page.locator("#my-state")
    page.get_by_role("button", name="Available").click()
    expect(status).to_have_text("Available")

    phone = browser_context_factory().new_page()
    call_almaty_as_a_child(phone, base)
    phone_status = phone.get_by_role("status")
    transcript = phone.locator("#transcript")
    on_line = phone.locator("#on-line")
    drop = phone.get_by_role("button", name="Drop the psychologist's line")
    expect(drop).to_be_disabled()                       # nobody to drop while the caller waits

    page.get_by_role("button", name="Accept").click()
    expect(status).to_have_text("On a call")
    call_status = page.locator("#call-status")
    expect(call_status).to_have_text("Connected")
    expect(phone_status).to_have_text("Talking to a psychologist")
    expect(on_line).to_have_text("On the line: you and the psychologist")
    page.get_by_label("Notes").fill("Talked about school before the line dropped.")

    # ---- the psychologist's line drops
    expect(drop).to_be_enabled()
    drop.click()
    expect(phone.get_by_role("alert")).to_have_text("")
    expect(transcript).to_contain_text("The psychologist's line dropped")
    expect(transcript).to_contain_text(CUT)
    expect(transcript).to_contain_text(STAY)
    cut_lines = transcript.locator("li.say", has_text=CUT)
    expect(cut_lines.first).to_be_visible()
    # the call goes on: the caller is still on the line, waiting, and can still hang up
    expect(phone_status).not_to_have_text("Call ended")
    expect(phone.get_by_role("button", name="Hang up")).to_be_enabled()
    expect(phone.get_by_role("button", name="Call")).to_be_disabled()
    expect(drop).to_be_disabled()                       # no psychologist on the line now
    expect(on_line).not_to_contain_text("the psychologist")

    leg_lost = page.locator("#leg-lost")
    expect(leg_lost).to_be_visible()
    expect(page.locator("#leg-lost-text")).to_have_text(
        "Your call audio dropped. The caller is still on the line and has been asked to wait. "
        "Press Rejoin to return to the call.")
    expect(page.get_by_role("alert").filter(has_text="Your call audio dropped")).to_be_visible()
    countdown = page.locator("#leg-lost-timer")
    expect(countdown).to_have_text(re.compile(r"^00:(4[0-5]|3\d)$"))   # 45 s given, counting down
    first = countdown.text_content()
    expect(countdown).not_to_have_text(first)          # it moves
    rejoin = page.get_by_role("button", name="Rejoin")
    expect(rejoin).to_be_enabled()
    expect(status).to_have_text("On a call")
    expect(page.get_by_role("button", name="Hang up")).to_be_enabled()
    expect(page.locator("#record")).to_be_visible()
    expect(page.get_by_label("Notes")).to_have_value("Talked about school before the line dropped.")
    page.screenshot(path=str(ARTIFACTS / "console-leg-lost-en.png"), full_page=True)
    phone.screenshot(path=str(ARTIFACTS / "simulator-agent-dropped.png"), full_page=True)

    # ---- she rejoins the same caller
    rejoin.click()
    expect(leg_lost).to_be_hidden()
    expect(call_status).to_have_text("Connected")
    expect(page.locator("#notice-text")).to_have_text("You are back on the call.")
    expect(status).to_have_text("On a call")
    expect(page.locator("#console-error")).to_have_text("")
    expect(phone_status).to_have_text("Talking to a psychologist")
    expect(on_line).to_have_text("On the line: you and the psychologist")
    expect(drop).to_be_enabled()
    joined = transcript.locator("li", has_text=re.compile(
        r"You joined the conversation with the psychologist|The psychologist joined the conversation"))
    expect(joined).to_have_count(2)                    # once on accept, once on rejoin
    expect(page.get_by_label("Notes")).to_have_value("Talked about school before the line dropped.")
    page.screenshot(path=str(ARTIFACTS / "console-rejoined-en.png"), full_page=True)
    phone.screenshot(path=str(ARTIFACTS / "simulator-rejoined.png"), full_page=True)

    # ---- she hangs up; the call ends on the phone too
    page.get_by_label("Risk level").select_option("low")   # required
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#record-status")).to_have_text("Saved")
    page.get_by_role("button", name="Hang up").click()
    expect(status).to_have_text("Wrap-up")
    expect(phone_status).to_have_text("Call ended")
    expect(phone.get_by_role("button", name="Call")).to_be_enabled()
    expect(phone.get_by_role("button", name="Hang up")).to_be_disabled()
    expect(transcript.locator("li.end").last).to_have_text(re.compile(r"Call ended$"))
    expect(leg_lost).to_be_hidden()

    (row,) = all_calls(live_app)                        # one register entry, answered, not re-queued
    assert row.outcome == "answered" and row.talk_seconds is not None and row.ended_at is not None
    for html in (page.content(), phone.content()):
        assert not re.search(r"\+?7701\d{7}", html) and not re.search(r"CA[0-9a-f]{32}", html)


def test_nobody_rejoins_in_time_so_the_caller_is_passed_to_a_colleague(
        live_app_short_rejoin, page, browser_context_factory):
    app = live_app_short_rejoin
    base = app.base_url
    sign_in(page, base, "saule")
    first_status = page.locator("#my-state")
    page.get_by_role("button", name="Available").click()
    expect(first_status).to_have_text("Available")
    colleague = browser_context_factory().new_page()
    sign_in(colleague, base, "aliya")
    expect(colleague).to_have_url(re.compile(r"/console$"))
    second_status = colleague.locator("#my-state")
    expect(second_status).to_have_text("Break")        # on break: the first call goes to saule

    phone = browser_context_factory().new_page()
    call_almaty_as_a_child(phone, base)
    page.get_by_role("button", name="Accept").click()
    expect(page.locator("#call-status")).to_have_text("Connected")
    expect(phone.get_by_role("status")).to_have_text("Talking to a psychologist")
    colleague.get_by_role("button", name="Available").click()
    expect(second_status).to_have_text("Available")
    expect(colleague.locator("#offer")).to_be_hidden()

    phone.get_by_role("button", name="Drop the psychologist's line").click()
    expect(page.locator("#leg-lost")).to_be_visible()
    expect(page.locator("#leg-lost-timer")).to_have_text(re.compile(r"^00:0[0-4]$"))
    expect(page.locator("#leg-lost-status")).to_have_text(
        "Time is up: the caller is being passed to a colleague.")

    # the caller waits at the head of the queue and is offered to the colleague
    offer = colleague.locator("#offer")
    expect(offer).to_be_visible()
    expect(colleague.locator("#offer-language")).to_have_text("English")
    expect(page.locator("#leg-lost")).to_be_hidden()
    expect(page.locator("#notice-text")).to_have_text(
        "The caller was passed to a colleague; nothing more is needed from you for this call. "
        "Finish the contact record as usual.")
    expect(first_status).to_have_text("Wrap-up")
    expect(page.locator("#call")).to_be_hidden()
    expect(page.locator("#record")).to_be_visible()    # her record stays to be finished
    page.screenshot(path=str(ARTIFACTS / "console-handed-on-en.png"), full_page=True)
    expect(phone.get_by_role("status")).to_have_text("Waiting in the queue")
    expect(phone.locator("#transcript")).to_contain_text("technical problem")

    colleague.get_by_role("button", name="Accept").click()
    expect(second_status).to_have_text("On a call")
    expect(colleague.locator("#call-status")).to_have_text("Connected")
    expect(phone.get_by_role("status")).to_have_text("Talking to a psychologist")
    expect(phone.locator("#on-line")).to_have_text("On the line: you and the psychologist")
    phone.screenshot(path=str(ARTIFACTS / "simulator-handed-on.png"), full_page=True)
    expect(first_status).to_have_text("Wrap-up")        # nothing reaches the first console
    expect(page.locator("#call")).to_be_hidden()

    page.get_by_label("Notes").fill("Line dropped; passed to a colleague.")
    page.get_by_label("Risk level").select_option("low")   # required
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#record-status")).to_have_text("Saved")

    colleague.get_by_role("button", name="Hang up").click()
    expect(second_status).to_have_text("Wrap-up")
    expect(phone.get_by_role("status")).to_have_text("Call ended")
    (row,) = all_calls(app)
    assert row.outcome == "answered" and row.ended_at is not None


def test_a_reloaded_console_shows_the_call_again_with_its_dropped_line_and_saved_record(
        live_app, page, browser_context_factory):
    """A reload never hides the call, Rejoin, or the contact record: what was saved, and what
    was typed since, kept as a draft on the server (encrypted), never in the browser."""
    base = live_app.base_url
    sign_in(page, base, "saule")
    status = page.locator("#my-state")
    page.get_by_role("button", name="Available").click()
    expect(status).to_have_text("Available")

    phone = browser_context_factory().new_page()
    call_almaty_as_a_child(phone, base)
    phone_status = phone.get_by_role("status")
    page.get_by_role("button", name="Accept").click()
    call_status = page.locator("#call-status")
    expect(call_status).to_have_text("Connected")
    expect(phone_status).to_have_text("Talking to a psychologist")

    # ---- a reload during the conversation: the call panel comes back, the call goes on
    page.reload()
    expect(status).to_have_text("On a call")
    expect(page.locator("#call")).to_be_visible()
    expect(call_status).to_have_text("Connected")
    expect(page.get_by_role("button", name="Hang up")).to_be_enabled()
    leg_lost = page.locator("#leg-lost")
    expect(leg_lost).to_be_hidden()
    expect(page.locator("#record")).to_be_visible()
    expect(page.get_by_label("Caller type")).to_have_value("child")
    expect(page.get_by_label("Notes")).to_have_value("")          # nothing saved yet
    expect(page.locator("#record-status")).to_have_text("")
    expect(phone_status).to_have_text("Talking to a psychologist")
    expect(phone.locator("#on-line")).to_have_text("On the line: you and the psychologist")

    # ---- she writes the record, her line drops, she saves it
    due = (live_app.extensions["helpline"].clock.now() + timedelta(days=7)).date().isoformat()
    notes = "Bullied at school; talked it through before the line dropped."
    page.get_by_label("Age band").select_option("16_17")
    page.get_by_label("Gender").select_option("female")
    page.get_by_label("Bullying", exact=True).check()
    page.get_by_label("Violence at school").check()
    page.get_by_label("Risk level").select_option("medium")
    page.get_by_label("Consent (caller under 16)").select_option("not_required")
    page.get_by_label("advice given").check()
    page.get_by_label("Follow-up needed").check()
    page.get_by_label("Follow-up by").fill(due)
    page.get_by_label("Notes").fill(notes)
    phone.get_by_role("button", name="Drop the psychologist's line").click()
    expect(leg_lost).to_be_visible()
    expect(phone.locator("#transcript")).to_contain_text(CUT)
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#record-status")).to_have_text("Saved")
    page.get_by_label("Notes").fill(notes + " Not saved yet.")   # kept as a draft
    expect(page.locator("#draft-status")).to_contain_text("Draft saved")

    # ---- a reload while the line is down: the notice, its countdown and Rejoin come back
    page.reload()
    expect(status).to_have_text("On a call")
    expect(leg_lost).to_be_visible()
    expect(page.locator("#leg-lost-text")).to_have_text(
        "Your call audio dropped. The caller is still on the line and has been asked to wait. "
        "Press Rejoin to return to the call.")
    countdown = page.locator("#leg-lost-timer")
    expect(countdown).to_have_text(re.compile(r"^00:(4[0-4]|[0-3]\d)$"))   # the time left, not 45 s anew
    first = countdown.text_content()
    expect(countdown).not_to_have_text(first)          # it moves
    rejoin = page.get_by_role("button", name="Rejoin")
    expect(rejoin).to_be_enabled()
    expect(page.get_by_role("button", name="Hang up")).to_be_enabled()
    expect(call_status).to_have_text("")               # never "Connected" while the line is down
    # the record from the server, with the words typed after the save (its draft)
    expect(page.locator("#record-status")).to_contain_text("Your unsaved draft is shown")
    expect(page.get_by_label("Caller type")).to_have_value("child")
    expect(page.get_by_label("Age band")).to_have_value("16_17")
    expect(page.get_by_label("Gender")).to_have_value("female")
    expect(page.get_by_label("Bullying", exact=True)).to_be_checked()
    expect(page.get_by_label("Violence at school")).to_be_checked()
    expect(page.get_by_label("Cyberbullying")).not_to_be_checked()
    expect(page.get_by_label("Risk level")).to_have_value("medium")
    expect(page.get_by_label("Consent (caller under 16)")).to_have_value("not_required")
    expect(page.get_by_label("advice given")).to_be_checked()
    expect(page.get_by_label("police")).not_to_be_checked()
    expect(page.get_by_label("Follow-up needed")).to_be_checked()
    expect(page.get_by_label("Follow-up by")).to_have_value(due)
    expect(page.get_by_label("Notes")).to_have_value(notes + " Not saved yet.")
    expect(page.get_by_label("Notes")).to_be_editable()
    assert page.evaluate("() => localStorage.length + sessionStorage.length") == 0
    expect(phone_status).not_to_have_text("Call ended")   # the caller still waits
    page.screenshot(path=str(ARTIFACTS / "console-reloaded-leg-lost-en.png"), full_page=True)

    # ---- Rejoin works from the reloaded page
    rejoin.click()
    expect(leg_lost).to_be_hidden()
    expect(call_status).to_have_text("Connected")
    expect(page.locator("#notice-text")).to_have_text("You are back on the call.")
    expect(page.locator("#console-error")).to_have_text("")
    expect(phone_status).to_have_text("Talking to a psychologist")
    expect(phone.locator("#on-line")).to_have_text("On the line: you and the psychologist")
    expect(page.get_by_label("Notes")).to_have_value(notes + " Not saved yet.")

    page.get_by_role("button", name="Hang up").click()
    expect(status).to_have_text("Wrap-up")
    expect(phone_status).to_have_text("Call ended")
    expect(page.locator("#call")).to_be_hidden()
    expect(page.locator("#record")).to_be_visible()
    (row,) = all_calls(live_app)                        # one register entry, answered, not re-queued
    assert row.outcome == "answered" and row.ended_at is not None


def test_a_console_reloaded_in_the_wrap_up_never_shows_the_ended_call_as_going_on(
        live_app, page, browser_context_factory):
    """Reloaded in the wrap-up, the console shows the wrap-up and the saved record (while another
    console of hers keeps her connected), and never the ended call with Hang up or "Connected"."""
    base = live_app.base_url
    sign_in(page, base, "saule")
    status = page.locator("#my-state")
    page.get_by_role("button", name="Available").click()
    expect(status).to_have_text("Available")
    phone = browser_context_factory().new_page()
    call_almaty_as_a_child(phone, base)
    page.get_by_role("button", name="Accept").click()
    expect(page.locator("#call-status")).to_have_text("Connected")
    notes = "Talked about exams."
    page.get_by_label("Notes").fill(notes)
    page.get_by_label("Risk level").select_option("low")   # required
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#record-status")).to_have_text("Saved")
    page.get_by_role("button", name="Hang up").click()
    expect(status).to_have_text("Wrap-up")
    expect(phone.get_by_role("status")).to_have_text("Call ended")

    # every text the call panel shows after a reload, transient ones included
    page.add_init_script(RECORD_CALL_TEXTS)
    other = page.context.new_page()                     # her second console tab
    other.goto(f"{base}/console")
    expect(other.locator("#my-state")).to_have_text("Wrap-up")
    page.reload()
    expect(status).to_have_text("Wrap-up")
    expect(page.locator("#wrapup")).to_be_visible()
    expect(page.locator("#wrapup-timer")).to_have_text(re.compile(r"^00:[0-5]\d$"))   # time left
    expect(page.locator("#record-status")).to_have_text("The contact record is shown as last saved.")
    expect(page.get_by_label("Notes")).to_have_value(notes)
    expect(page.locator("#call")).to_be_hidden()
    shown = page.evaluate("() => Array.from(window.__shown)")
    assert "call-status: Connected" not in shown, shown

    # with no console of hers left connected, a reload does not bring the ended call back either
    other.close()
    page.reload()
    expect(status).not_to_have_text(re.compile("Connecting"))
    page.wait_for_timeout(1500)                         # anything re-sent on connecting has arrived
    expect(page.locator("#call")).to_be_hidden()
    shown = page.evaluate("() => Array.from(window.__shown)")
    assert "call-status: Connected" not in shown, shown
