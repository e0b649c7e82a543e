"""The register of requests: lists (open, due today, overdue), other-channel requests, status
and follow-ups."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from helpline.extensions import db
from helpline.holidays import holidays_from
from helpline.models import Centre, Request, Topic
from helpline.runtime import current_runtime
from helpline.services import audit
from helpline.services import requests as register
from helpline.services.centres import list_centres
from helpline.services.contacts import NotesCipher
from helpline.uow import unit_of_work
from helpline.vocabulary import to_utc, zone_of
from helpline.web import inputs
from helpline.web.access import STAFF, fetch, may_see_centre, roles_required

bp = Blueprint("register", __name__, url_prefix="/requests")


def _centre_id() -> int | None:
    """The centre whose register is listed: an administrator's choice (``InputError`` for one
    that is no centre's id), anyone else's own."""
    if current_user.is_admin:
        return inputs.optional_id(request.values.get("centre"), "centre")
    return current_user.centre_id


@bp.get("")
@roles_required(*STAFF)
def listing(status: int = 200, error: str | None = None):
    rt = current_runtime()
    view = request.args.get("view", "open")
    try:
        centre_id = _centre_id()
    except inputs.InputError as exc:      # the form again (as typed), the field named, no rows
        return _page([], set(), view, error or str(exc), 400)
    try:
        rows = register.listing(db.session, centre_id, view, rt.clock.now(), _zone(centre_id).key,
                                topic=request.args.get("topic") or None,
                                risk=request.args.get("risk") or None,
                                status=request.args.get("status") or None, reader=current_user)
    except register.RequestError as exc:
        abort(400, str(exc))
    readable = {row.id for row in rows if register.may_read(current_user, row)}
    with unit_of_work(db.session):
        audit.record(db.session, rt.clock.now(), "request.list", current_user, "centre", centre_id,
                     detail=f"view={view}; {len(readable)} with details, "
                            f"{len(rows) - len(readable)} without")
    return _page(rows, readable, view, error, status)


def _zone(centre_id: int | None):
    """The zone the register's days and times are in: its centre's (one's own for all centres)."""
    return zone_of(db.session.get(Centre, centre_id) if centre_id else current_user.centre)


def _page(rows: list[Request], readable: set[int], view: str, error: str | None, status: int):
    return render_template("requests.html", rows=rows, readable=readable, view=view,
                           now=current_runtime().clock.now(), zone=zone_of(current_user.centre),
                           topics=db.session.query(Topic).order_by(Topic.id).all(),
                           centres=list_centres(db.session),
                           error=error, form=request.form), status


@bp.post("")
@roles_required(*STAFF)
def create():
    rt = current_runtime()
    form = request.form
    try:
        centre_id = inputs.optional_id(form.get("centre"), "centre") or current_user.centre_id
        received = inputs.local_datetime(form.get("received"), "received")
    except inputs.InputError as exc:      # the form again, the field named, what was typed kept
        return listing(status=400, error=str(exc))
    centre = db.session.get(Centre, centre_id) if centre_id else None
    if centre is None or not may_see_centre(current_user, centre.id):
        abort(403)
    try:
        register.register(db.session, centre, register.RequestInput(
            channel=form.get("channel", ""), received_at=to_utc(received, centre),
            caller_type=form.get("caller_type") or None, age_band=form.get("age_band") or None,
            risk_level=form.get("risk_level") or None, topics=form.getlist("topics"),
            immediate_threat=bool(form.get("immediate"))), current_user, rt.clock.now(),
            holidays_from(rt.settings))
    except register.RequestError as exc:
        db.session.rollback()
        return listing(status=400, error=str(exc))
    audit.record(db.session, rt.clock.now(), "request.create", current_user, "centre", centre.id)
    db.session.commit()
    flash(_("Request registered."))
    return redirect(url_for("register.listing"), 303)


def _readable(request_id: int, refusal: str) -> Request:
    """The request, if this person may read its details (``register.may_read``); a refusal is
    audited as ``refusal`` and committed at once, then answered 403 in words."""
    item = fetch(Request, request_id, lambda item: True)
    if not register.may_read(current_user, item):
        with unit_of_work(db.session):
            audit.record(db.session, current_runtime().clock.now(), refusal, current_user,
                         "request", item.id)
        abort(403, description=_("The details of this request are for the psychologist who "
                                 "registered it and the centre's supervisors."))
    return item


@bp.get("/<int:request_id>")
@roles_required(*STAFF)
def show(request_id: int):
    item = _readable(request_id, "request.open_refused")
    with unit_of_work(db.session):
        audit.record(db.session, current_runtime().clock.now(), "request.open", current_user,
                     "request", item.id)
    cipher = NotesCipher(current_runtime().settings.notes_key)
    follow_ups = [(f, cipher.read(f.detail_encrypted)) for f in item.follow_ups]
    return render_template("request.html", item=item, follow_ups=follow_ups, zone=_zone(item.centre_id))


@bp.post("/<int:request_id>")
@roles_required(*STAFF)
def update(request_id: int):
    rt = current_runtime()
    item = _readable(request_id, "request.update_refused")
    try:
        if request.form.get("status"):
            register.set_status(item, request.form["status"], rt.clock.now())
        if request.form.get("action"):
            register.add_follow_up(item, request.form["action"], request.form.get("detail", ""),
                                   current_user, rt.clock.now(), NotesCipher(rt.settings.notes_key))
    except register.RequestError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("register.show", request_id=request_id), 303)
    audit.record(db.session, rt.clock.now(), "request.update", current_user, "request", item.id)
    db.session.commit()
    flash(_("Request updated."))
    return redirect(url_for("register.show", request_id=request_id), 303)
