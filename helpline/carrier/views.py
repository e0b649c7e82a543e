"""``/simulator``: a phone in the browser that calls the line through the simulated carrier."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, render_template, request

from helpline.carrier import SimulatedCarrier
from helpline.extensions import db
from helpline.phone import InvalidNumber, normalise
from helpline.services.centres import list_centres

bp = Blueprint("simulator", __name__, url_prefix="/simulator")

#: A number no centre owns, to show that such calls are still answered.
UNOWNED_NUMBER = "+77172999999"


def _carrier() -> SimulatedCarrier:
    return current_app.extensions["carrier"]


def _call(handle: str):
    call = _carrier().get(handle)
    if call is None:
        abort(404, "no such simulated call")
    return call


@bp.get("")
def page():
    centres = list_centres(db.session)
    return render_template("simulator.html", centres=centres, unowned_number=UNOWNED_NUMBER)


@bp.post("/calls")
def dial():
    data = request.get_json(silent=True) or {}
    try:
        to_number = normalise(str(data.get("to", "")))
    except InvalidNumber as exc:
        return jsonify(error=f"Number to call: {exc}"), 400
    call = _carrier().dial(to_number, withheld=bool(data.get("withheld")))
    return jsonify(handle=call.handle), 201


@bp.get("/calls/<handle>")
def state(handle: str):
    call = _call(handle)
    try:
        since = max(0, int(request.args.get("since", "0")))
    except ValueError:
        return jsonify(error="since: a number of events"), 400
    events = [event.as_dict() for event in call.events[since:]]
    status = "connected" if call.connected and not call.finished else call.status
    return jsonify(status=status, listening=call.listening, next=since + len(events),
                   events=events)


@bp.post("/calls/<handle>/keys")
def keys(handle: str):
    data = request.get_json(silent=True) or {}
    pressed = str(data.get("keys", ""))
    if not pressed or any(k not in "0123456789*#" for k in pressed):
        return jsonify(error="keys: digits, * or # only"), 400
    _call(handle).press(pressed)
    return jsonify(ok=True)


@bp.post("/calls/<handle>/hangup")
def hang_up(handle: str):
    _call(handle).hang_up()
    return jsonify(ok=True)
