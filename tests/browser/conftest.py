"""A live server on loopback and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import logging
import socket
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from helpline import create_app
from helpline.extensions import db
from helpline.schema import upgrade
from helpline.services.demo import load_demo_data

CHROMIUM = "/usr/bin/chromium"
#: Apps being served, by base URL (the sign-in helper reads the app's clock for the code).
SERVED: dict[str, object] = {}
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def live_overrides() -> dict[str, object]:
    """Settings a test module's served app starts with (override this fixture)."""
    return {}


@pytest.fixture
def live_app(tmp_path, backend, live_overrides):
    yield from _serve(tmp_path, backend, overrides=live_overrides)


@pytest.fixture
def live_app_monday(tmp_path, backend):
    """The app with its clock stopped at Monday 2 March 2026, 15:00 in Almaty (10:00 UTC)."""
    from datetime import UTC, datetime

    from helpline.clock import FixedClock

    yield from _serve(tmp_path, backend, FixedClock(datetime(2026, 3, 2, 10, 0, tzinfo=UTC)))


def _serve(tmp_path, backend, clock=None, overrides=None):
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    app = create_app({
        **backend.served_overrides,
        "helpline_instance_path": str(tmp_path / "instance"),
        "testing": True,
        "public_base_url": base,
        "simulator_speed": 0.25,
        **(overrides or {}),
    }, environ={}, clock=clock)
    with app.app_context():
        upgrade(db.engine)
        load_demo_data(db.session, app.extensions["helpline"].clock.now(),  # with demo users
                       notes_key=app.extensions["helpline"].settings.notes_key)
        db.session.commit()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    stop = threading.Event()
    ticking = threading.Thread(target=_routing_tick, args=(app, stop), daemon=True)
    ticking.start()
    app.base_url = base
    SERVED[base] = app
    yield app
    SERVED.pop(base, None)
    stop.set()
    ticking.join(5)
    server.shutdown()
    thread.join(5)
    with app.app_context():
        db.engine.dispose()


def _routing_tick(app, stop: threading.Event) -> None:
    """The scheduler's routing tick every second, as ``helpline run`` runs it beside the server:
    unanswered rings move on, wrap-ups end (the hold loop does not route)."""
    from helpline.uow import unit_of_work
    from scheduling.jobs import routing_tick

    runtime = app.extensions["helpline"]
    while not stop.wait(1):
        with app.app_context():
            try:
                with unit_of_work(db.session):
                    routing_tick(db.session, runtime.clock.now(), runtime)
            except Exception:       # e.g. a test that locks the database: the next tick tries again
                logging.getLogger(__name__).warning("Routing tick failed", exc_info=True)
            finally:
                db.session.remove()


@pytest.fixture
def browser():
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    expect.set_options(timeout=20_000)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_context_factory(browser):
    """New, separate browser profiles (one per person: agent, caller, supervisor)."""
    contexts = []

    def make():
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.set_default_timeout(20_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(browser_context_factory):
    return browser_context_factory().new_page()


def call_almaty_as_a_child(phone, base: str, caller_type_key: str = "1") -> None:
    """On /simulator: dial the Almaty demo line, choose English, then a caller type (or 9)."""
    from playwright.sync_api import expect

    phone.goto(f"{base}/simulator")
    phone.get_by_label("Number to call").select_option(label="Almaty PSC (demo) · +77273555150")
    phone.get_by_role("button", name="Call").click()
    expect(phone.get_by_role("status")).to_contain_text("press a key")
    phone.get_by_role("button", name="Key 3").click()
    expect(phone.locator("#transcript")).to_contain_text("If someone's life is in danger right now")
    expect(phone.get_by_role("status")).to_contain_text("press a key")
    phone.get_by_role("button", name=f"Key {caller_type_key}").click()
