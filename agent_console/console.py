"""The psychologist's console: the page, the contact record, escalation, the voice token."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, jsonify, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from helpline.extensions import db
from helpline.holidays import holidays_from
from helpline.models import Call
from helpline.runtime import current_runtime
from helpline.services import audit, drafts, escalations, requests
from helpline.services.contacts import (
    MAX_NOTES,
    NotesCipher,
    RecordError,
    RecordInput,
    StoredNotesUnreadable,
    active_topics,
    record_of,
    save_record,
)
from helpline.web.access import STAFF, call_to_record, roles_required

bp = Blueprint("console", __name__, url_prefix="/console")


def _cipher() -> NotesCipher:
    return NotesCipher(current_runtime().settings.notes_key)



@bp.get("")
@roles_required(*STAFF)
def page():
    rt = current_runtime()
    language = str(get_locale())
    topics = [{"code": t.code, "name": t.name(language)} for t in active_topics(db.session)]
    return render_template("console.html", topics=topics, carrier=rt.settings.carrier,
                           wrap_up_seconds=rt.settings.wrap_up_seconds,
                           supervisors=_supervisors_to_tell(rt.clock.now()),
                           idle_minutes=rt.settings.idle_logout_minutes, max_notes=MAX_NOTES)


@bp.get("/supervisors-on-call")
@roles_required(*STAFF)
def supervisors_on_call():
    """Whom "Immediate danger" alerts: the console keeps the names, so that when an alert cannot
    be sent it can tell the psychologist whom to reach herself."""
    return jsonify(supervisors=_supervisors_to_tell(current_runtime().clock.now()))


def _supervisors_to_tell(now) -> list[str]:
    centre_id = current_user.centre_id
    on_call = current_runtime().roster.supervisors_on_call(db.session, centre_id, now) if centre_id else set()
    return escalations.who_to_tell(db.session, centre_id, on_call)


@bp.get("/calls/<call_id>/record")
@roles_required(*STAFF)
def get_record(call_id: str):
    call = call_to_record(call_id)
    record = record_of(db.session, call.id)
    if record is not None:
        audit.record(db.session, current_runtime().clock.now(), "contact_record.open", current_user,
                     "call", call.id)
        db.session.commit()
    draft = drafts.draft_of(db.session, call.id, current_user.id, _cipher())
    if draft is not None:         # typed after the last save (saving deletes it): it wins
        return jsonify(record=draft)
    if record is None:
        return jsonify(record=None)
    notes = _cipher().read(record.notes_encrypted)
    return jsonify(record={
        "caller_type": record.caller_type, "age_band": record.age_band, "gender": record.gender,
        "topics": [t.code for t in record.topics], "risk_level": record.risk_level,
        "consent": record.consent, "referrals": record.referral_list,
        "follow_up_needed": record.follow_up_needed,
        "follow_up_due": record.follow_up_due.isoformat() if record.follow_up_due else None,
        "notes": notes or "", "notes_unreadable": notes is None,
    })


def _parse_record(data: dict) -> RecordInput:
    def text(name):
        value = data.get(name)
        return str(value) if value not in (None, "") else None

    def listing(name):
        value = data.get(name) or []
        if not isinstance(value, list):
            raise RecordError(name, f"{name}: a list")
        return tuple(str(v) for v in value)

    due = text("follow_up_due")
    try:
        due_date = date.fromisoformat(due) if due else None
    except ValueError as exc:
        raise RecordError("follow_up_due", "follow-up date: YYYY-MM-DD") from exc
    return RecordInput(
        caller_type=text("caller_type"), age_band=text("age_band"), gender=text("gender"),
        topics=listing("topics"), risk_level=text("risk_level"), consent=text("consent"),
        referrals=listing("referrals"), follow_up_needed=bool(data.get("follow_up_needed")),
        follow_up_due=due_date, notes=str(data.get("notes") or ""),
    )


@bp.post("/calls/<call_id>/record")
@roles_required(*STAFF)
def save(call_id: str):
    """Save the contact record; "immediate danger" escalates to the supervisors at once."""
    call = call_to_record(call_id)
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return jsonify(error="Send the record as JSON."), 400
    rt = current_runtime()
    now = rt.clock.now()
    try:
        record = save_record(db.session, call, current_user, _parse_record(data), now,
                             _local_today(call, now), _cipher())
    except RecordError as exc:
        db.session.rollback()
        return jsonify(error=str(exc), field=exc.field), 400
    except StoredNotesUnreadable:
        db.session.rollback()
        return jsonify(error=_("Not saved: the stored notes cannot be read with the configured "
                               "keys, and new notes would replace them. Keep your text elsewhere "
                               "for now and ask the administrator (NOTES_KEY)."), field="notes"), 409
    drafts.discard(db.session, call.id, current_user.id)
    requests.from_contact_record(db.session, call, record, current_user, now,
                                 holidays_from(rt.settings))
    audit.record(db.session, now, "contact_record.change", current_user, "call", call.id)
    escalation = None
    if record.risk_level == "immediate":
        escalation = escalations.raise_escalation(db.session, call, current_user, now,
                                                  rt.dispatcher.publisher, _on_call(call, now))
    db.session.commit()
    return jsonify(saved=True, escalation_id=escalation.id if escalation else None)


@bp.post("/calls/<call_id>/escalate")
@roles_required(*STAFF)
def escalate(call_id: str):
    """The always-visible "Immediate danger" button."""
    call = call_to_record(call_id)
    rt = current_runtime()
    now = rt.clock.now()
    escalation = escalations.raise_escalation(db.session, call, current_user, now,
                                              rt.dispatcher.publisher, _on_call(call, now))
    audit.record(db.session, now, "escalation.raise", current_user, "escalation", escalation.id)
    db.session.commit()
    return jsonify(escalation_id=escalation.id)


def _on_call(call: Call, now) -> set[int]:
    """Supervisors on call for the call's centre by the rota (empty when the rota names none)."""
    return current_runtime().roster.supervisors_on_call(db.session, call.centre_id, now)


@bp.get("/voice-token")
@roles_required(*STAFF)
def voice_token():
    """A short-lived Twilio Voice access token; the identity is an opaque agent id. Incoming calls
    are allowed so that a colleague's consultation (warm transfer) can ring this browser; the
    console answers one only while it expects it (``Senim.answerExpected`` in common.js)."""
    from twilio.jwt.access_token import AccessToken
    from twilio.jwt.access_token.grants import VoiceGrant

    settings = current_runtime().settings
    if settings.carrier != "twilio":
        return jsonify(error="The simulated carrier needs no voice token."), 404
    token = AccessToken(settings.twilio_account_sid, settings.twilio_api_key,
                        settings.twilio_api_secret, identity=current_user.public_id, ttl=600)
    token.add_grant(VoiceGrant(outgoing_application_sid=settings.twilio_twiml_app_sid,
                               incoming_allow=True))
    return jsonify(token=token.to_jwt(), ttl=600)


def _local_today(call: Call, now) -> date:
    from helpline.vocabulary import local_day

    return local_day(now, call.centre)
