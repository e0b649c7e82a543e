"""A psychologist answers a simulated call in headless Chromium, records it and hangs up."""

from __future__ import annotations

import itertools
import re

from playwright.sync_api import expect

from helpline.extensions import db
from helpline.models import ContactRecord, User
from helpline.services.demo import DEMO_PASSWORD
from tests.browser.conftest import ARTIFACTS, SERVED, call_almaty_as_a_child
from tests.conftest import all_calls, totp_code


def sign_in(page, base, username, lang="en"):
    page.goto(f"{base}/login?lang={lang}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    if username.startswith(("supervisor.", "admin")):      # demo accounts with two-factor sign-in
        expect(page).to_have_url(re.compile(r"/login/code$"))
        page.get_by_label("Code").fill(totp_code(SERVED[base], username))
        page.get_by_role("button", name="Continue").click()


def answer_a_child(page, base, browser_context_factory, username="saule"):
    """``username`` signs in, goes Available and accepts a child's call to Almaty (a simulated
    phone in another browser context); returns that phone's page."""
    sign_in(page, base, username)
    page.get_by_role("button", name="Available").click()
    expect(page.locator("#my-state")).to_have_text("Available")
    phone = browser_context_factory().new_page()
    call_almaty_as_a_child(phone, base)
    page.get_by_role("button", name="Accept").click()
    expect(page.locator("#my-state")).to_have_text("On a call")
    return phone


def test_an_agent_answers_records_and_hangs_up(live_app, page, browser_context_factory):
    base = live_app.base_url
    sign_in(page, base, "saule")
    expect(page).to_have_url(re.compile(r"/console$"))
    status = page.locator("#my-state")
    expect(status).to_have_text("Break")
    page.get_by_role("button", name="Available").click()
    expect(status).to_have_text("Available")

    phone = browser_context_factory().new_page()
    call_almaty_as_a_child(phone, base)

    offer = page.locator("#offer")
    expect(offer).to_be_visible()
    expect(page.locator("#offer-language")).to_have_text("English")
    expect(page.locator("#offer-caller")).to_have_text("Child or teenager")
    page.screenshot(path=str(ARTIFACTS / "console-offer-en.png"), full_page=True)
    page.get_by_role("button", name="Accept").click()
    expect(status).to_have_text("On a call")
    expect(phone.get_by_role("status")).to_have_text("Talking to a psychologist")

    page.get_by_label("Age band").select_option("14_15")
    page.get_by_label("Bullying", exact=True).check()
    page.get_by_label("Risk level").select_option("medium")
    page.get_by_label("Consent (caller under 16)").select_option("not_required")
    page.get_by_label("advice given").check()
    page.get_by_label("Notes").fill("Talked through what happened at school.")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#record-status")).to_have_text("Saved")
    page.screenshot(path=str(ARTIFACTS / "console-call-en.png"), full_page=True)

    page.get_by_role("button", name="Hang up").click()
    expect(status).to_have_text("Wrap-up")
    expect(phone.get_by_role("status")).to_have_text("Call ended")
    page.screenshot(path=str(ARTIFACTS / "console-wrapup-en.png"), full_page=True)

    (row,) = all_calls(live_app)
    with live_app.app_context():
        saule = db.session.query(User).filter_by(username="saule").one()
        record = db.session.query(ContactRecord).one()
        assert [t.code for t in record.topics] == ["bullying"]
        assert record.call_id == row.id
        assert row.agent_id == saule.id
        db.session.remove()
    assert row.outcome == "answered" and row.talk_seconds is not None and row.wait_seconds is not None
    for html in (page.content(), phone.content()):
        assert not re.search(r"\+?7701\d{7}", html) and not re.search(r"CA[0-9a-f]{32}", html)

    translations = (("ru", "Принять", "Положить трубку"), ("kk", "Қабылдау", "Қоңырауды аяқтау"))
    for lang, accept, hang_up in translations:
        page.goto(f"{base}/console?lang={lang}")
        expect(page.locator("#btn-accept")).to_have_text(accept)        # shown when a call rings
        expect(page.locator("#btn-hangup")).to_have_text(hang_up)
        page.screenshot(path=str(ARTIFACTS / f"console-{lang}.png"), full_page=True)


def test_immediate_danger_reaches_the_supervisor_screen(live_app, page, browser_context_factory):
    base = live_app.base_url
    supervisor = browser_context_factory().new_page()
    sign_in(supervisor, base, "supervisor.almaty")
    expect(supervisor).to_have_url(re.compile(r"/supervisor$"))

    sign_in(page, base, "saule")
    page.get_by_role("button", name="Available").click()
    expect(page.locator("#my-state")).to_have_text("Available")
    phone = browser_context_factory().new_page()
    call_almaty_as_a_child(phone, base, "9")
    expect(page.locator("#offer-urgent")).to_be_visible()
    expect(supervisor.locator("#waiting")).to_contain_text("URGENT")
    page.get_by_role("button", name="Accept").click()
    expect(supervisor.locator("#in-progress")).to_contain_text("saule")

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Immediate danger").click()
    expect(supervisor.get_by_role("alert")).to_contain_text("Immediate danger reported")
    expect(supervisor.locator(".escalation")).to_be_visible()
    supervisor.get_by_label("Police").check()
    expect(supervisor.locator(".checklist")).to_contain_text("notified")
    supervisor.screenshot(path=str(ARTIFACTS / "supervisor-escalation-en.png"), full_page=True)


def test_the_wallboard_moves_while_a_call_waits_and_is_answered(live_app, page, browser_context_factory):
    base = live_app.base_url
    wall = browser_context_factory().new_page()
    sign_in(wall, base, "supervisor.almaty")
    wall.goto(f"{base}/supervisor/wallboard")
    expect(wall.locator("[data-key=waiting]")).to_have_text("0")
    sign_in(page, base, "saule")
    phone = browser_context_factory().new_page()
    call_almaty_as_a_child(phone, base)
    expect(wall.locator("[data-key=waiting]")).to_have_text("1")
    wall.screenshot(path=str(ARTIFACTS / "wallboard-waiting.png"), full_page=True)
    page.get_by_role("button", name="Available").click()
    page.get_by_role("button", name="Accept").click()
    expect(wall.locator("[data-key=waiting]")).to_have_text("0")
    expect(wall.locator("[data-key=answered]")).to_have_text("1")
    expect(wall.locator("[data-key='agents.on_call']")).to_have_text("1")
    wall.goto(f"{base}/reports")
    expect(wall.locator("canvas[data-section=calls_by_hour]")).to_be_visible()
    drawn = wall.evaluate("() => Chart.getChart(document.querySelector('canvas[data-section=calls_by_hour]'))"
                          ".data.datasets[0].data.reduce((a, b) => a + b, 0)")
    assert drawn == 1
    wall.screenshot(path=str(ARTIFACTS / "reports.png"), full_page=True)


def test_on_a_call_the_left_column_cards_follow_each_other_without_holes(live_app, page,
                                                                        browser_context_factory):
    """The status, the call, help and warm transfer sit one under the other, each as tall as
    its words, however long the contact record beside them is."""
    page.set_viewport_size({"width": 1280, "height": 900})
    answer_a_child(page, live_app.base_url, browser_context_factory)
    expect(page.locator("#record")).to_be_visible()
    cards = page.evaluate("""() => [...document.querySelectorAll('.console-side > .card')]
        .filter((card) => card.offsetParent !== null)
        .map((card) => ({id: card.id || card.className, top: card.getBoundingClientRect().top,
                         bottom: card.getBoundingClientRect().bottom}))""")
    assert [c["id"] for c in cards][:2] == ["card state-card", "call"] and len(cards) >= 3
    gaps = [round(below["top"] - above["bottom"]) for above, below in itertools.pairwise(cards)]
    assert all(0 < gap <= 20 for gap in gaps), gaps                  # the 1rem gap, nothing more
    record = page.locator("#record").bounding_box()
    assert record["y"] == page.locator(".state-card").bounding_box()["y"]    # side by side
    page.screenshot(path=str(ARTIFACTS / "console-layout-en.png"), full_page=True)
