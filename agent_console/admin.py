"""Administrator pages: users and topics."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from agent_console.forms import ProfileForm, TopicForm, UserForm
from helpline.extensions import db
from helpline.models import Topic, User
from helpline.runtime import current_runtime
from helpline.services import audit
from helpline.services.accounts import (
    AccountError,
    NewUser,
    Profile,
    create_user,
    list_users,
    reset_password,
    reset_two_factor,
    revoke_calendar,
    revoke_sessions,
    set_enabled,
    update_profile,
)
from helpline.services.centres import list_centres
from helpline.services.topics import TopicError, add_topic, list_topics, show_topic
from helpline.uow import unit_of_work
from helpline.vocabulary import DEFAULT_ZONE
from helpline.web import inputs
from helpline.web.access import roles_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _user_form(form_class=UserForm, **kwargs):
    form = form_class(**kwargs)
    form.centre_id.choices = [SelectChoice("", "—")] + [
        SelectChoice(str(c.id), c.name) for c in list_centres(db.session)]
    return form


def _form_page(form, act: Callable[[datetime], tuple[str | None, str]], page: Callable[[], str]):
    """A page with a form: shown (200); a valid post carried out by ``act`` in one unit of work,
    then said done (its message) and redirected (its URL); a post ``act`` refuses (nothing
    written, the refusal said) or an invalid one shows the page again with 400."""
    if form.validate_on_submit():
        try:
            with unit_of_work(db.session):
                done, to = act(current_runtime().clock.now())
        except (AccountError, TopicError) as exc:
            flash(str(exc), "error")
        else:
            if done:
                flash(done)
            return redirect(to), 303
    return page(), 400 if form.is_submitted() else 200


@bp.route("/users", methods=["GET", "POST"])
@roles_required("administrator")
def users():
    form = _user_form()

    def create(now: datetime) -> tuple[str, str]:
        user = create_user(db.session, NewUser(
            username=form.username.data, password=form.password.data, role=form.role.data,
            centre_id=int(form.centre_id.data) if form.centre_id.data else None,
            languages=form.languages.data or [], ui_language=form.ui_language.data,
        ), now)
        audit.record(db.session, now, "user.create", current_user, "user", user.id,
                     detail=f"{user.username} {user.role}")
        return _("User %(name)s added.", name=user.username), url_for("admin.users")

    return _form_page(form, create, lambda: render_template("admin_users.html", form=form,
                                                             users=list_users(db.session)))


@bp.post("/users/<int:user_id>/<any(enable, disable):action>")
@roles_required("administrator")
def toggle(user_id: int, action: str):
    user = db.get_or_404(User, user_id)
    if user.id == current_user.id:
        flash(_("You cannot switch off your own account."), "error")
        return redirect(url_for("admin.users")), 303
    now = current_runtime().clock.now()
    with unit_of_work(db.session):
        set_enabled(db.session, user, action == "enable", now)
        audit.record(db.session, now, f"user.{action}", current_user, "user", user.id,
                     detail=user.username)
    return redirect(url_for("admin.users")), 303


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@roles_required("administrator")
def edit_user(user_id: int):
    """Role, centre, languages and interface language of one account, and its actions."""
    user = db.get_or_404(User, user_id)
    form = _user_form(ProfileForm, data={"role": user.role, "centre_id": str(user.centre_id or ""),
                                         "languages": user.language_list,
                                         "ui_language": user.ui_language})

    def save(now: datetime) -> tuple[str, str]:
        moved = update_profile(db.session, user, Profile(
            role=form.role.data, languages=form.languages.data or [],
            centre_id=int(form.centre_id.data) if form.centre_id.data else None,
            ui_language=form.ui_language.data), now)
        audit.record(db.session, now, "user.edit", current_user, "user", user.id,
                     detail=f"{user.role} centre {user.centre_id} {user.languages}")
        return (_("Changes to %(name)s saved. The role or centre changed, so %(name)s is signed "
                  "out everywhere and signs in again.", name=user.username) if moved
                else _("Changes to %(name)s saved.", name=user.username),
                url_for("admin.edit_user", user_id=user.id))

    return _form_page(form, save, lambda: render_template("admin_user.html", form=form, user=user))


@bp.post("/users/<int:user_id>/<any('reset-password', 'reset-two-factor', 'revoke-sessions', "
         "'revoke-calendar'):action>")
@roles_required("administrator")
def account_action(user_id: int, action: str):
    """An administrator's action on an account; each is audited, and said done only if done."""
    user = db.get_or_404(User, user_id)
    now = current_runtime().clock.now()
    temporary = None
    try:
        with unit_of_work(db.session):
            if action == "reset-password":
                temporary = reset_password(db.session, user, now)
            elif action == "reset-two-factor":
                reset_two_factor(db.session, user)
            elif action == "revoke-sessions":
                revoke_sessions(db.session, user.id, now, "revoked by an administrator")
            else:
                revoke_calendar(user)
            audit.record(db.session, now, f"user.{action.replace('-', '_')}", current_user, "user",
                         user.id)
    except AccountError as exc:
        flash(str(exc), "error")
        return redirect(url_for("admin.edit_user", user_id=user.id)), 303
    if temporary:              # shown once, in this answer only (never stored, never redirected)
        return render_template("admin_user.html", form=_user_form(ProfileForm, obj=None), user=user,
                               temporary=temporary, hide_form=True)
    flash({"reset-two-factor": _("Two-factor sign-in reset: %(name)s sets it up at the next "
                                 "sign-in.", name=user.username),
           "revoke-sessions": _("%(name)s is signed out everywhere.", name=user.username),
           "revoke-calendar": _("The calendar feed of %(name)s no longer works.",
                                name=user.username)}[action])
    return redirect(url_for("admin.edit_user", user_id=user.id)), 303


@bp.route("/topics", methods=["GET", "POST"])
@roles_required("administrator")
def topics():
    form = TopicForm()

    def add(now: datetime) -> tuple[None, str]:
        add_topic(db.session, form.code.data, {"en": form.name_en.data, "ru": form.name_ru.data,
                                               "kk": form.name_kk.data}, current_user, now)
        return None, url_for("admin.topics")

    return _form_page(form, add, lambda: render_template("admin_topics.html", form=form,
                                                          topics=list_topics(db.session)))


@bp.post("/topics/<int:topic_id>/<any(show, hide):action>")
@roles_required("administrator")
def toggle_topic(topic_id: int, action: str):
    topic = db.get_or_404(Topic, topic_id)
    with unit_of_work(db.session):
        show_topic(db.session, topic, action == "show", current_user, current_runtime().clock.now())
    return redirect(url_for("admin.topics")), 303


@bp.get("/audit")
@roles_required("administrator")
def audit_log():
    """The audit log, newest first, filtered by action, person and period (days in UTC+5)."""
    zone = DEFAULT_ZONE       # administrators see every centre: the country's zone
    users = {u.id: u.username for u in db.session.query(User)}
    try:
        first = inputs.optional_day(request.args.get("from"), "from")
        last = inputs.optional_day(request.args.get("to"), "to")
    except inputs.InputError as exc:     # the filter again, the field named, what was typed kept
        return render_template("admin_audit.html", rows=[], users=users, zone=zone, error=str(exc)), 400
    actor = request.args.get("actor") or ""
    actor_id = next((uid for uid, name in users.items() if name == actor), -1) if actor else None
    rows = audit.events(
        db.session, action=request.args.get("action") or None, actor_id=actor_id,
        since=datetime.combine(first, time(0), zone) if first else None,
        until=datetime.combine(last + timedelta(days=1), time(0), zone) if last else None)
    return render_template("admin_audit.html", rows=rows, users=users, zone=zone, error=None)


@bp.get("/provider-purge")
@roles_required("administrator")
def provider_purge():
    """The sweeps that delete ended calls at the voice provider: counts only, never a call id."""
    from helpline.services.provider_purge import overview

    runtime = current_runtime()
    return render_template("admin_purge.html", overview=overview(db.session),
                           enabled=runtime.provider_purge is not None,
                           interval=runtime.settings.twilio_purge_interval_seconds,
                           grace=runtime.settings.twilio_purge_grace_seconds,
                           zone=DEFAULT_ZONE)
