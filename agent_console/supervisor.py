"""The supervisor's live view: agents, waiting calls, calls in progress, open escalations."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from helpline.extensions import db
from helpline.models import Call, Centre, Escalation
from helpline.runtime import current_runtime
from helpline.services import audit, escalations, handover
from helpline.services import board as board_service
from helpline.services.centres import list_centres
from helpline.services.escalations import EscalationError, UnexplainedItems
from helpline.services.handover import HandOverRefused
from helpline.uow import unit_of_work
from helpline.vocabulary import local
from helpline.web import inputs
from helpline.web.access import SUPERVISORS, chosen_person, fetch, may_handle, may_see_centre, roles_required

bp = Blueprint("supervisor", __name__, url_prefix="/supervisor")
#: The checklist's bodies, as refusals name them.
BODY_NAMES = {"health": _l("Ambulance / health"), "police": _l("Police"),
              "child_rights": _l("Child-rights authority"), "guardianship": _l("Guardianship body"),
              "parents": _l("Parents")}


def _scope() -> int | None:
    return None if current_user.is_admin else current_user.centre_id


@bp.get("")
@roles_required(*SUPERVISORS)
def board():
    return render_template("supervisor.html", carrier=current_runtime().settings.carrier)


@bp.get("/board.json")
@roles_required(*SUPERVISORS)
def board_json():
    rt = current_runtime()
    now = rt.clock.now()
    data = board_service.snapshot(db.session, _scope(), now, rt.dispatcher)
    centres = [db.session.get(Centre, _scope())] if _scope() is not None else list_centres(db.session)
    data["duty_ends"] = {str(c.id): local(rt.roster.duty_ends_at(db.session, c, now), c).strftime("%H:%M")
                         for c in centres if c is not None}
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


@bp.post("/calls/<call_id>/hand")
@roles_required(*SUPERVISORS)
def hand(call_id: str):
    """Ring a chosen psychologist of the centre with this waiting call now."""
    call = fetch(Call, call_id[:64], lambda c: may_see_centre(current_user, c.centre_id))
    person = chosen_person(inputs.json_object())
    rt = current_runtime()
    try:
        with unit_of_work(db.session):
            offer = handover.hand_to(db.session, rt.dispatcher, call, person, rt.clock.now())
            audit.record(db.session, rt.clock.now(), "call.handed", current_user, "call", call.id,
                         detail=person.username)
    except HandOverRefused as exc:
        return jsonify(error=str(HAND_REFUSALS[exc.code]) % {"name": person.username}), 409
    return jsonify(offered=True, offer_id=offer.id, name=person.username)


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
