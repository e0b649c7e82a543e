"""The supervisor's live view, on a call in progress: Listen, Coach, Join, switch mode, Leave
(``helpline.services.on_the_line``).  A step that did not happen answers 409 with the reason."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask_login import current_user

from helpline.extensions import db
from helpline.models import Call, CallState
from helpline.runtime import current_runtime
from helpline.services import on_the_line as line_service
from helpline.services.on_the_line import LineRefused, OnTheLine
from helpline.uow import unit_of_work
from helpline.web import inputs
from helpline.web.access import SUPERVISORS, fetch, may_see_centre, roles_required

bp = Blueprint("on_the_line", __name__, url_prefix="/supervisor")


def _line() -> OnTheLine:
    rt = current_runtime()
    return OnTheLine(rt.lifecycle.carrier, rt.settings, rt.dispatcher.publisher)


def _call(call_id: str) -> Call:
    return fetch(Call, call_id[:64], lambda c: may_see_centre(current_user, c.centre_id))


@bp.get("/line.json")
@roles_required(*SUPERVISORS)
def line_json():
    """Per call in progress that the supervisor may see: who is on it and the modes allowed."""
    scope = None if current_user.is_admin else current_user.centre_id
    query = db.select(Call).where(Call.state == CallState.ANSWERED.value)
    if scope is not None:
        query = query.where(Call.centre_id == scope)
    settings = current_runtime().settings
    calls = {c.id: {"people": line_service.people(db.session, c),
                    "modes": line_service.modes_allowed(settings, c.centre_id)}
             for c in db.session.scalars(query)}
    return jsonify(calls=calls, me=current_user.id)


@bp.post("/calls/<call_id>/line")
@roles_required(*SUPERVISORS)
def on_line(call_id: str):
    """``{"mode": "listen" | "coach" | "join" | "leave"}``: come on, switch mode, or leave."""
    call = _call(call_id)
    mode = inputs.json_object().get("mode")
    if not isinstance(mode, str):
        return jsonify(error=str(line_service.MODE_MISSING)), 400
    rt = current_runtime()
    now = rt.clock.now()
    try:
        with unit_of_work(db.session):
            if mode == "leave":
                line_service.leave(db.session, _line(), current_user, call, now)
            elif current_user.id in line_service.present(db.session, call):
                line_service.switch(db.session, _line(), current_user, call, mode, now)
            else:
                line_service.enter(db.session, _line(), current_user, call, mode, now)
    except LineRefused as exc:
        return jsonify(error=str(exc)), 409
    return jsonify(mode=mode, people=line_service.people(db.session, call))


@bp.get("/voice-token")
@roles_required(*SUPERVISORS)
def voice_token():
    """Real carrier: a short-lived Voice access token that lets the supervisor's browser answer
    the line's call into a conference (identity: the opaque public id)."""
    from twilio.jwt.access_token import AccessToken
    from twilio.jwt.access_token.grants import VoiceGrant

    settings = current_runtime().settings
    if settings.carrier != "twilio":
        return jsonify(error="The simulated carrier needs no voice token."), 404
    token = AccessToken(settings.twilio_account_sid, settings.twilio_api_key,
                        settings.twilio_api_secret, identity=current_user.public_id, ttl=600)
    token.add_grant(VoiceGrant(incoming_allow=True))
    return jsonify(token=token.to_jwt(), ttl=600)
