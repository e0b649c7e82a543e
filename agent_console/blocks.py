"""Caller blocks on the supervisor's view: block the caller of a call, lift a block.

Supervisors act on a call id (their centre's calls; administrators any); the server looks up
the call's keyed token, which no page ever shows.  Words for each refusal live here; the rules
in ``helpline.services.caller_blocks``.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from helpline.extensions import db
from helpline.models import Call, CallerBlock
from helpline.runtime import current_runtime
from helpline.services import caller_blocks
from helpline.services.caller_blocks import BlockError
from helpline.uow import unit_of_work
from helpline.web import inputs
from helpline.web.access import SUPERVISORS, may_see_centre, roles_required

bp = Blueprint("caller_blocks", __name__, url_prefix="/supervisor")

REFUSALS = {
    "disabled": _l("Caller tokens are off on this line, so callers cannot be blocked. An "
                   "administrator can turn them on (CALLER_TOKEN_ENABLED)."),
    "duration": _l("Choose how long the block lasts: 1 hour, 24 hours or 7 days."),
    "reason": _l("Choose a reason for the block."),
    "no_token": _l("This caller cannot be recognised (the number was withheld, or the call came "
                   "before caller tokens were on), so they cannot be blocked."),
    "rotated": _l("This call was made before this month's key change: its caller can no longer be "
                  "recognised, so they cannot be blocked."),
    "already": _l("This caller is already blocked at this centre. Lift that block first to change it."),
    "ended": _l("This block has already ended."),
    "not_found": _l("There is no such call or block."),
    "not_yours": _l("This call or block belongs to another centre."),
}


def _refuse(code: str, status: int = 400):
    return jsonify(error=str(REFUSALS[code])), status


def _ours(model, key):
    """``(row, None)``, or ``(None, refusal)`` when there is no such row (404) or it belongs to
    another centre (403)."""
    row = db.session.get(model, key)
    if row is None:
        return None, _refuse("not_found", 404)
    if not may_see_centre(current_user, row.centre_id):
        return None, _refuse("not_yours", 403)
    return row, None


def _scope() -> int | None:
    return None if current_user.is_admin else current_user.centre_id


@bp.get("/caller-blocks.json")
@roles_required(*SUPERVISORS)
def overview():
    rt = current_runtime()
    enabled = rt.settings.caller_token_enabled
    data = caller_blocks.overview(db.session, _scope(), rt.clock.now()) if enabled else {
        "calls": [], "blocks": []}
    return jsonify(enabled=enabled, durations=list(caller_blocks.DURATIONS), **data)


@bp.post("/calls/<call_id>/block")
@roles_required(*SUPERVISORS)
def block(call_id: str):
    """Block the caller of ``call_id`` at the call's centre for a chosen time, with a reason."""
    rt = current_runtime()
    body = inputs.json_object() or request.form
    call, refusal = _ours(Call, call_id[:32])
    if refusal:
        return refusal
    try:
        with unit_of_work(db.session):
            row = caller_blocks.block(db.session, current_user, call, str(body.get("duration", "")),
                                      str(body.get("reason", "")), rt.clock.now(),
                                      enabled=rt.settings.caller_token_enabled)
            result = {"id": row.id, "ends_at": row.ends_at.isoformat()}
    except BlockError as exc:
        return _refuse(exc.code, 409 if exc.code in ("already", "disabled") else 400)
    return jsonify(result), 201


@bp.post("/caller-blocks/<int:block_id>/lift")
@roles_required(*SUPERVISORS)
def lift(block_id: int):
    """End a block before its time."""
    rt = current_runtime()
    row, refusal = _ours(CallerBlock, block_id)
    if refusal:
        return refusal
    try:
        with unit_of_work(db.session):
            caller_blocks.lift(db.session, current_user, row, rt.clock.now())
    except BlockError as exc:
        return _refuse(exc.code, 409)
    return jsonify(lifted=True)
