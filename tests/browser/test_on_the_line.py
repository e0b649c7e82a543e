"""A supervisor listens to, coaches and joins a call in progress from the live view, switching
mode during the call, then leaves; the psychologist's console shows who is on the line and how,
and the simulator page shows who is on the line and whom the caller hears.  A step that does not
reach the server is said not done; once the call has ended, a step is refused in words."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.test_console import answer_a_child, sign_in


def test_listen_coach_join_and_leave_one_call(live_app, page, browser_context_factory, tmp_path):
    base = live_app.base_url
    phone = answer_a_child(page, base, browser_context_factory)
    on_line, hears = phone.locator("#on-line"), phone.locator("#caller-hears")
    expect(on_line).to_have_text("On the line: you and the psychologist")
    told = page.locator("#on-the-line")
    expect(told).to_be_hidden()

    boss = browser_context_factory().new_page()
    sign_in(boss, base, "supervisor.almaty")
    boss.goto(f"{base}/supervisor")
    call = boss.locator("#in-progress li[data-call]")
    expect(call).to_have_count(1)
    done, error = boss.locator("#line-done"), boss.locator("#action-error")

    # ---- listen: muted, the caller hears only the psychologist
    call.get_by_role("button", name="Listen").click()
    expect(done).to_have_text("You are listening. The caller does not hear you.")
    expect(call.locator(".line-people")).to_have_text("On the line: supervisor.almaty (listening)")
    expect(call.get_by_role("button", name="Listen")).to_have_attribute("aria-pressed", "true")
    expect(told).to_have_text("On the line: supervisor supervisor.almaty "
                              "(listening; the caller does not hear them)")
    expect(on_line).to_have_text("On the line: you, the psychologist and the supervisor (listening)")
    expect(hears).to_have_text("You hear: the psychologist")

    # ---- coach: only the psychologist hears the supervisor
    call.get_by_role("button", name="Coach").click()
    expect(done).to_have_text("You are coaching. Only the psychologist hears you.")
    expect(told).to_have_text("On the line: supervisor supervisor.almaty (coaching: only you hear them)")
    expect(on_line).to_have_text("On the line: you, the psychologist and the supervisor (coaching)")
    expect(hears).to_have_text("You hear: the psychologist")
    expect(call.get_by_role("button", name="Coach")).to_have_attribute("aria-pressed", "true")
    boss.screenshot(path=str(tmp_path / "supervisor-coaching.png"), full_page=True)
    page.screenshot(path=str(tmp_path / "console-coached.png"), full_page=True)
    phone.screenshot(path=str(tmp_path / "simulator-coaching.png"), full_page=True)

    # ---- join: everyone hears everyone
    call.get_by_role("button", name="Join").click()
    expect(done).to_have_text("You have joined the call. Everyone hears everyone.")
    expect(told).to_have_text("On the line: supervisor supervisor.almaty (joined: everyone hears everyone)")
    expect(hears).to_have_text("You hear: the psychologist and the supervisor")
    expect(phone.locator("#transcript")).to_contain_text("The supervisor joined the conversation")

    # ---- leave
    call.get_by_role("button", name="Leave").click()
    expect(done).to_have_text("You have left the call.")
    expect(told).to_be_hidden()
    expect(on_line).to_have_text("On the line: you and the psychologist")
    expect(call.get_by_role("button", name="Leave")).to_have_count(0)
    expect(error).to_have_text("")

    # ---- a step that does not reach the server is not shown as done, and nobody is on the line
    boss.route("**/supervisor/calls/*/line", lambda route: route.abort("connectionreset"))
    call.get_by_role("button", name="Listen").click()
    expect(error).to_have_text("This was not done: the connection to the server failed. Check the "
                               "connection and try again; what you entered is still on this page.")
    expect(done).to_have_text("")
    expect(told).to_be_hidden()
    boss.unroute("**/supervisor/calls/*/line")

    # ---- the call ends while the view still shows it: Listen is refused in words
    boss.route("**/supervisor/board.json", lambda route: route.abort())   # the view is stale
    page.get_by_label("Risk level").select_option("low")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#record-status")).to_have_text("Saved")
    page.get_by_role("button", name="Hang up").click()
    expect(phone.get_by_role("status")).to_have_text("Call ended")
    call.get_by_role("button", name="Listen").click()
    expect(error).to_have_text("This call has ended, so there is nothing to listen to or join.")
    expect(done).to_have_text("")
    expect(call.get_by_role("button", name="Listen")).to_have_count(0)   # the ended call has no controls
    expect(phone.locator("#on-line")).to_have_text("")
