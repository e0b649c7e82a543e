"""Senim: the confidential trust line of the Psychological Support Centres."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path

from flask import Flask, render_template
from sqlalchemy import event
from werkzeug.routing import IntegerConverter

from helpline import carrier, events, health, pg_deadlines, security_headers
from helpline.clock import Clock, SystemClock
from helpline.config import Settings
from helpline.events import Publisher
from helpline.extensions import csrf, db, socketio
from helpline.live_redis import make_store
from helpline.privacy import install_log_scrubber
from helpline.runtime import Runtime
from helpline.services import centre_directory
from helpline.services.dispatch import Dispatcher, Limits
from helpline.services.lifecycle import CallLifecycle
from helpline.spool import Spool
from helpline.sqlite_writes import WriteTurns
from helpline.web.sessions import StaffSessions

#: Top-level ``templates/`` folder, beside the packages (also in the installed wheel).
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def create_app(
    overrides: Mapping[str, object] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    clock: Clock | None = None,
    publisher: Publisher | None = None,
) -> Flask:
    """Build the app: the composition root. Every shared part (settings, clock, publisher,
    live-call store, carrier, duty roster, dispatcher, the call's lifecycle, prompts) is made
    here, once, and handed to what needs it; the packages' ``init_app`` only register their
    blueprints, commands and sockets. ``environ`` defaults to the process environment; tests
    pass their own, and their own ``clock`` or ``publisher`` instead of the real ones."""
    settings = Settings.from_env(os.environ if environ is None else environ)
    settings = settings.with_overrides(overrides).resolved()
    install_log_scrubber()
    logging.basicConfig(level=settings.log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)   # its set-up, not news

    app = Flask(
        __name__,
        instance_path=settings.helpline_instance_path,
        template_folder=str(TEMPLATES),
        static_folder="static",
    )
    app.url_map.converters["int"] = RowId          # before any route is added
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SQLALCHEMY_DATABASE_URI=settings.database_url,
        TESTING=settings.testing,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        # a console stays open for a whole shift: its CSRF token lives as long as the session
        # (which idle expiry ends), not one hour
        WTF_CSRF_TIME_LIMIT=None,
        SESSION_COOKIE_SECURE=settings.public_base_url.startswith("https://"),
        HELPLINE=settings,
    )
    app.config.update({k.upper(): v for k, v in settings.extra.items()})
    app.session_interface = StaffSessions()

    db.init_app(app)
    csrf.init_app(app)
    # tests that drive consoles with Flask-SocketIO's test client keep Redis for live state only
    queue_url = settings.redis_url if settings.extra.get("socketio_message_queue", True) else ""
    socketio.init_app(app, async_mode="threading", **_message_queue(queue_url))
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", _sqlite_pragmas)
            WriteTurns(SQLITE_BUSY_TIMEOUT_MS).install(db.engine)
        elif db.engine.dialect.name == "postgresql":
            pg_deadlines.install(db.engine)

    from flask_sqlalchemy.session import Session as FlaskSession

    events.install(FlaskSession)
    centre_directory.install(FlaskSession)
    app.extensions["helpline"] = runtime = _build_runtime(settings, clock or SystemClock(), publisher,
                                                          queue_url)
    if runtime.carrier.simulated is not None:      # the /simulator page's carrier
        app.extensions["carrier"] = runtime.carrier.simulated
    health.init_app(app)
    from helpline import cli

    cli.init_app(app)               # the core's commands; each package adds its own

    import agent_console
    import ivr
    import scheduling

    ivr.init_app(app)
    carrier.init_app(app)
    agent_console.init_app(app)
    scheduling.init_app(app)

    @app.get("/")
    def home():
        return render_template("home.html", settings=settings)

    security_headers.init_app(app)   # last: its WSGI wrapper also covers Socket.IO
    if settings.trusted_proxy_count:  # outermost: everything inside sees the client's address
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = settings.trusted_proxy_count
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    return app


class RowId(IntegerConverter):
    """``<int:...>`` in a URL is a row's id: a number larger than any database integer is no row
    (404), never an overflow in the database driver (a 500)."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None,
                 max: int | None = 2**31 - 1, signed: bool = False) -> None:
        super().__init__(map, fixed_digits, min, max, signed)


def _build_runtime(settings: Settings, clock: Clock, publisher: Publisher | None,
                   queue_url: str) -> Runtime:
    from ivr.prompts import PromptBook
    from scheduling.policy import RotaPolicy

    if publisher is None:
        publisher = events.SocketIOPublisher(socketio)
        if queue_url:                 # Redis may be slow or down: never wait for it
            publisher = events.BackgroundPublisher(publisher)
    live = make_store(settings.redis_url, settings.live_call_ttl_seconds)
    roster = RotaPolicy()
    dispatcher = Dispatcher(publisher, Limits(
        ring_timeout_seconds=settings.ring_timeout_seconds,
        wrap_up_seconds=settings.wrap_up_seconds,
        presence_timeout_seconds=settings.presence_timeout_seconds,
        bridge_timeout_seconds=settings.bridge_timeout_seconds,
    ), roster=roster, backed=lambda call_ids: call_ids_backed(live, call_ids))
    line = carrier.build(settings, live)
    return Runtime(
        settings=settings,
        clock=clock,
        live=live,
        prompts=PromptBook(settings.prompts_recordings_path, settings.prompts_build_path, {
            "kk": settings.voice_kk, "ru": settings.voice_ru, "en": settings.voice_en}),
        roster=roster,
        dispatcher=dispatcher,
        lifecycle=CallLifecycle(
            settings=settings, live=live, dispatcher=dispatcher, carrier=line.control,
            centres=centre_directory.CentreDirectory(settings.centre_cache_seconds),
            spool=Spool(Path(settings.helpline_instance_path) / "spool")),
        carrier=line,
    )


def _message_queue(redis_url: str) -> dict:
    """Socket.IO across processes through Redis, with short timeouts: with Redis down, events
    still reach the consoles connected to this process, and a webhook never waits long."""
    if not redis_url:   # explicit: Flask-SocketIO keeps options from an earlier init_app
        return {"message_queue": None, "client_manager": None}
    import socketio as python_socketio

    return {"message_queue": redis_url, "client_manager": python_socketio.RedisManager(
        redis_url, channel="flask-socketio",
        redis_options={"socket_timeout": 0.5, "socket_connect_timeout": 0.5})}


def call_ids_backed(live, call_ids: list[str]) -> set[str]:
    """Calls a live carrier call backs; while the live store cannot tell, every call is."""
    known = live.known_calls(call_ids)
    return set(call_ids) if known is None else known


#: Milliseconds a console request, job or command waits for a locked SQLite database.
SQLITE_BUSY_TIMEOUT_MS = 10000


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """Write-ahead log: readers (consoles, the routing tick) never wait for the writer, nor the
    writer for them. ``synchronous=NORMAL``: a commit writes the log without waiting for the
    disk (synced at each checkpoint); a crash of the process loses nothing, a power cut may
    lose the last commits but never corrupts the file (PostgreSQL is the durable back-end)."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()
