"""Ask for help and cold transfer through the simulator, in real Chromium: the supervisor's
banner and "On my way", and a caller passed to another centre's psychologist."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import select

from helpline.extensions import db
from helpline.models import Call
from tests.browser.conftest import ARTIFACTS, SERVED
from tests.browser.test_console import answer_a_child, sign_in


def test_ask_for_help_reaches_the_supervisor_on_call_and_on_my_way_reaches_the_console(
        live_app, page, browser_context_factory):
    base = live_app.base_url
    supervisor = browser_context_factory().new_page()
    sign_in(supervisor, base, "supervisor.almaty")
    supervisor.goto(f"{base}/supervisor")
    answer_a_child(page, base, browser_context_factory)
    page.locator("#r-risk").select_option("high")
    expect(page.locator("#draft-status")).to_contain_text("Draft saved")

    page.get_by_role("button", name="Ask for help").click()
    expect(page.locator("#help-status")).to_contain_text("Supervisor alerted: supervisor.almaty")
    expect(supervisor.locator("#help-banner")).to_contain_text("saule asks for help on a call now")
    card = supervisor.locator(".help-request")
    expect(card).to_contain_text("English · Child or teenager · high risk")
    supervisor.screenshot(path=str(ARTIFACTS / "supervisor-help-request-en.png"), full_page=True)

    card.get_by_role("button", name="On my way").click()
    expect(card).to_contain_text("You answered: on your way.")
    expect(page.locator("#help-status")).to_contain_text("supervisor.almaty is on the way.")
    page.screenshot(path=str(ARTIFACTS / "console-help-on-the-way-en.png"), full_page=True)


def test_a_caller_passed_to_another_centre_hears_it_and_is_answered_there(
        live_app, page, browser_context_factory):
    base = live_app.base_url
    astana = browser_context_factory().new_page()
    sign_in(astana, base, "aigerim")
    astana.locator("#btn-available").click()
    phone = answer_a_child(page, base, browser_context_factory)
    expect(page.locator("#call-status")).to_have_text("Connected")
    expect(astana.locator("#offer")).to_be_hidden()        # an Almaty call: not hers

    page.get_by_role("button", name="Transfer to another centre").click()
    form = page.locator("#transfer-form")
    form.get_by_label("Centre").select_option(label="Astana PSC (demo)")
    form.get_by_label("Language").select_option(label="Русский")
    page.screenshot(path=str(ARTIFACTS / "console-transfer-form-en.png"), full_page=True)
    page.get_by_role("button", name="Put the caller through").click()
    expect(page.locator("#transfer-done")).to_contain_text("put through to the queue of Astana PSC (demo)")
    expect(page.locator("#my-state")).to_have_text("Wrap-up")

    transcript = phone.locator("#transcript")
    # Told in the language she chose (English), then the new centre's queue in the language the
    # psychologist chose for it (Russian).
    expect(transcript).to_contain_text("You are being put through to a psychologist at another centre."
                                       "Line saysПожалуйста, оставайтесь на линии.")
    expect(astana.locator("#offer")).to_be_visible()
    astana.locator("#btn-accept").click()
    expect(phone.locator("#on-line")).to_contain_text("the psychologist", timeout=30000)
    phone.screenshot(path=str(ARTIFACTS / "simulator-transferred.png"), full_page=True)
    astana.screenshot(path=str(ARTIFACTS / "console-transferred-answered-en.png"), full_page=True)

    app = SERVED[base]
    with app.app_context():
        (call,) = db.session.scalars(select(Call)).all()
        assert (call.transfer_count, call.centre.name, call.language) == (1, "Astana PSC (demo)", "ru")
        db.session.remove()
    page.goto(f"{base}/console/my-calls")
    expect(page.locator("tr[data-call-id] td.transfers")).to_have_text("1")
    page.locator("tr[data-call-id] a").click()
    expect(page.locator("#call-staff")).to_contain_text("Staff on this call: saule, aigerim.")
    page.screenshot(path=str(ARTIFACTS / "my-call-transferred-en.png"), full_page=True)
