"""The supervisor's "put on duty now": an ad-hoc line shift from this minute, checked as the
rota is (``scheduling.duty_now``); the supervisor view's script posts here."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask_babel import gettext as _
from flask_login import current_user

from helpline.extensions import db
from helpline.models import Centre
from helpline.runtime import current_runtime
from helpline.services import audit
from helpline.uow import unit_of_work
from helpline.vocabulary import local
from helpline.web import inputs
from helpline.web.access import chosen_person, roles_required
from scheduling import duty_now
from scheduling.service import RotaError

bp = Blueprint("duty_now", __name__, url_prefix="/supervisor")


@bp.post("/duty")
@roles_required("supervisor", "administrator")
def put_on_duty():
    """Put a person of the centre on line duty from now (an ad-hoc shift, checked as the rota is)."""
    data = inputs.json_object()
    person = chosen_person(data)
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
    return jsonify(on_duty=True, name=person.username, until=local(shift.ends_at, centre).strftime("%H:%M"))
