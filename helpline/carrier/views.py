"""``/simulator``: a phone in the browser that calls the line through the simulated carrier,
with switches for the carrier's faults (so each recovery can be watched) and a button that drops
the psychologist's line.  Nothing here shows a CallSid, a conference name or a phone number."""

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


def _json_object() -> dict:
    """The request's JSON object; anything else (a list, a number, nothing) counts as empty."""
    data = request.get_json(silent=True)
    return data if isinstance(data, dict) else {}


@bp.get("")
def page():
    centres = list_centres(db.session)
    return render_template("simulator.html", centres=centres, unowned_number=UNOWNED_NUMBER,
                           faults=_carrier().faults)


@bp.get("/faults")
def faults():
    return jsonify(_carrier().faults.as_dict())


@bp.post("/faults")
def set_faults():
    """Switch the carrier's faults on or off: ``{"rest_fails": bool, "no_status_callback": bool}``
    (either or both)."""
    data = request.get_json(silent=True)
    current = _carrier().faults
    known = set(current.as_dict())
    if not isinstance(data, dict) or not data:
        return jsonify(error="Faults: send rest_fails and/or no_status_callback as true or false"), 400
    unknown = sorted(set(data) - known)
    if unknown:
        return jsonify(error=f"Faults: unknown switch {', '.join(unknown)}"), 400
    wrong = sorted(name for name, value in data.items() if not isinstance(value, bool))
    if wrong:
        return jsonify(error=f"Faults: {', '.join(wrong)} must be true or false"), 400
    for name, value in data.items():
        setattr(current, name, value)
    return jsonify(current.as_dict())


@bp.post("/calls")
def dial():
    data = _json_object()
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
    conference = call.conference
    on_line = conference.roles if conference else []
    people = [{"role": p.role, "mode": p.mode} for p in conference.participants] if conference else []
    return jsonify(status=status, listening=call.listening, next=since + len(events),
                   events=events, on_line=on_line, psychologist_on_line="psychologist" in on_line,
                   participants=people, hears=conference.hears(call.handle) if conference else [])


@bp.post("/calls/<handle>/keys")
def keys(handle: str):
    data = _json_object()
    pressed = str(data.get("keys", ""))
    if not pressed or any(k not in "0123456789*#" for k in pressed):
        return jsonify(error="keys: digits, * or # only"), 400
    _call(handle).press(pressed)
    return jsonify(ok=True)


@bp.post("/calls/<handle>/hangup")
def hang_up(handle: str):
    _call(handle).hang_up()
    return jsonify(ok=True)


#: The network faults the simulator can inject into a call's conference: which leg drops, and
#: what is said when nobody is on that leg.
LEG_DROPS = {
    "drop-agent": ("drop_agent", "No psychologist is on this call."),            # her line
    "drop-colleague": ("drop_colleague", "No colleague is on this call."),     # a warm transfer's
}


@bp.post("/calls/<handle>/<any('drop-agent', 'drop-colleague'):fault>")
def drop_leg(handle: str, fault: str):
    """A leg of this call's conference drops while the caller stays on the line (a network fault)."""
    _call(handle)
    method, nobody = LEG_DROPS[fault]
    if not getattr(_carrier(), method)(handle):
        return jsonify(error=nobody), 409
    return jsonify(ok=True)
