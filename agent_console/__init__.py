"""The psychologists' console, the supervisor view and the administrator pages."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from helpline.extensions import babel, db, login_manager, socketio
from helpline.models import User
from helpline.services.accounts import set_ui_language

LANGUAGES = ("kk", "ru", "en")


def select_locale() -> str:
    wanted = request.args.get("lang")
    if wanted in LANGUAGES:
        return wanted
    if current_user.is_authenticated:
        return current_user.ui_language
    if session.get("lang") in LANGUAGES:
        return session["lang"]
    return request.accept_languages.best_match(LANGUAGES) or "kk"


def init_app(app: Flask) -> None:
    settings = app.extensions["helpline"].settings
    babel.init_app(app, locale_selector=select_locale, default_translation_directories="translations")
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
        return user if user is not None and user.is_enabled else None

    @login_manager.unauthorized_handler
    def unauthorized():
        if request.path.startswith(("/console/", "/supervisor/", "/admin/")) and \
                request.accept_mimetypes.best == "application/json":
            return {"error": "Sign in first."}, 401
        return redirect(url_for("auth.login", next=request.path))

    @app.before_request
    def language_and_idle_expiry():
        if request.path.startswith(("/ivr/", "/static/")):
            return None                  # carrier webhooks and files: no staff session here
        wanted = request.args.get("lang")
        if wanted in LANGUAGES:
            session["lang"] = wanted
            if current_user.is_authenticated and current_user.ui_language != wanted:
                set_ui_language(current_user, wanted)
                db.session.commit()
        if current_user.is_authenticated:
            now = datetime.now(UTC).timestamp()
            seen = session.get("seen", now)
            if now - seen > settings.idle_logout_minutes * 60:
                logout_user()
                session.pop("seen", None)
                flash(_("Your session expired after a period of inactivity. Please sign in again."))
                return redirect(url_for("auth.login"))
            session["seen"] = now
        return None

    @app.context_processor
    def languages():
        from flask_babel import get_locale

        return {"ui_languages": LANGUAGES, "page_lang": str(get_locale() or "kk")}

    from flask import Blueprint

    from agent_console import admin, auth, console, public, register, reports, supervisor
    from agent_console.sockets import ConsoleNamespace

    app.register_blueprint(Blueprint("agent_console", __name__, static_folder="static",
                                     static_url_path="/console-static"))

    for module in (auth, console, supervisor, admin, register, public, reports):
        app.register_blueprint(module.bp)
    if not any(h.namespace == "/console" for h in socketio.namespace_handlers):
        socketio.on_namespace(ConsoleNamespace("/console"))
