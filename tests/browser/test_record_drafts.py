"""In Chromium: what is typed in the contact record survives a reload (kept as a draft on the
server); the required fields are shown at the field; a record left unsaved is refused a next
call until she chooses, and is finished later from My calls."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from helpline.extensions import db
from helpline.models import ContactRecord, RecordDraft
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_console import answer_a_child

NOTES = "She is afraid to go to school after the fight."


def test_typed_notes_are_kept_as_a_draft_and_come_back_after_a_reload(live_app, page,
                                                                        browser_context_factory):
    base = live_app.base_url
    phone = answer_a_child(page, base, browser_context_factory)
    expect(phone.get_by_role("status")).to_have_text("Talking to a psychologist")
    page.get_by_label("Bullying", exact=True).check()
    page.get_by_label("Notes").fill(NOTES)
    expect(page.locator("#notes-count")).to_have_text(f"{len(NOTES)} / 4000")
    expect(page.locator("#draft-status")).to_have_text(re.compile(r"^Draft saved \d\d:\d\d$"))

    page.reload()
    expect(page.locator("#my-state")).to_have_text("On a call")
    expect(page.get_by_label("Notes")).to_have_value(NOTES)
    expect(page.get_by_label("Bullying", exact=True)).to_be_checked()
    expect(page.locator("#record-status")).to_contain_text("Your unsaved draft is shown")
    expect(page.locator("#notes-count")).to_have_text(f"{len(NOTES)} / 4000")
    page.screenshot(path=str(ARTIFACTS / "record-draft-restored.png"), full_page=True)

    page.get_by_role("button", name="Save").click()          # no risk level yet
    expect(page.locator("#r-risk-error")).to_have_text("Choose the risk level.")
    expect(page.get_by_label("Risk level")).to_be_focused()
    expect(page.get_by_label("Risk level")).to_have_attribute("aria-invalid", "true")
    page.screenshot(path=str(ARTIFACTS / "record-required-field.png"), full_page=True)
    with live_app.app_context():
        assert db.session.query(ContactRecord).count() == 0
        db.session.remove()

    page.get_by_label("Risk level").select_option("low")
    expect(page.locator("#r-risk-error")).to_be_hidden()
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#record-status")).to_have_text("Saved")
    with live_app.app_context():
        assert db.session.query(RecordDraft).count() == 0     # the draft served: gone
        db.session.remove()


def test_an_unsaved_record_is_put_off_then_finished_from_my_calls(live_app, page,
                                                                  browser_context_factory):
    base = live_app.base_url
    phone = answer_a_child(page, base, browser_context_factory)
    expect(phone.get_by_role("status")).to_have_text("Talking to a psychologist")
    page.get_by_label("Notes").fill(NOTES)
    expect(page.locator("#draft-status")).to_contain_text("Draft saved")
    page.get_by_role("button", name="Hang up").click()
    expect(page.locator("#my-state")).to_have_text("Wrap-up")

    page.get_by_role("button", name="Available").click()
    choice = page.get_by_role("alertdialog")
    expect(choice).to_contain_text("Save the record of your last call first")
    expect(page.locator("#my-state")).to_have_text("Wrap-up")
    page.screenshot(path=str(ARTIFACTS / "record-unsaved-choice.png"), full_page=True)
    page.get_by_role("button", name="Save later").click()
    expect(page.locator("#my-state")).to_have_text("Available")
    expect(choice).to_be_hidden()

    page.get_by_role("link", name="My calls").first.click()
    row = page.locator("table.my-calls tbody tr").first
    expect(row).to_contain_text("incomplete")
    expect(row).to_contain_text("English")
    page.screenshot(path=str(ARTIFACTS / "my-calls-incomplete.png"), full_page=True)
    row.get_by_role("link", name="Finish the record").click()

    expect(page.get_by_label("Notes")).to_have_value(NOTES)
    expect(page.get_by_label("Caller type")).to_have_value("child")     # as the caller chose in the menu
    page.get_by_label("Risk level").select_option("medium")
    page.get_by_label("Notes").fill(NOTES + " Referred to the school psychologist.")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#record-status")).to_have_text("Saved")
    page.screenshot(path=str(ARTIFACTS / "my-calls-record-saved.png"), full_page=True)

    page.get_by_role("link", name="My calls").first.click()
    expect(page.locator("table.my-calls tbody tr").first).to_contain_text("complete")
    expect(page.locator("table.my-calls tbody tr").first).not_to_contain_text("incomplete")
    page.screenshot(path=str(ARTIFACTS / "my-calls-complete.png"), full_page=True)
    html = page.content()                  # no caller identity on the page
    assert not re.search(r"\+?7701\d{7}", html) and not re.search(r"CA[0-9a-f]{32}", html)
