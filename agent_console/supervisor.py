"""The supervisor's live view: agents, waiting calls, calls in progress, open escalations."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template
from flask_login import current_user

from agent_console import inputs
from agent_console.access import fetch, may_handle, roles_required
from helpline.extensions import db
from helpline.models import Escalation
from helpline.runtime import current_runtime
from helpline.services import audit, escalations
from helpline.services import board as board_service
from helpline.services.escalations import EscalationError

bp = Blueprint("supervisor", __name__, url_prefix="/supervisor")
SUPERVISORS = ("supervisor", "administrator")


def _scope() -> int | None:
    return None if current_user.is_admin else current_user.centre_id


@bp.get("")
@roles_required(*SUPERVISORS)
def board():
    return render_template("supervisor.html")


@bp.get("/board.json")
@roles_required(*SUPERVISORS)
def board_json():
    return jsonify(board_service.snapshot(db.session, _scope(), current_runtime().clock.now()))


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
    escalation = _escalation(escalation_id)
    rt = current_runtime()
    escalations.close(db.session, escalation, current_user, rt.clock.now(), rt.dispatcher.publisher)
    audit.record(db.session, rt.clock.now(), "escalation.close", current_user, "escalation",
                 escalation.id)
    db.session.commit()
    return jsonify(closed=True)


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
