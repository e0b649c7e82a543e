"""Sign in and out."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from agent_console.forms import LoginForm
from agent_console.staff_sessions import SESSION_KEY, safe_next
from helpline.extensions import db
from helpline.runtime import current_runtime
from helpline.services import audit, sessions
from helpline.services.accounts import SignInRefused, authenticate, set_ui_language
from helpline.uow import unit_of_work

bp = Blueprint("auth", __name__)


def home_for(user) -> str:
    if user.is_admin:
        return url_for("admin.users")
    if user.is_supervisor:
        return url_for("supervisor.board")
    return url_for("console.page")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        rt = current_runtime()
        try:
            user = authenticate(db.session, form.username.data, form.password.data, rt.clock.now(),
                                rt.settings.login_max_failures, rt.settings.login_lock_minutes)
        except SignInRefused as exc:
            audit.record(db.session, rt.clock.now(), "sign_in.refused",
                         detail=f"username {form.username.data.strip().lower()[:64]}")
            db.session.commit()  # the failure count and the event are kept
            if exc.locked:
                flash(_("Too many failed attempts. Try again later."), "error")
            else:
                flash(_("Wrong username or password."), "error")
            status = 401
        else:
            chosen = session.get("lang")  # a language picked on the sign-in page is kept
            if chosen in ("kk", "ru", "en"):
                set_ui_language(user, chosen)
            audit.record(db.session, rt.clock.now(), "sign_in", user)
            complete_sign_in(user)
            return redirect(safe_next(request.args.get("next")) or home_for(user))
    elif request.method == "POST":
        status = 400
    return render_template("login.html", form=form), status


def complete_sign_in(user) -> None:
    """A sign-in has succeeded: a new server-side session (committed with what the unit of work
    holds), a fresh cookie naming it, and Flask-Login's user."""
    rt = current_runtime()
    token = sessions.start(db.session, user, rt.clock.now())
    db.session.commit()
    session.clear()                      # nothing from before sign-in is carried over
    session[SESSION_KEY] = token
    login_user(user)


@bp.post("/logout")
@login_required
def logout():
    """Ends the server-side session: a copy of the cookie taken before opens nothing after."""
    rt = current_runtime()
    now = rt.clock.now()
    with unit_of_work(db.session):
        sessions.end(db.session, session.get(SESSION_KEY), now, "sign_out")
        audit.record(db.session, now, "sign_out", current_user)
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))
