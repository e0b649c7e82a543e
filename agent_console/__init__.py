"""The psychologists' console, the supervisor view and the administrator pages."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask, flash, has_request_context, redirect, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user
from flask_wtf.csrf import CSRFError

from agent_console import errors, staff_sessions
from helpline.extensions import babel, db, login_manager, socketio
from helpline.models import User
from helpline.vocabulary import zone_of

LANGUAGES = ("kk", "ru", "en")


def select_locale() -> str | None:
    if not has_request_context():     # a command or a job: Flask-Babel's default, English
        return None
    wanted = request.args.get("lang")
    if wanted in LANGUAGES:
        return wanted
    if session.get("lang") in LANGUAGES:      # chosen with a language link, for this session
        return session["lang"]
    if current_user.is_authenticated:
        return current_user.ui_language
    return request.accept_languages.best_match(LANGUAGES) or "kk"


#: Said to a script whose request came from a signed-out page: nothing was done, nothing is lost.
SIGNED_OUT = _l("This was not done: you are signed out. Sign in again in another tab, then try "
                "again here; what you entered is still on this page.")


def wants_json() -> bool:
    """A console script's request (JSON in or out), which must get an answer in words, never a
    redirect to the sign-in page that ``fetch`` would follow and read as success."""
    return request.is_json or request.accept_mimetypes.best == "application/json"


def _session_ended_answer():
    """The answer to a request whose sign-in session has ended (signed out elsewhere, revoked,
    idle or too old): nothing is done; a script is told in words, a page goes to sign-in."""
    staff_sessions.keep_language()
    message = str(SIGNED_OUT)               # in the person's language, before signing out
    idle = staff_sessions.end_reason() == "idle"
    logout_user()
    session.pop(staff_sessions.SESSION_KEY, None)
    if request.endpoint == "auth.login":
        return None
    if wants_json():                        # a script's request: say it was not done, never redirect
        return {"error": message}, 401
    flash(_("Your session expired after a period of inactivity. Please sign in again.") if idle
          else _("You are signed out. Please sign in again."))
    target = staff_sessions.safe_next(request.full_path.rstrip("?")) if request.method == "GET" else None
    return redirect(url_for("auth.login", next=target) if target else url_for("auth.login"))


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale, default_translation_directories="translations")
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        if not user_id.isdigit() or staff_sessions.live_user_id() != int(user_id):
            return None                 # no live server-side session: the cookie alone opens nothing
        user = db.session.get(User, int(user_id))
        return user if user is not None and user.is_enabled else None

    @login_manager.unauthorized_handler
    def unauthorized():
        if wants_json():
            return {"error": str(SIGNED_OUT)}, 401
        return redirect(url_for("auth.login", next=request.path))

    errors.init_app(app)

    @app.errorhandler(CSRFError)
    def csrf_refused(error):
        return errors.answer(error, _("This was not done: the page's security token is no longer "
                                      "valid. Reload the page and try again."))

    @app.before_request
    def language_and_live_session():
        if request.path.startswith(("/ivr/", "/static/")):
            return None                  # carrier webhooks and files: no staff session here
        wanted = request.args.get("lang")
        if wanted in LANGUAGES:          # this session's language; the saved one changes by POST only
            session["lang"] = wanted
        if "_user_id" in session and not current_user.is_authenticated:
            return _session_ended_answer()
        return None

    @app.context_processor
    def languages():
        return {"ui_languages": LANGUAGES, "page_lang": str(get_locale() or "kk"),
                "page_zone": zone_of(getattr(current_user, "centre", None)).key}

    from helpline.models import labels

    def with_lang(code: str) -> str:
        """This page in another language: its query (the month, the filters) kept."""
        kept = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
        return f"{request.path}?{urlencode([*kept, ('lang', code)])}"

    def topic_words(codes: str) -> str:
        """A record's topics (stored as codes) by their names in the page's language."""
        from flask import g

        from helpline.services.period_report import in_language, topic_names

        if "topic_words" not in g:
            g.topic_words = in_language(topic_names(db.session), str(get_locale() or "kk"))
        return ", ".join(g.topic_words.get(code, code) for code in filter(None, (codes or "").split(",")))

    app.jinja_env.globals.update(
        label=labels.label, kpi_value=labels.kpi_value, row_label=labels.row_label, day_label=labels.day,
        month_label=labels.month, weekday_day=labels.weekday_day, choices=labels.choices,
        script_labels=labels.for_scripts,
        with_lang=with_lang, topic_words=topic_words, language_names=labels.languages)

    from flask import Blueprint

    from agent_console import (
        account,
        admin,
        auth,
        blocks,
        call_help,
        console,
        my_calls,
        on_the_line,
        public,
        register,
        reports,
        supervisor,
        warm_transfer,
    )
    from agent_console.sockets import ConsoleNamespace

    app.register_blueprint(Blueprint("agent_console", __name__, static_folder="static",
                                     static_url_path="/console-static"))

    for module in (auth, account, console, my_calls, supervisor, blocks, admin, register, public,
                   reports, call_help, warm_transfer, on_the_line):
        app.register_blueprint(module.bp)
    staff_sessions.init_app()
    if not any(h.namespace == "/console" for h in socketio.namespace_handlers):
        socketio.on_namespace(ConsoleNamespace("/console"))
