"""The signed-in person's own settings: the saved interface language (a POST with its CSRF
token; a ``?lang=`` link only changes the language of the current session)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from agent_console.staff_sessions import safe_next
from helpline.extensions import db
from helpline.services.accounts import AccountError, set_ui_language
from helpline.uow import unit_of_work

bp = Blueprint("account", __name__)


@bp.post("/account/language")
@login_required
def save_language():
    wanted = request.form.get("language", "")
    try:
        with unit_of_work(db.session):
            set_ui_language(db.session.merge(current_user._get_current_object()), wanted)
    except AccountError as exc:
        return {"error": str(exc)}, 400
    session["lang"] = wanted
    flash(_("Interface language saved."))
    return redirect(safe_next(request.form.get("next")) or url_for("auth.login"))


@bp.post("/account/still-here")
@login_required
def still_here():
    """The person is at the console (they pressed "I am here", or have been typing or clicking on
    it): like any action of theirs, it keeps their sign-in session from idling out."""
    return {"ok": True}
