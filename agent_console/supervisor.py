"""The supervisor's live view: agents, waiting calls, calls in progress, open escalations."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Blueprint, abort, jsonify, make_response, render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from helpline.extensions import db
from helpline.models import Call, Centre, Escalation, User
from helpline.runtime import current_runtime
from helpline.services import audit, escalations, handover
from helpline.services import board as board_service
from helpline.services.centres import list_centres
from helpline.services.escalations import EscalationError, UnexplainedItems
from helpline.services.handover import HandOverRefused
from helpline.uow import unit_of_work
from helpline.web import inputs
from helpline.web.access import fetch, may_handle, may_see_centre, roles_required
from scheduling import duty_now
from scheduling.service import RotaError

bp = Blueprint("supervisor", __name__, url_prefix="/supervisor")
SUPERVISORS = ("supervisor", "administrator")
#: The checklist's bodies, as refusals name them.
BODY_NAMES = {"health": _l("Ambulance / health"), "police": _l("Police"),
              "child_rights": _l("Child-rights authority"), "guardianship": _l("Guardianship body"),
              "parents": _l("Parents")}


def _scope() -> int | None:
    return None if current_user.is_admin else current_user.centre_id


@bp.get("")
@roles_required(*SUPERVISORS)
def board():
    return render_template("supervisor.html")


@bp.get("/board.json")
@roles_required(*SUPERVISORS)
def board_json():
    rt = current_runtime()
    now = rt.clock.now()
    data = board_service.snapshot(db.session, _scope(), now, rt.dispatcher)
    centres = [db.session.get(Centre, _scope())] if _scope() is not None else list_centres(db.session)
    data["duty_ends"] = {str(c.id): duty_now.default_end(db.session, c, now).astimezone(
        ZoneInfo(c.timezone)).strftime("%H:%M") for c in centres if c is not None}
    return jsonify(data)


def _escalation(escalation_id: int) -> Escalation:
    return fetch(Escalation, escalation_id, lambda e: may_handle(current_user, e))


@bp.post("/escalations/<int:escalation_id>/notified")
@roles_required(*SUPERVISORS)
def notified(escalation_id: int):
    """Tick one body on the checklist (time and person are recorded)."""
    escalation = _escalation(escalation_id)
    body = inputs.json_object().get("body", "")
    rt = current_runtime()
    try:
        item = escalations.tick(db.session, escalation, str(body), current_user, rt.clock.now(),
                                rt.dispatcher.publisher)
    except EscalationError as exc:
        db.session.rollback()
        return jsonify(error=str(exc)), 400
    audit.record(db.session, rt.clock.now(), "escalation.notified", current_user, "escalation",
                 escalation.id, detail=item.body)
    db.session.commit()
    return jsonify(body=item.body, notified_at=item.notified_at.isoformat())


@bp.post("/escalations/<int:escalation_id>/close")
@roles_required(*SUPERVISORS)
def close(escalation_id: int):
    """Close an escalation: every body ticked, or a reason written for each one that is not."""
    escalation = _escalation(escalation_id)
    reasons = inputs.json_object().get("reasons")
    rt = current_runtime()
    try:
        with unit_of_work(db.session):
            skipped = escalations.close(db.session, escalation, current_user, rt.clock.now(),
                                        rt.dispatcher.publisher, reasons if isinstance(reasons, dict) else {})
            audit.record(db.session, rt.clock.now(), "escalation.close", current_user, "escalation",
                         escalation.id, detail=f"not notified: {', '.join(skipped)}" if skipped else "")
    except UnexplainedItems as exc:
        names = ", ".join(str(BODY_NAMES[body]) for body in exc.bodies)
        return jsonify(error=_("Not closed: tick each body notified, or write why it was not "
                               "notified: %(bodies)s.", bodies=names), missing=exc.bodies), 400
    except EscalationError as exc:
        return jsonify(error=str(exc)), 400
    return jsonify(closed=True)


HAND_REFUSALS = {
    "left_queue": _l("Not handed: this call is no longer waiting (it was answered, or the caller left)."),
    "not_available": _l("Not handed: %(name)s is no longer Available."),
    "ringing": _l("Not handed: %(name)s's console is ringing with another call. Try again in a moment."),
    "not_staff": _l("Not handed: choose a psychologist of your centre."),
}


def _person(data: dict) -> User:
    """The person chosen (``user_id``): 400 when none, 403 when not of the supervisor's centre."""
    try:
        user_id = inputs.optional_id(str(data.get("user_id") or ""), "user_id")
    except inputs.InputError as exc:
        abort(make_response(jsonify(error=str(exc)), 400))
    person = db.session.get(User, user_id) if user_id else None
    if person is None:
        abort(make_response(jsonify(error=_("Choose a person from the list.")), 400))
    if not may_see_centre(current_user, person.centre_id):
        abort(403)
    return person


@bp.post("/calls/<call_id>/hand")
@roles_required(*SUPERVISORS)
def hand(call_id: str):
    """Ring a chosen psychologist of the centre with this waiting call now."""
    call = fetch(Call, call_id[:64], lambda c: may_see_centre(current_user, c.centre_id))
    person = _person(inputs.json_object())
    rt = current_runtime()
    try:
        with unit_of_work(db.session):
            offer = handover.hand_to(db.session, rt.dispatcher, call, person, rt.clock.now())
            audit.record(db.session, rt.clock.now(), "call.handed", current_user, "call", call.id,
                         detail=person.username)
    except HandOverRefused as exc:
        return jsonify(error=str(HAND_REFUSALS[exc.code]) % {"name": person.username}), 409
    return jsonify(offered=True, offer_id=offer.id, name=person.username)


@bp.post("/duty")
@roles_required(*SUPERVISORS)
def put_on_duty():
    """Put a person of the centre on line duty from now (an ad-hoc shift, checked as the rota is)."""
    data = inputs.json_object()
    person = _person(data)
    rt = current_runtime()
    now = rt.clock.now()
    reason, until = data.get("reason"), data.get("until")
    if not isinstance(reason, str | None) or not isinstance(until, str | None) or len(reason or "") > 500:
        return jsonify(error=_("until: a time as HH:MM; reason: text of at most 500 characters")), 400
    try:
        with unit_of_work(db.session):
            centre = db.session.get(Centre, person.centre_id) if person.centre_id else None
            end = duty_now.end_from_clock(centre, until, now) if centre and (until or "").strip() else None
            shift = duty_now.put_on_duty(db.session, person, end, current_user, now, rt.settings, reason)
            audit.record(db.session, now, "rota.duty_now", current_user, "shift", shift.id,
                         detail=f"{person.username} until {shift.ends_at.isoformat()}"
                         + (f"; rule broken: {shift.override_reason}" if shift.override_reason else ""))
            rt.dispatcher.route(db.session, now)        # she may be offered a waiting call at once
    except RotaError as exc:
        if exc.violations:
            return jsonify(error=_("This breaks working-time rules. To put %(name)s on duty anyway, "
                                   "write a reason; it is kept with the shift.", name=person.username),
                           violations=[f"{v.kind}: {v.detail}" for v in exc.violations],
                           needs_reason=True), 409
        return jsonify(error=str(exc)), 400
    zone = ZoneInfo(centre.timezone)
    return jsonify(on_duty=True, name=person.username, until=shift.ends_at.astimezone(zone).strftime("%H:%M"))


@bp.get("/wallboard")
@roles_required(*SUPERVISORS)
def wallboard():
    """A layout for a wall screen; it follows the line live."""
    return render_template("wallboard.html")


@bp.get("/wallboard.json")
@roles_required(*SUPERVISORS)
def wallboard_json():
    from helpline.services import wallboard as figures

    return jsonify(figures.figures(db.session, _scope(), current_runtime().clock.now()))
