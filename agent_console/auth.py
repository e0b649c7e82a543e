"""Sign in and out."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from agent_console.forms import LoginForm
from helpline.extensions import db
from helpline.runtime import current_runtime
from helpline.services import audit
from helpline.services.accounts import SignInRefused, authenticate, set_ui_language

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
            db.session.commit()
            session.clear()
            login_user(user)
            session["seen"] = datetime.now(UTC).timestamp()
            target = request.args.get("next", "")
            if not target.startswith("/") or target.startswith("//"):
                target = home_for(user)
            return redirect(target)
    elif request.method == "POST":
        status = 400
    return render_template("login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))
