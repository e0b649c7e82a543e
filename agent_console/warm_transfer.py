"""Warm transfer from the console: the colleagues who may be brought in, then consult (the
caller holds), hand over or take back (``helpline.services.warm_transfer``).  Thin: parse,
authorise, call the service; a step that did not happen answers 409 with the reason."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from agent_console.call_help import _own_call
from helpline.extensions import db
from helpline.runtime import current_runtime
from helpline.services import warm_transfer as warm
from helpline.services.warm_transfer import HeldRefused, WarmRefused
from helpline.uow import unit_of_work
from helpline.web import inputs
from helpline.web.access import STAFF, roles_required

bp = Blueprint("warm_transfer", __name__)
CHOOSE = _l("Choose a colleague, a supervisor, or a centre and a language.")


@bp.get("/console/calls/<call_id>/colleagues")
@roles_required(*STAFF)
def colleagues(call_id: str):
    """The colleagues available now, and who is on the line with the caller holding."""
    call = _own_call(call_id)
    return jsonify(colleagues=warm.colleagues(db.session, current_user),
                   consulting=warm.colleague_on(db.session, call))


@bp.post("/console/calls/<call_id>/consult")
@roles_required(*STAFF)
def consult(call_id: str):
    """``{"user_id": n}`` | ``{"supervisor": true}`` | ``{"centre_id": n, "language": "kk"}``:
    hold the caller and bring that colleague onto the line."""
    call = _own_call(call_id)
    data = inputs.json_object()
    try:
        user_id = inputs.optional_id(str(data.get("user_id") or ""), "user_id")
        centre_id = inputs.optional_id(str(data.get("centre_id") or ""), "centre_id")
    except inputs.InputError as exc:
        return jsonify(error=str(exc)), 400
    language, supervisor = data.get("language"), data.get("supervisor") is True
    if user_id is None and not supervisor and (centre_id is None or not isinstance(language, str)):
        return jsonify(error=str(CHOOSE)), 400
    return _step(lambda rt, now: {"colleague": _consult(rt, call, now, user_id, centre_id, language,
                                                        supervisor)})


def _consult(rt, call, now, user_id, centre_id, language, supervisor) -> str:
    colleague = warm.pick(db.session, current_user, user_id=user_id, centre_id=centre_id,
                          language=language if isinstance(language, str) else None, supervisor=supervisor)
    warm.consult(db.session, warm.of(rt.lifecycle), call, current_user, colleague, now)
    return colleague.username


@bp.post("/console/calls/<call_id>/handover")
@roles_required(*STAFF)
def hand_over(call_id: str):
    """The colleague on the line becomes the call's psychologist; this console goes to wrap-up."""
    call = _own_call(call_id)
    return _step(lambda rt, now: {"handed_over": warm.hand_over(
        db.session, warm.of(rt.lifecycle), call, current_user, now).username})


@bp.post("/console/calls/<call_id>/take-back")
@roles_required(*STAFF)
def take_back(call_id: str):
    """The colleague leaves; the caller comes off hold."""
    call = _own_call(call_id)
    return _step(lambda rt, now: warm.take_back(db.session, warm.of(rt.lifecycle), call, current_user, now)
                 or {"taken_back": True})


def _step(action):
    """Run the step in a unit of work; a refusal answers 409 in words.  When the carrier left
    the caller on hold (``HeldRefused``), that is kept on record and said (``still_on_hold``)."""
    rt = current_runtime()
    held = None
    try:
        with unit_of_work(db.session):
            try:
                answer = action(rt, rt.clock.now())
            except HeldRefused as exc:
                held = exc
    except WarmRefused as exc:
        return jsonify(error=str(exc)), 409
    if held is not None:
        return jsonify(error=str(held), still_on_hold=True), 409
    return jsonify(**answer)
