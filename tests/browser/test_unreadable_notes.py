"""Notes that no configured key opens: the console says so and a save keeps them."""

from __future__ import annotations

from cryptography.fernet import Fernet
from playwright.sync_api import expect

from helpline.extensions import db
from helpline.models import ContactRecord
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_console import answer_a_child

UNREADABLE = "These notes cannot be read with the configured keys; ask the administrator (NOTES_KEY)."


def test_notes_under_a_lost_key_are_said_to_be_unreadable_and_kept_by_a_save(
        live_app, page, browser_context_factory):
    base = live_app.base_url
    answer_a_child(page, base, browser_context_factory)
    page.get_by_label("Age band").select_option("16_17")
    page.get_by_label("Risk level").select_option("medium")
    page.get_by_label("Notes").fill("Talked through what happened at school.")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#record-status")).to_have_text("Saved")

    # The notes were written under a key the deployment no longer has
    lost = Fernet(Fernet.generate_key()).encrypt(b"written under a lost key")
    with live_app.app_context():
        db.session.query(ContactRecord).update({"notes_encrypted": lost})
        db.session.commit()
        db.session.remove()

    page.reload()
    expect(page.locator("#record-status")).to_have_text("The contact record is shown as last saved.")
    expect(page.get_by_role("alert").filter(has_text=UNREADABLE)).to_be_visible()
    expect(page.get_by_label("Notes")).not_to_be_editable()
    expect(page.get_by_label("Risk level")).to_have_value("medium")
    page.screenshot(path=str(ARTIFACTS / "console-notes-unreadable-en.png"), full_page=True)
    page.get_by_label("Risk level").select_option("high")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#record-status")).to_have_text("Saved")
    with live_app.app_context():
        record = db.session.query(ContactRecord).one()
        assert record.notes_encrypted == lost and record.risk_level == "high"
        db.session.remove()
    page.get_by_role("button", name="Hang up").click()
    expect(page.locator("#my-state")).to_have_text("Wrap-up")
