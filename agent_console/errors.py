"""Errors answered in words: inside the page layout for a person, as ``{"error": "..."}`` for a
script, never a stack trace. A view that can name the field refuses with ``abort(400, message)``
and the message is shown as given."""

from __future__ import annotations

import logging

from flask import Flask, abort, render_template, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException, InternalServerError

from helpline.extensions import db

logger = logging.getLogger(__name__)

#: What each status says when the view gave no message of its own.
MESSAGES = {
    400: _l("This request could not be used. Check what you entered and try again."),
    403: _l("You are not allowed to do this."),
    404: _l("There is no such page."),
    405: _l("This page cannot be used this way."),
    413: _l("What was sent is too large."),
    500: _l("This was not done because of a problem on the server. Please try again; if it keeps "
            "failing, tell your supervisor."),
}


def message_for(error: HTTPException) -> str:
    """The view's own message (it names the field), or the status's message in the person's
    language (werkzeug's English descriptions are never shown)."""
    own = error.description if error.description != type(error).description else None
    if own and error.code != 500:
        return str(own)
    return str(MESSAGES.get(error.code or 500, MESSAGES[500]))


def answer(error: HTTPException, message: str | None = None):
    """The error for whoever asked: JSON for a script, the layout's error page for a person."""
    from agent_console import wants_json

    code = error.code or 500
    text = message or message_for(error)
    headers = {"Allow": ", ".join(error.valid_methods)} if getattr(error, "valid_methods", None) else {}
    if wants_json():
        return {"error": text}, code, headers
    try:
        return render_template("error.html", code=code, message=text), code, headers
    except Exception:               # the layout itself failed (the database is down): plain words
        logger.exception("The error page could not be rendered")
        db.session.rollback()
        return text, code, {**headers, "Content-Type": "text/plain; charset=utf-8"}


#: Said to a script whose JSON body is a list, a string or a number.
NOT_AN_OBJECT = _l("This was not done: send the fields as a JSON object (names and values).")


def init_app(app: Flask) -> None:
    for code in (400, 403, 404, 405, 413):
        app.register_error_handler(code, answer)

    @app.before_request
    def json_is_an_object():
        """Every view (and every form, which reads a JSON body as its fields) takes a JSON body
        as an object of named fields: anything else is refused here, before a view could fail
        on it. A body that is not JSON at all is the view's to refuse."""
        if request.is_json and not isinstance(request.get_json(silent=True), dict | None):
            abort(400, str(NOT_AN_OBJECT))

    @app.errorhandler(InternalServerError)
    def server_failed(error: InternalServerError):
        db.session.rollback()       # Flask has logged it; nothing half-written is committed
        return answer(error)
