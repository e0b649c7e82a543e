"""Twilio webhooks: verify the signature, parse the form, call the call's lifecycle, render TwiML.

Decisions live in ``helpline.services.lifecycle`` (and the pure ``helpline.call_flow``); this module
only parses and renders.  URLs given to the carrier carry a random leg token (``?leg=``), never
the register id, plus the menu choices made so far (language, caller type, urgency): the
carrier signs them back to us, so a call whose live state was lost can be resumed from them.

Every webhook runs in one unit of work.  If the database is locked or down the caller is still
answered within the webhook's short database deadline: help numbers now (or, in the queue, the
hold music goes on), and the call is written to the local spool for the register.
"""

from __future__ import annotations

import hmac
import logging

from flask import Blueprint, Response, abort, g, request, send_from_directory, url_for
from twilio.request_validator import RequestValidator

from helpline.db_wait import set_wait
from helpline.extensions import csrf, db
from helpline.runtime import Runtime, current_runtime
from helpline.services import transfer, warm_transfer
from helpline.services.lifecycle import CarrierCall, IvrStep, Next
from helpline.uow import unit_of_work
from ivr import twiml
from ivr.prompts import LANGUAGES, Prompt

logger = logging.getLogger(__name__)

bp = Blueprint("ivr", __name__, url_prefix="/ivr")
csrf.exempt(bp)

UNSIGNED_ENDPOINTS = {"ivr.recorded_prompt"}


def parse(form, args) -> CarrierCall:
    """A carrier webhook as plain values (bad or missing values get safe defaults)."""
    def number(value: str | None, default: int, low: int, high: int) -> int:
        try:
            return max(low, min(int(value or default), high))
        except ValueError:
            return default

    language, heard = args.get("lang"), args.get("heard")
    return CarrierCall(
        call_sid=(form.get("CallSid") or "")[:64],
        from_number=form.get("From"),
        to_number=form.get("To") or form.get("Called"),
        digits=form.get("Digits"),
        call_status=(form.get("CallStatus") or "").lower(),
        queue_result=(form.get("QueueResult") or "").lower(),
        queue_time=number(form.get("QueueTime"), 0, 0, 24 * 3600),
        leg=(args.get("leg") or "")[:64],
        attempt=number(args.get("attempt"), 1, 1, 20),
        language=language if language in LANGUAGES else None,
        caller_type=(args.get("type") or None),
        urgent=args.get("urgent") == "1",
        heard=heard if heard in LANGUAGES else None,
        conference_event=(form.get("StatusCallbackEvent") or "")[:32],
        participant_label=(form.get("ParticipantLabel") or args.get("label") or "")[:64],
        join_token=(form.get("join") or "")[:64],
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
    signature = request.headers.get("X-Twilio-Signature", "")
    params = request.form if request.method == "POST" else {}
    if not signature or not _signed(current_runtime().settings.twilio_auth_token, _public_url(),
                                    params, signature):
        logger.warning("Refused an unsigned or wrongly signed request to %s", request.path)
        abort(Response("Forbidden: missing or invalid X-Twilio-Signature\n", 403,
                       mimetype="text/plain"))
    g.carrier = parse(request.form, request.args)
    _short_database_deadline(current_runtime())


def _signed(token: str, url: str, params, signature: str) -> bool:
    """Twilio's signature check; the usual case (the URL exactly as published) in one HMAC,
    else the library's full check (the URL with or without its port)."""
    validator = RequestValidator(token)
    if hmac.compare_digest(validator.compute_signature(url, params).encode(), signature.encode()):
        return True
    return validator.validate(url, params, signature)


def _short_database_deadline(rt: Runtime) -> None:
    """A webhook waits at most ``ivr_db_timeout_ms`` for a locked database (the carrier gives
    up after 15 s; the caller must hear something within 2 s)."""
    try:      # told to the database with the next statement, only if it changed
        set_wait(db.session.connection(), rt.settings.ivr_db_timeout_ms)
    except Exception:    # the database is down: the handler's own failure path answers
        logger.warning("Database unavailable at the start of a webhook")
        db.session.rollback()


def _handle(endpoint: str, operation) -> Response:
    """Run one lifecycle operation in a unit of work and render its answer."""
    rt = current_runtime()
    req: CarrierCall = g.carrier
    now = rt.clock.now()
    try:
        with unit_of_work(db.session):
            step = operation(rt.lifecycle, db.session, req, now)
    except Exception as exc:
        down = _is_database_down(exc)
        if down:
            logger.warning("Database unavailable on %s (%s); answering without it",
                           request.path, type(exc.orig if hasattr(exc, "orig") else exc).__name__)
        else:
            logger.exception("IVR handler failed on %s", request.path)
        if not down:
            _short_database_deadline(rt)
        step = rt.lifecycle.failed(db.session, req, now, endpoint, database_down=down)
    return _xml(render(step, rt))


def _is_database_down(exc: Exception) -> bool:
    """Locked, unreachable or timed out: do not ask the database again in this request."""
    from sqlalchemy.exc import OperationalError, TimeoutError

    return isinstance(exc, OperationalError | TimeoutError)


def _xml(body: str) -> Response:
    return Response(body, mimetype="application/xml")


# ---------------------------------------------------------------- webhooks


# Webhooks whose whole work is one step of the call's lifecycle: (URL, endpoint, the name the
# failure path gives the step, the lifecycle's operation).
LIFECYCLE_WEBHOOKS = (
    # A call reached the centre's number: register it and offer the first menu.
    ("/voice", "incoming_call", "incoming", "incoming"),
    ("/language", "language_choice", "menu", "language_chosen"),
    ("/caller-type", "caller_type_choice", "menu", "caller_type_chosen"),
    # One loop of waiting: position, reassurance and hold music, or leave the queue.
    ("/queue/wait", "queue_wait", "queue_tick", "queue_tick"),
    # The caller left the carrier's queue: connected, hung up, or no one could answer.
    ("/queue/result", "queue_result", "queue_left", "queue_left"),
    # Carrier status callback: on a final status close the register entry and forget the call.
    ("/status", "call_status", "status", "status"),
    # The carrier brought the caller here after a psychologist accepted (or rejoined).
    ("/connect", "connect_caller", "connect", "connect"),
    # The caller's conference ended: goodbye, or the psychologist's line dropped.
    ("/connect/ended", "connect_ended", "conference_over", "conference_over"),
    # The caller waits for a psychologist whose line dropped (or for the next one).
    ("/agent-lost", "agent_lost", "agent_lost", "waiting_for_agent"),
    # A psychologist's leg joins the conference of the call it accepted.
    ("/agent-join", "agent_join", "agent_join", "agent_joined"),
    # The conference's status callback: who joined or left the call's conference.
    ("/conference/events", "conference_events", "conference_event", "conference_event"),
)


def _lifecycle_webhook(failing_as: str, operation: str):
    def webhook() -> Response:
        return _handle(failing_as, lambda lc, s, req, now: getattr(lc, operation)(s, req, now))
    return webhook


for _rule, _endpoint, _failing_as, _operation in LIFECYCLE_WEBHOOKS:
    bp.add_url_rule(_rule, _endpoint, _lifecycle_webhook(_failing_as, _operation), methods=["POST"])


@bp.post("/transfer")
def transferred() -> Response:
    """A psychologist passed the caller to another centre: they hear so and join its queue."""
    return _handle("connect", lambda lc, s, req, now: transfer.caller_arrives(lc, s, req, now))


@bp.post("/consult/status")
def consult_status() -> Response:
    """A consulted colleague's leg answered or ended (hung up, busy, failed, not answered)."""
    return _handle("conference_event", warm_transfer.colleague_status)


@bp.route("/fallback", methods=["GET", "POST"])
def fallback() -> Response:
    """For the carrier's fallback URL: help numbers in Kazakh and Russian, touching nothing."""
    return _xml(fallback_document(current_runtime()))


@bp.get("/audio/<language>/<filename>")
def recorded_prompt(language: str, filename: str) -> Response:
    """A prompt's recording or synthesised file (public: the carrier fetches it to play)."""
    path = current_runtime().prompts.audio_file(language, filename) if language in LANGUAGES else None
    if path is None:
        abort(404)
    return send_from_directory(path.parent, path.name, max_age=3600)


# ---------------------------------------------------------------- rendering


class Speech:
    """Prompts in one language, with the configured voice and help numbers."""

    def __init__(self, rt: Runtime, language: str, audio: bool = True) -> None:
        self.rt = rt
        self.language = language
        self.audio = audio
        self.audio_base = rt.settings.public_base_url + "/ivr/audio"

    def __call__(self, key: str, **values: object) -> Prompt:
        return self.rt.prompts.prompt(self.language, key, audio=self.audio, **values)

    def help_numbers(self, key: str) -> Prompt:
        return self(key, numbers=self.rt.settings.help_numbers)


def _url(endpoint: str, **params: object) -> str:
    clean = {k: v for k, v in params.items() if v not in (None, "", False)}
    return current_runtime().settings.public_base_url + url_for(endpoint, **clean)


def _queue_params(step: IvrStep) -> dict[str, object]:
    return {"leg": step.leg, "lang": step.language, "type": step.caller_type,
            "urgent": "1" if step.urgent else None}


def render(step: IvrStep, rt: Runtime) -> str:
    """The TwiML for ``step``; decides nothing."""
    say = Speech(rt, step.language or step.languages[0])
    sorry = [say("technical_problem")] if step.technical_problem else []
    if step.next is Next.LANGUAGE_MENU:
        options = [Speech(rt, code)("language_option", digit=i)
                   for i, code in enumerate(step.languages, start=1)]
        before = sorry + ([say("not_understood")] if step.apologise else [])
        url = _url("ivr.language_choice", leg=step.leg, attempt=step.attempt)
        return twiml.menu(options, action=url, fallthrough=url, before=before,
                          timeout=rt.settings.menu_timeout_seconds, audio_base=say.audio_base)
    if step.next is Next.CALLER_TYPE_MENU:
        before = sorry + ([say("greeting")] if step.greeting else []) + (
            [say("not_understood")] if step.apologise else [])
        url = _url("ivr.caller_type_choice", leg=step.leg, attempt=step.attempt, lang=step.language)
        return twiml.menu([say("caller_type_menu")], action=url, fallthrough=url, before=before,
                          timeout=rt.settings.menu_timeout_seconds, audio_base=say.audio_base)
    if step.next is Next.ENQUEUE:
        told = Speech(rt, step.preface_language) if step.preface_language else say
        prompts = sorry + ([told(step.preface)] if step.preface else []) + [
            say.help_numbers("urgent") if step.urgent else say("connecting")]
        return twiml.enqueue(prompts, queue_name=step.queue,
                             wait_url=_url("ivr.queue_wait", **_queue_params(step)),
                             action=_url("ivr.queue_result", **_queue_params(step)),
                             audio_base=say.audio_base)
    if step.next is Next.HOLD:
        prompts = list(sorry)
        if step.position:
            prompts.append(say("queue_position", position=step.position))
        elif step.help == "connecting":
            prompts.append(say("connecting"))
        else:
            prompts.append(say.help_numbers(step.help))
        if step.long_wait:
            prompts.append(say("queue_waiting"))
        return twiml.hold(prompts, music_url=_music(rt), audio_base=say.audio_base)
    if step.next is Next.LEAVE_QUEUE:
        return twiml.leave_queue()
    if step.next is Next.CONFERENCE:
        return twiml.conference(step.leg, action=_url("ivr.connect_ended", **_queue_params(step)),
                                wait_music=_music(rt),
                                status_callback=_url("ivr.conference_events", **_queue_params(step)))
    if step.next is Next.AGENT_CONFERENCE:
        return twiml.conference(step.leg, action=None,
                                status_callback=_url("ivr.conference_events", **_queue_params(step)))
    if step.next is Next.AGENT_LOST:
        return twiml.hold_then(
            [say("agent_lost")], music_url=_music(rt), audio_base=say.audio_base,
            then=_url("ivr.agent_lost", attempt=step.attempt, **_queue_params(step)))
    if step.next is Next.GOODBYE:
        return twiml.say_and_hang_up([say("goodbye")], audio_base=say.audio_base)
    if step.next is Next.HELP_AND_HANG_UP:
        languages = [step.language] if step.language else list(step.languages)
        prompts = []
        for code in languages:
            speech = Speech(rt, code)
            prompts += ([speech(step.preface)] if step.preface else []) + [
                speech.help_numbers(step.help), speech("goodbye")]
        return twiml.say_and_hang_up(prompts, audio_base=say.audio_base)
    if step.next is Next.HANG_UP:
        return twiml.say_and_hang_up([], audio_base="")
    return twiml.empty()


def _music(rt: Runtime) -> str:
    return rt.settings.public_base_url + url_for("static", filename="audio/hold.wav")


def fallback_document(rt: Runtime, audio: bool = True) -> str:
    """Static TwiML telling the caller where to get help; used when handlers cannot run.
    ``audio=False``: ``<Say>`` only, for a copy hosted elsewhere (it must not need this app)."""
    prompts = []
    for code in ("kk", "ru"):
        say = Speech(rt, code, audio)
        prompts += [say.help_numbers("error"), say("goodbye")]
    return twiml.say_and_hang_up(prompts, audio_base=Speech(rt, "kk").audio_base)


@bp.errorhandler(Exception)
def handler_failed(error: Exception) -> Response:
    """Anything that escaped the handler still tells the caller where to get help."""
    from werkzeug.exceptions import HTTPException

    if isinstance(error, HTTPException):
        return error.get_response()
    logger.exception("IVR request failed on %s", request.path)
    db.session.rollback()
    return _xml(fallback_document(current_runtime()))
