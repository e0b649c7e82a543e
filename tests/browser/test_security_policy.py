"""Every page works under the Content-Security-Policy in Chromium, with nothing refused; the
console cannot be framed by another site (so Accept or Immediate danger cannot be clickjacked)."""

from __future__ import annotations

import re
import threading

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from tests.browser.conftest import ARTIFACTS, _free_port
from tests.browser.test_console import sign_in
from tests.browser.test_voice_device import live_twilio_app  # noqa: F401  (fixture)

#: Every violation the page's document reports, whatever the console says; WebSockets that
#: opened; and the print dialog replaced by a flag.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"}`);
});
window.print = () => { window.__printed = true; };
window.__websockets_opened = 0;
window.WebSocket = class extends window.WebSocket {
  constructor(...args) {
    super(...args);
    this.addEventListener("open", () => { window.__websockets_opened += 1; });
  }
};
"""
SOCKET_PAGES = {"/console", "/supervisor", "/supervisor/wallboard"}
PAGES = {
    None: ["/", "/login", "/simulator", "/stats"],
    "saule": ["/console", "/requests", "/my-shifts"],
    "supervisor.almaty": ["/console", "/supervisor", "/supervisor/wallboard", "/rota", "/requests",
                          "/reports", "/stats", "/my-shifts"],
    "admin": ["/admin/users", "/admin/topics", "/admin/audit", "/rota", "/reports", "/requests"],
}


class Refusals:
    """The CSP refusals Chromium reports for one person's pages: console and event."""

    def __init__(self, context) -> None:
        context.add_init_script(RECORD_VIOLATIONS)
        self.page = context.new_page()
        self.console: list[str] = []
        self.page.on("console", self._console)

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.console.append(message.text)

    def open(self, url: str) -> None:
        response = self.page.goto(url)
        assert "script-src 'self';" in response.headers["content-security-policy"], url
        self.page.wait_for_load_state("load")
        if any(url.endswith(path) for path in SOCKET_PAGES):    # connect-src lets Socket.IO in
            self.page.wait_for_function("window.__websockets_opened > 0")
        self.check(url)

    def check(self, where: str) -> None:
        assert self.page.evaluate("window.__violations") == [], where
        assert self.console == [], where


def test_every_page_runs_with_nothing_refused(live_app, browser_context_factory):
    base = live_app.base_url
    for person, paths in PAGES.items():
        refusals = Refusals(browser_context_factory())
        page = refusals.page
        if person:
            sign_in(page, base, person)
            expect(page.get_by_role("button", name="Sign out")).to_be_visible()
        for path in paths:
            refusals.open(base + path)
            if path == "/console":                       # the console works: its server answers
                expect(page.locator("#my-state")).to_have_text("Break")
                page.get_by_role("button", name="Available").click()
                expect(page.locator("#my-state")).to_have_text("Available")
                page.screenshot(path=str(ARTIFACTS / f"csp-console-{person}.png"), full_page=True)
            if path == "/reports":                       # Chart.js draws every chart
                page.wait_for_function("""() => [...document.querySelectorAll("canvas[data-section]")]
                    .every((c) => Chart.getChart(c) && c.width > 0)""")
                page.get_by_role("link", name="Print").click()
                page.wait_for_function("window.__printed === true")
                page.screenshot(path=str(ARTIFACTS / f"csp-reports-{person}.png"), full_page=True)
            if path == "/rota" and person == "admin":    # choosing a centre shows its rota
                for centre in ("Astana PSC (demo)", "Almaty PSC (demo)"):
                    page.get_by_label("Centre").select_option(label=centre)
                    expect(page.locator("h1")).to_contain_text(centre)
                    page.wait_for_load_state("load")         # its scripts too, not only the h1
            refusals.check(path)


def test_the_console_with_twilios_phone_loads_with_nothing_refused(live_twilio_app,  # noqa: F811
                                                                    browser_context_factory):
    refusals = Refusals(browser_context_factory())
    sign_in(refusals.page, live_twilio_app.base_url, "saule")
    expect(refusals.page).to_have_url(re.compile(r"/console$"))
    refusals.open(live_twilio_app.base_url + "/console")
    # the Device fetched its token and tried Twilio (unreachable here): refused by no policy
    expect(refusals.page.locator("#device-status")).not_to_be_empty()
    refusals.check("/console with the Twilio carrier")


@pytest.fixture
def other_site(live_app):
    """A page on another origin of the same site (so the session cookie goes along) that puts
    the console in a frame, as a clickjacking page would."""
    page = (f'<!doctype html><title>Win a prize</title><iframe id="victim" '
            f'src="{live_app.base_url}/console" width="1000" height="700"></iframe>').encode()

    def wsgi(_environ, start_response):
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [page]

    port = _free_port()
    server = make_server("127.0.0.1", port, wsgi)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}/"
    server.shutdown()
    thread.join(5)


def test_another_site_cannot_frame_the_console(live_app, other_site, page):
    sign_in(page, live_app.base_url, "saule")
    expect(page).to_have_url(re.compile(r"/console$"))
    with page.expect_console_message(lambda message: "frame-ancestors" in message.text):
        page.goto(other_site)
    page.wait_for_load_state("load")
    (frame,) = [frame for frame in page.frames if frame != page.main_frame]
    assert frame.url == "chrome-error://chromewebdata/"        # the frame stays empty
    assert page.frame_locator("#victim").get_by_role("button", name="Available").count() == 0
    page.screenshot(path=str(ARTIFACTS / "csp-framed-console.png"))
