"""Twilio webhooks: verify the signature, parse the form, call the flow, persist, render.

URLs given to the carrier carry a random leg token (``?leg=``), never the register id.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import Blueprint, Response, abort, g, request, send_from_directory, url_for
from twilio.request_validator import RequestValidator

from helpline.extensions import csrf, db
from helpline.live import LiveLeg
from helpline.models import Call, CallState, Outcome
from helpline.phone import try_normalise
from helpline.privacy import caller_token
from helpline.runtime import Runtime, current_runtime
from helpline.services import calls as register
from helpline.services.centres import centre_for_number, default_centre
from ivr import flow, twiml
from ivr.prompts import Prompt, numbers_text

logger = logging.getLogger(__name__)

bp = Blueprint("ivr", __name__, url_prefix="/ivr")
csrf.exempt(bp)

FINAL_STATUSES = {"completed", "busy", "failed", "no-answer", "canceled"}
UNSIGNED_ENDPOINTS = {"ivr.recorded_prompt"}


@dataclass(frozen=True)
class CarrierRequest:
    """The parts of a carrier webhook the IVR uses. ``from_number`` is used only in memory."""

    call_sid: str
    from_number: str | None
    to_number: str | None
    digits: str | None
    call_status: str
    queue_result: str
    leg: str
    attempt: int

    @classmethod
    def parse(cls, form, args) -> CarrierRequest:
        try:
            attempt = max(1, min(int(args.get("attempt", "1")), 20))
        except ValueError:
            attempt = 1
        return cls(
            call_sid=(form.get("CallSid") or "")[:64],
            from_number=form.get("From"),
            to_number=form.get("To") or form.get("Called"),
            digits=form.get("Digits"),
            call_status=(form.get("CallStatus") or "").lower(),
            queue_result=(form.get("QueueResult") or "").lower(),
            leg=(args.get("leg") or "")[:64],
            attempt=attempt,
        )


def _public_url() -> str:
    query = request.query_string.decode("latin-1")
    base = current_runtime().settings.public_base_url
    return f"{base}{request.path}" + (f"?{query}" if query else "")


@bp.before_request
def verify_signature() -> None:
    """Every webhook must be signed by the carrier with our auth token; else 403, no write."""
    if request.endpoint in UNSIGNED_ENDPOINTS:
        return
    validator = RequestValidator(current_runtime().settings.twilio_auth_token)
    signature = request.headers.get("X-Twilio-Signature", "")
    params = request.form if request.method == "POST" else {}
    if not signature or not validator.validate(_public_url(), params, signature):
        logger.warning("Refused an unsigned or wrongly signed request to %s", request.path)
        abort(Response("Forbidden: missing or invalid X-Twilio-Signature\n", 403,
                       mimetype="text/plain"))
    g.carrier = CarrierRequest.parse(request.form, request.args)


def _xml(body: str) -> Response:
    return Response(body, mimetype="application/xml")


class Speech:
    """Prompts in one language, with the configured voice and help numbers."""

    def __init__(self, rt: Runtime, language: str) -> None:
        self.rt = rt
        self.language = language
        self.audio_base = rt.settings.public_base_url + "/ivr/audio"

    def __call__(self, key: str, **values: object) -> Prompt:
        return self.rt.prompts.prompt(self.language, key, **values)

    def help_numbers(self, key: str) -> Prompt:
        return self(key, numbers=numbers_text(self.language, self.rt.settings.help_numbers))


def _url(endpoint: str, **params: object) -> str:
    return current_runtime().settings.public_base_url + url_for(endpoint, **params)


def _languages(call: Call) -> list[str]:
    return call.centre.language_list if call.centre else ["kk", "ru"]


# ---------------------------------------------------------------- menus


def _language_menu(call: Call, leg: LiveLeg, attempt: int, apologise: bool) -> str:
    rt = current_runtime()
    languages = _languages(call)
    options = [Speech(rt, code)("language_option", digit=i) for i, code in
               enumerate(languages, start=1)]
    before = [Speech(rt, languages[0])("not_understood")] if apologise else []
    url = _url("ivr.language_choice", leg=leg.leg, attempt=attempt)
    return twiml.menu(options, action=url, fallthrough=url, before=before,
                      timeout=rt.settings.menu_timeout_seconds, audio_base=Speech(rt, "kk").audio_base)


def _caller_type_menu(call: Call, leg: LiveLeg, attempt: int, apologise: bool) -> str:
    rt = current_runtime()
    say = Speech(rt, call.language or _languages(call)[0])
    before = [say("greeting")] if attempt == 1 else []
    if apologise:
        before.append(say("not_understood"))
    url = _url("ivr.caller_type_choice", leg=leg.leg, attempt=attempt)
    return twiml.menu([say("caller_type_menu")], action=url, fallthrough=url, before=before,
                      timeout=rt.settings.menu_timeout_seconds, audio_base=say.audio_base)


def _to_queue(call: Call, leg: LiveLeg) -> str:
    rt = current_runtime()
    register.enqueue(call, rt.clock.now())
    rt.dispatcher.call_queued(db.session, call, rt.clock.now())
    say = Speech(rt, call.language or _languages(call)[0])
    prompts = [say.help_numbers("urgent")] if call.is_urgent else [say("connecting")]
    return twiml.enqueue(
        prompts,
        queue_name=f"centre-{call.centre_id or 'national'}",
        wait_url=_url("ivr.queue_wait", leg=leg.leg),
        action=_url("ivr.queue_result", leg=leg.leg),
        audio_base=say.audio_base,
    )


def _start(call: Call, leg: LiveLeg) -> str:
    if call.language is None and flow.needs_language_menu(_languages(call)):
        return _language_menu(call, leg, 1, apologise=False)
    if call.language is None:
        call.language = _languages(call)[0]
    return _caller_type_menu(call, leg, 1, apologise=False)


# ---------------------------------------------------------------- webhooks


def _open_call(req: CarrierRequest) -> tuple[Call, LiveLeg | None]:
    """The register entry of this carrier call, opened on first sight (retries reuse it)."""
    rt = current_runtime()
    if req.call_sid:
        live = rt.live.by_sid(req.call_sid)
        if live is not None:
            call = db.session.get(Call, live.call_id)
            if call is not None:
                return call, live
    now = rt.clock.now()
    dialled = try_normalise(req.to_number)
    centre = centre_for_number(db.session, dialled) or default_centre(
        db.session, rt.settings.default_centre_id
    )
    token = None
    if rt.settings.caller_token_enabled:
        token = caller_token(rt.settings.caller_token_secret, try_normalise(req.from_number), now)
    call = register.register_call(
        db.session, centre=centre, dialled_line=dialled, now=now, caller_token=token
    )
    if not req.call_sid:
        return call, None
    live, created = rt.live.begin(req.call_sid, call.id)
    if not created:  # a concurrent retry registered it first
        db.session.expunge(call)
        existing = db.session.get(Call, live.call_id)
        if existing is not None:
            return existing, live
        db.session.add(call)
    return call, live


def _current_call() -> tuple[Call, LiveLeg] | None:
    req: CarrierRequest = g.carrier
    rt = current_runtime()
    live = rt.live.by_leg(req.leg) if req.leg else None
    if live is not None and live.ended:
        # A late or retried webhook of a call that has ended: change nothing.
        abort(_xml(twiml.say_and_hang_up([], audio_base="")))
    if live is None or (req.call_sid and live.call_sid != req.call_sid):
        return None
    call = db.session.get(Call, live.call_id)
    if call is None:
        return None
    g.language = call.language
    return call, live


def _lost_call() -> Response:
    """A webhook for a call we no longer track (e.g. after a restart): start it afresh."""
    logger.warning("Webhook for an unknown call leg on %s; registering it anew", request.path)
    return incoming_call()


@bp.post("/voice")
def incoming_call() -> Response:
    """A call reached the centre's number: register it and offer the first menu."""
    req: CarrierRequest = g.carrier
    call, live = _open_call(req)
    g.call_id = call.id
    if live is None:
        # Without a carrier call id the call cannot be followed: help now, register as failed.
        register.mark_failed(call)
        register.finish(call, current_runtime().clock.now(), failed=True)
        body = _help_and_hang_up(call, "error")
    else:
        body = _start(call, live)
    db.session.commit()
    return _xml(body)


@bp.post("/language")
def language_choice() -> Response:
    found = _current_call()
    if found is None:
        return _lost_call()
    call, live = found
    req: CarrierRequest = g.carrier
    rt = current_runtime()
    choice = flow.choose_language(req.digits, req.attempt, _languages(call),
                                  rt.settings.menu_attempts)
    register.note_menu_step(call, "language", req.attempt, choice.path_value)
    if choice.next is flow.Next.ASK_AGAIN:
        body = _language_menu(call, live, req.attempt + 1, choice.apologise)
    else:
        call.language = call.language or choice.value
        if choice.urgent:
            call.is_urgent = True
            body = _to_queue(call, live)
        else:
            body = _caller_type_menu(call, live, 1, apologise=False)
    db.session.commit()
    return _xml(body)


@bp.post("/caller-type")
def caller_type_choice() -> Response:
    found = _current_call()
    if found is None:
        return _lost_call()
    call, live = found
    req: CarrierRequest = g.carrier
    choice = flow.choose_caller_type(req.digits, req.attempt,
                                     current_runtime().settings.menu_attempts)
    register.note_menu_step(call, "caller_type", req.attempt, choice.path_value)
    if choice.next is flow.Next.ASK_AGAIN:
        body = _caller_type_menu(call, live, req.attempt + 1, choice.apologise)
    else:
        call.caller_type = call.caller_type or choice.value
        call.is_urgent = call.is_urgent or choice.urgent
        body = _to_queue(call, live)
    db.session.commit()
    return _xml(body)


@bp.post("/queue/wait")
def queue_wait() -> Response:
    """One loop of waiting: position, reassurance and hold music, or leave when no one can."""
    found = _current_call()
    if found is None:
        return _xml(twiml.leave_queue())
    call, _live = found
    rt = current_runtime()
    now = rt.clock.now()
    if call.state == CallState.ANSWERED.value:
        return _xml(twiml.pause(2))          # being connected: the carrier is redirecting it
    if call.state != CallState.QUEUED.value or call.dequeued_at is not None:
        return _xml(twiml.leave_queue())
    rt.dispatcher.route(db.session, now)
    waited = register.waited_seconds(call, now)
    available = rt.availability(db.session, call.centre_id, now)
    max_wait = call.centre.max_wait_seconds if call.centre else rt.settings.default_max_wait_seconds
    step = flow.queue_step(waited, max_wait, available, rt.settings.no_agent_wait_seconds,
                           rt.settings.national_backup_seconds)
    if step is flow.QueueStep.GIVE_UP:
        register.leave_queue(call, now, Outcome.NO_ONE_AVAILABLE)
        rt.dispatcher.call_left_queue(db.session, call, now)
        db.session.commit()
        return _xml(twiml.leave_queue())
    db.session.commit()
    say = Speech(rt, call.language or _languages(call)[0])
    position, _size = register.queue_position(db.session, call)
    prompts = [say("queue_position", position=position)]
    if waited >= 30:
        prompts.append(say("queue_waiting"))
    music = rt.settings.public_base_url + url_for("static", filename="audio/hold.wav")
    return _xml(twiml.hold(prompts, music_url=music, audio_base=say.audio_base))


@bp.post("/queue/result")
def queue_result() -> Response:
    """The caller left the carrier's queue: hung up, was sent on, or no one could answer."""
    found = _current_call()
    if found is None:
        return _xml(twiml.empty())
    call, _live = found
    req: CarrierRequest = g.carrier
    now = current_runtime().clock.now()
    if call.answered_at is not None:
        return _xml(_conference(_live))       # answered: whatever the queue says, connect
    if req.queue_result in {"bridged", "redirected"}:
        return _xml(twiml.empty())
    if req.queue_result == "hangup":
        register.leave_queue(call, now)
        current_runtime().dispatcher.call_left_queue(db.session, call, now)
        db.session.commit()
        return _xml(twiml.empty())
    failed = req.queue_result not in {"leave", ""}
    register.leave_queue(call, now, Outcome.FAILED if failed else Outcome.NO_ONE_AVAILABLE)
    current_runtime().dispatcher.call_left_queue(db.session, call, now)
    body = _help_and_hang_up(call, "no_one_available")
    db.session.commit()
    return _xml(body)


@bp.post("/status")
def call_status() -> Response:
    """Carrier status callback: on a final status close the register entry and forget the call."""
    req: CarrierRequest = g.carrier
    rt = current_runtime()
    live = rt.live.by_sid(req.call_sid) if req.call_sid else None
    if live is None or req.call_status not in FINAL_STATUSES:
        return _xml(twiml.empty())
    call = db.session.get(Call, live.call_id)
    if call is not None:
        if req.call_status == "failed":
            register.mark_failed(call)
        rt.dispatcher.call_ended(db.session, call, rt.clock.now())
    db.session.commit()
    rt.live.end(live)
    return _xml(twiml.empty())


def _conference(live: LiveLeg) -> str:
    return twiml.conference(live.leg, action=_url("ivr.connect_ended", leg=live.leg))


@bp.post("/connect")
def connect_caller() -> Response:
    """A psychologist accepted: the carrier redirected the caller here, into the call's conference."""
    found = _current_call()
    if found is None:
        return _lost_call()
    call, live = found
    if call.answered_at is None:
        return _xml(twiml.leave_queue())
    return _xml(_conference(live))


@bp.post("/connect/ended")
def connect_ended() -> Response:
    """The conversation is over for the caller: end the call politely."""
    return _xml(twiml.say_and_hang_up([], audio_base=""))


@bp.post("/agent-join")
def agent_join() -> Response:
    """A psychologist's browser (Twilio Voice SDK) joins the conference of the call it accepted."""
    rt = current_runtime()
    call_id = rt.live.call_for_token(request.form.get("join", ""))
    leg = rt.live.by_call(call_id) if call_id else None
    if leg is None or leg.ended:
        return _xml(twiml.say_and_hang_up([], audio_base=""))
    return _xml(twiml.conference(leg.leg, action=None))


@bp.route("/fallback", methods=["GET", "POST"])
def fallback() -> Response:
    """For the carrier's fallback URL: help numbers in Kazakh and Russian, touching nothing."""
    return _xml(fallback_document(current_runtime()))


@bp.get("/audio/<language>/<path:filename>")
def recorded_prompt(language: str, filename: str) -> Response:
    """A centre's recorded prompt (public: the carrier fetches it to play)."""
    rt = current_runtime()
    if language not in {"kk", "ru", "en"}:
        abort(404)
    return send_from_directory(f"{rt.settings.helpline_instance_path}/prompts/{language}", filename)


# ---------------------------------------------------------------- help and errors


def _help_and_hang_up(call: Call | None, key: str) -> str:
    rt = current_runtime()
    languages = [call.language] if call is not None and call.language else (
        _languages(call) if call is not None else ["kk", "ru"])
    prompts = []
    for code in languages:
        say = Speech(rt, code)
        prompts += [say.help_numbers(key), say("goodbye")]
    return twiml.say_and_hang_up(prompts, audio_base=Speech(rt, "kk").audio_base)


def fallback_document(rt: Runtime) -> str:
    """Static TwiML telling the caller where to get help; used when handlers cannot run."""
    prompts = []
    for code in ("kk", "ru"):
        say = Speech(rt, code)
        prompts += [say.help_numbers("error"), say("goodbye")]
    return twiml.say_and_hang_up(prompts, audio_base=Speech(rt, "kk").audio_base)


@bp.errorhandler(Exception)
def handler_failed(error: Exception) -> Response:
    """A failing handler still tells the caller where to get help, and the call stays registered."""
    from werkzeug.exceptions import HTTPException

    if isinstance(error, HTTPException):
        return error.get_response()
    logger.exception("IVR handler failed on %s", request.path)
    db.session.rollback()
    call = _register_failure()
    try:
        body = _help_and_hang_up(call, "error")
    except Exception:  # pragma: no cover - prompts themselves broken
        logger.exception("Help prompts could not be built; answering with the fallback")
        body = fallback_document(current_runtime())
    return _xml(body)


def _register_failure() -> Call | None:
    """Mark the failing call as failed (or register it) in a fresh transaction, if the DB lets us."""
    req: CarrierRequest | None = g.get("carrier")
    try:
        rt = current_runtime()
        call = None
        live = None
        if req is not None and req.leg:
            live = rt.live.by_leg(req.leg)
        if live is None and req is not None and req.call_sid:
            live = rt.live.by_sid(req.call_sid)
        if live is not None:
            call = db.session.get(Call, live.call_id)
            if call is None:  # its registering transaction was rolled back
                rt.live.end(live)
        if call is None:
            centre = default_centre(db.session, rt.settings.default_centre_id)
            call = register.register_call(db.session, centre=centre, dialled_line=None,
                                          now=rt.clock.now())
            if req is not None and req.call_sid:
                rt.live.begin(req.call_sid, call.id)
        register.mark_failed(call)
        db.session.commit()
        return call
    except Exception:
        logger.exception("Could not register the failed call")
        db.session.rollback()
        return None

