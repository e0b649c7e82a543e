"""During a call: ask the supervisor on call for help (and their "On my way"), and pass the
caller to another centre's queue. Thin: parse, authorise, call the service, answer in words."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from agent_console.console import _on_call
from helpline.extensions import db
from helpline.models import Call, Centre
from helpline.runtime import current_runtime
from helpline.services import help_requests, transfer
from helpline.services.contacts import NotesCipher
from helpline.services.help_requests import HelpRefused
from helpline.services.transfer import TransferRefused
from helpline.uow import unit_of_work
from helpline.web import inputs
from helpline.web.access import STAFF, SUPERVISORS, fetch, may_see_centre, roles_required

bp = Blueprint("call_help", __name__)

HELP_REFUSALS = {
    "not_on_call": _l("Not sent: you are not on this call any more."),
    "no_supervisor": _l("Not sent: your centre has no supervisor to alert. Call another centre's "
                        "supervisor or the head of your centre."),
    "call_over": _l("This call has ended; the psychologist is no longer on it."),
}
TRANSFER_REFUSALS = {
    "not_on_call": _l("Not transferred: you are not on this call any more."),
    "not_connected": _l("Not transferred: the caller is not connected to you yet."),
    "same_centre": _l("Not transferred: choose another centre than the caller's."),
    "language": _l("Not transferred: that centre does not answer in this language. "
                   "Choose one of its languages."),
    "carrier": _l("Not transferred: the phone network did not move the caller. "
                  "The caller is still with you."),
}


def _own_call(call_id: str) -> Call:
    """The call in progress of the person asking (403 for anyone else's)."""
    return fetch(Call, call_id[:64], lambda call: call.agent_id == current_user.id)


def _help(action, **answer):
    """Run one help action in a unit of work: ``answer`` (plus what it returns), or 409 in words."""
    rt = current_runtime()
    try:
        with unit_of_work(db.session):
            result = action(rt, rt.clock.now())
    except HelpRefused as exc:
        return jsonify(error=str(HELP_REFUSALS[exc.code])), 409
    return jsonify(**answer, **(result or {}))


@bp.post("/console/calls/<call_id>/help")
@roles_required(*STAFF)
def ask_for_help(call_id: str):
    """"Ask for help": alert the supervisor on call; the reply names who was alerted."""
    call = _own_call(call_id)
    return _help(lambda rt, now: {"alerted": help_requests.ask_for_help(
        db.session, call, current_user, now, rt.dispatcher.publisher, _on_call(call, now),
        NotesCipher(rt.settings.notes_key))})


@bp.post("/supervisor/calls/<call_id>/help/ack")
@roles_required(*SUPERVISORS)
def acknowledge(call_id: str):
    """The supervisor answers a request for help: "On my way"."""
    call = fetch(Call, call_id[:64], lambda c: may_see_centre(current_user, c.centre_id))
    return _help(lambda rt, now: help_requests.acknowledge(db.session, call, current_user, now,
                                                           rt.dispatcher.publisher), acknowledged=True)


@bp.get("/console/calls/<call_id>/transfer")
@roles_required(*STAFF)
def transfer_choices(call_id: str):
    """The centres (and their languages) this call may be passed to."""
    call = _own_call(call_id)
    return jsonify(centres=transfer.choices(db.session, call), language=call.language)


@bp.post("/console/calls/<call_id>/transfer")
@roles_required(*STAFF)
def cold_transfer(call_id: str):
    """Pass the caller to another centre's queue; the console learns it from ``call_ended``."""
    call = _own_call(call_id)
    data = inputs.json_object()
    try:
        centre_id = inputs.optional_id(str(data.get("centre_id") or ""), "centre_id")
    except inputs.InputError as exc:
        return jsonify(error=str(exc)), 400
    centre = db.session.get(Centre, centre_id) if centre_id else None
    language = data.get("language")
    if centre is None or not isinstance(language, str):
        return jsonify(error=str(_l("Choose a centre and a language."))), 400
    rt = current_runtime()
    try:
        with unit_of_work(db.session):
            moved = transfer.cold_transfer(db.session, rt.lifecycle, call, current_user, centre, language,
                                           rt.clock.now())
        transfer.put_through(db.session, rt.lifecycle, moved, rt.clock.now())
    except TransferRefused as exc:
        return jsonify(error=str(TRANSFER_REFUSALS[exc.code])), 409
    return jsonify(transferred=True, centre=centre.name)


