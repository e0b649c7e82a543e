"""Senim: the confidential trust line of the Psychological Support Centres."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path

from flask import Flask, render_template
from sqlalchemy import event

from helpline import events
from helpline.clock import Clock, SystemClock
from helpline.config import Settings
from helpline.extensions import csrf, db, socketio
from helpline.live import make_store
from helpline.privacy import install_log_scrubber
from helpline.runtime import Runtime
from helpline.services.dispatch import Dispatcher, Limits
from ivr.prompts import PromptBook

#: Top-level ``templates/`` folder, beside the packages (also in the installed wheel).
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def create_app(
    overrides: Mapping[str, object] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    clock: Clock | None = None,
) -> Flask:
    """Build the app. ``environ`` defaults to the process environment; tests pass their own."""
    settings = Settings.from_env(os.environ if environ is None else environ)
    settings = settings.with_overrides(overrides).resolved()
    install_log_scrubber()
    logging.basicConfig(level=settings.log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    app = Flask(
        __name__,
        instance_path=settings.helpline_instance_path,
        template_folder=str(TEMPLATES),
        static_folder="static",
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SQLALCHEMY_DATABASE_URI=settings.database_url,
        TESTING=settings.testing,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.public_base_url.startswith("https://"),
        HELPLINE=settings,
    )
    app.config.update({k.upper(): v for k, v in settings.extra.items()})

    db.init_app(app)
    csrf.init_app(app)
    socketio.init_app(app, message_queue=settings.redis_url or None, async_mode="threading")
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", _sqlite_pragmas)

    from flask_sqlalchemy.session import Session as FlaskSession

    events.install(FlaskSession)
    publisher = settings.extra.get("publisher") or events.SocketIOPublisher(socketio)
    dispatcher = Dispatcher(publisher, None, Limits(
        ring_timeout_seconds=settings.ring_timeout_seconds,
        wrap_up_seconds=settings.wrap_up_seconds,
        presence_timeout_seconds=settings.presence_timeout_seconds,
    ))
    runtime = Runtime(
        settings=settings,
        clock=clock or SystemClock(),
        live=make_store(settings.redis_url, settings.live_call_ttl_seconds),
        prompts=PromptBook(settings.helpline_instance_path, {
            "kk": settings.voice_kk, "ru": settings.voice_ru, "en": settings.voice_en}),
        dispatcher=dispatcher,
    )
    app.extensions["helpline"] = runtime

    import agent_console
    import ivr
    import scheduling
    from helpline import carrier

    ivr.init_app(app)
    dispatcher.carrier = carrier.init_app(app)
    agent_console.init_app(app)
    scheduling.init_app(app)

    @app.get("/")
    def home():
        return render_template("home.html", settings=settings)

    return app


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()
