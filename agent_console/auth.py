"""Sign in and out: the password, then the two-factor code (or enrolment), then a forced
password change if an administrator reset it.

Between the steps the person is *not* signed in: only ``session["pending"]`` (the account's id,
its security stamp, a deadline from the app's clock, where to go next, a two-factor secret being
enrolled, encrypted) exists, and nothing but these pages is reachable.  The pending state works
only while the account's security stamp is the one it names: revoking sessions, a password change
or reset, a two-factor reset or switching the account off moves the stamp on, and so does
completing the sign-in (atomically), so a copy of the cookie cannot be replayed.

Every attempt is claimed against its throttle counters and committed before the
password or code is checked, so parallel attempts are all counted.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from agent_console import known_devices
from agent_console.forms import CodeForm, LoginForm, PasswordChangeForm
from agent_console.staff_sessions import SESSION_KEY, safe_next
from helpline.extensions import db
from helpline.models import User
from helpline.runtime import current_runtime
from helpline.services import audit, sessions, two_factor
from helpline.services.accounts import (
    AccountError,
    SignInPolicy,
    begin_attempt,
    change_password,
    check_sign_in,
    consume_stamp,
    set_ui_language,
    start_sign_in,
    succeeded,
)
from helpline.services.contacts import NotesCipher
from helpline.uow import unit_of_work

bp = Blueprint("auth", __name__)


def home_for(user) -> str:
    if user.is_admin:
        return url_for("admin.users")
    if user.is_supervisor:
        return url_for("supervisor.board")
    return url_for("console.page")


def _policy() -> SignInPolicy:
    return SignInPolicy.from_settings(current_runtime().settings)


def _cipher() -> NotesCipher:
    return NotesCipher(current_runtime().settings.notes_key)


def _refusal(throttled: bool) -> str:
    if throttled:
        return _("Too many failed attempts. Wait a little and try again.")
    return _("Wrong username or password.")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        rt = current_runtime()
        now = rt.clock.now()
        with unit_of_work(db.session):       # counted first, whatever the password turns out
            attempt = start_sign_in(db.session, form.username.data, request.remote_addr or "",
                                    now, _policy(), known_devices.presented())
        with unit_of_work(db.session):
            result = check_sign_in(db.session, attempt, form.username.data, form.password.data)
            if result.user is None:
                # never the typed text: the account refused if it exists, else "unknown account"
                audit.record(db.session, now, "sign_in.refused",
                             obj_type="user" if result.user_id else None, obj_id=result.user_id,
                             detail=("throttled" if result.throttled else "wrong password")
                             if result.user_id else "unknown account")
        if result.user is None:
            flash(_refusal(result.throttled), "error")
            status = 429 if result.throttled else 401
        else:
            target = safe_next(request.args.get("next")) or ""
            chosen = session.get("lang")  # a language picked on the sign-in page is kept
            session.clear()
            _start_pending(result.user, target, chosen)
            if chosen:
                session["lang"] = chosen
            return _continue(result.user)
    elif request.method == "POST":
        status = 400
    return render_template("login.html", form=form), status


def _start_pending(user: User, target: str, lang: str | None) -> None:
    now = current_runtime().clock.now()
    session["pending"] = {"user": user.id, "stamp": user.security_stamp, "next": target,
                          "lang": lang, "until": (now + timedelta(
                              minutes=current_runtime().settings.two_factor_pending_minutes)).timestamp()}


def _pending_user() -> User | None:
    """The person between the password and the end of sign-in, if the step has not expired and
    nothing since (revocation, a password change, this sign-in completed) moved the stamp on."""
    pending = session.get("pending")
    if not pending or current_runtime().clock.now().timestamp() > pending.get("until", 0):
        session.pop("pending", None)
        return None
    user = db.session.get(User, pending.get("user"))
    if user is None or not user.is_enabled or user.security_stamp != pending.get("stamp"):
        session.pop("pending", None)
        return None
    return user


def _continue(user: User):
    """The next step for a person whose password was right."""
    pending = session["pending"]
    if user.totp_enabled and not pending.get("second_factor"):
        return redirect(url_for("auth.code"))
    if user.needs_two_factor and not user.totp_enabled:
        return redirect(url_for("auth.enrol"))
    if user.must_change_password:
        return redirect(url_for("auth.forced_change"))
    now = current_runtime().clock.now()
    with unit_of_work(db.session):
        if not consume_stamp(db.session, user.id, pending.get("stamp")):
            session.pop("pending", None)            # used already, or revoked meanwhile
            return _expired()
        if pending.get("lang") in ("kk", "ru", "en"):
            set_ui_language(user, pending["lang"])
        audit.record(db.session, now, "sign_in", user)
    target = pending.get("next") or home_for(user)
    complete_sign_in(user)
    return redirect(target)


def _code_refused(form: CodeForm, throttled: bool) -> int:
    form.code.data = ""
    flash(_refusal(True) if throttled else _("Wrong code."), "error")
    return 429 if throttled else 401


def _expired():
    flash(_("The sign-in took too long. Please sign in again."), "error")
    return redirect(url_for("auth.login"))


@bp.route("/login/code", methods=["GET", "POST"])
def code():
    user = _pending_user()
    if user is None or not user.totp_enabled:
        return _expired()
    if not _cipher().is_readable(user.totp_secret):
        return _unreadable_key(user)
    form = CodeForm()
    status = 200
    if form.validate_on_submit():
        now, attempt = _count_code_attempt(user)
        with unit_of_work(db.session):
            right = not attempt.throttled and two_factor.check_second_factor(
                db.session, user, form.code.data, now, _cipher(), current_runtime().settings.secret_key)
            if right:
                succeeded(db.session, attempt)
            else:
                audit.record(db.session, now, "sign_in.code_refused", obj_type="user", obj_id=user.id,
                             detail="throttled" if attempt.throttled else "wrong code")
        if right:
            session["pending"] = {**session["pending"], "second_factor": True}
            return _continue(user)
        status = _code_refused(form, attempt.throttled)
    elif form.is_submitted():
        status = 400
    return render_template("login_code.html", form=form), status


def _count_code_attempt(user: User):
    """(now, the attempt): a code attempt is counted, and committed, before the code is checked."""
    now = current_runtime().clock.now()
    with unit_of_work(db.session):
        attempt = begin_attempt(db.session, "code", str(user.id), request.remote_addr or "", now,
                                _policy())
    return now, attempt


def _unreadable_key(user: User):
    """The stored two-factor secret opens with none of this server's keys (``NOTES_KEY`` lost
    one): said in words, audited; the sign-in goes no further."""
    with unit_of_work(db.session):
        audit.record(db.session, current_runtime().clock.now(), "sign_in.key_unreadable",
                     obj_type="user", obj_id=user.id)
    session.pop("pending", None)
    return render_template("error.html", code=409, message=_(
        "Your two-factor key cannot be read on this server; ask an administrator to reset your "
        "two-factor sign-in.")), 409


def _enrolment_secret(cipher: NotesCipher) -> str:
    """The secret of this pending enrolment: made fresh for it and kept, encrypted, only in the
    pending state until a right code confirms it (nothing is written to the account before)."""
    pending = session["pending"]
    secret = cipher.read(pending.get("enrol")) if pending.get("enrol") else None
    if not secret:
        secret = two_factor.new_secret()
        session["pending"] = {**pending, "enrol": cipher.encrypt(secret)}
    return secret


@bp.route("/login/enrol", methods=["GET", "POST"])
def enrol():
    user = _pending_user()
    if user is None or user.totp_enabled:
        return _expired()
    form = CodeForm()
    status = 200
    cipher = _cipher()
    secret = _enrolment_secret(cipher)
    if form.validate_on_submit():
        now, attempt = _count_code_attempt(user)
        with unit_of_work(db.session):
            codes = None if attempt.throttled else two_factor.confirm_enrolment(
                db.session, user, secret, form.code.data, now, cipher,
                current_runtime().settings.secret_key)
            if codes:
                succeeded(db.session, attempt)
                audit.record(db.session, now, "two_factor.enrol", user, "user", user.id)
        if codes:
            pending = {**session["pending"], "second_factor": True}
            pending.pop("enrol", None)
            session["pending"] = pending
            return render_template("login_recovery_codes.html", codes=codes)
        status = _code_refused(form, attempt.throttled)
    elif form.is_submitted():
        status = 400
    uri = two_factor.provisioning_uri(user, secret)
    return render_template("login_enrol.html", form=form, secret=secret, uri=uri,
                           qr=two_factor.qr_svg(uri)), status


@bp.post("/login/continue")
def resume():
    """After the recovery codes were shown: the rest of the sign-in."""
    user = _pending_user()
    if user is None or (user.needs_two_factor and not session["pending"].get("second_factor")):
        return _expired()
    return _continue(user)


@bp.route("/login/new-password", methods=["GET", "POST"])
def forced_change():
    """A password an administrator reset must be replaced before anything else."""
    user = _pending_user()
    if user is None or not user.must_change_password or (
            user.totp_enabled and not session["pending"].get("second_factor")):
        return _expired()
    return _password_page(user, forced=True)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def own_password():
    return _password_page(current_user._get_current_object(), forced=False)


@bp.post("/account/two-factor")
@login_required
def own_two_factor():
    """A psychologist (for whom it is optional) switches two-factor sign-in on: enrolment, as
    at sign-in, then the session goes on."""
    user = current_user._get_current_object()
    if not user.totp_enabled:
        _start_pending(user, "", None)
        return redirect(url_for("auth.enrol"))
    return redirect(url_for("auth.own_password"))


def _password_page(user: User, forced: bool):
    form = PasswordChangeForm()
    status = 200
    if form.validate_on_submit():
        now = current_runtime().clock.now()
        try:
            with unit_of_work(db.session):
                change_password(db.session, user, None if forced else form.current.data or "",
                                form.new.data, now)
                audit.record(db.session, now, "password.change", user, "user", user.id)
        except AccountError as exc:
            flash(str(exc), "error")
            status = 400
        else:
            flash(_("Your password was changed."))
            if forced:      # the change moved the stamp on; this browser's sign-in goes on
                session["pending"] = {**session["pending"], "stamp": user.security_stamp}
                return _continue(user)
            complete_sign_in(user)          # this session goes on; the others were ended
            return redirect(home_for(user))
    elif form.is_submitted():
        status = 400
    return render_template("password_change.html", form=form, forced=forced), status


def complete_sign_in(user) -> None:
    """A sign-in has succeeded: the browser's current session (if any) ends, a new server-side
    session (committed with what the unit of work holds), a fresh cookie naming it, Flask-Login's
    user, and the browser becomes a known device for the person."""
    rt = current_runtime()
    now = rt.clock.now()
    sessions.end(db.session, session.get(SESSION_KEY), now, "signed in again")
    token = sessions.start(db.session, user, now)
    db.session.commit()
    session.clear()                      # nothing from before sign-in is carried over
    session[SESSION_KEY] = token
    login_user(user)
    known_devices.remember(user.id)


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
