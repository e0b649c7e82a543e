"""Contact records that are never lost: the draft saved as one types, "Save later", and My calls
(the person's recent calls, to reopen and finish their records)."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template, request
from flask_babel import get_locale
from flask_login import current_user

from helpline.extensions import db
from helpline.runtime import current_runtime
from helpline.services import audit, call_staff, drafts
from helpline.services.contacts import MAX_NOTES, NotesCipher, RecordError, active_topics
from helpline.uow import unit_of_work
from helpline.vocabulary import zone_of
from helpline.web.access import STAFF, call_to_record, roles_required

bp = Blueprint("my_calls", __name__, url_prefix="/console")



@bp.post("/calls/<call_id>/draft")
@roles_required(*STAFF)
def save_draft(call_id: str):
    """The form as typed, kept on the server (encrypted) until the record is saved."""
    call = call_to_record(call_id)
    try:
        fields = drafts.clean_draft(request.get_json(silent=True))
    except RecordError as exc:
        return jsonify(error=str(exc), field=exc.field), 400
    rt = current_runtime()
    with unit_of_work(db.session):
        draft = drafts.save_draft(db.session, call, current_user, fields, rt.clock.now(),
                                  NotesCipher(rt.settings.notes_key))
        saved_at = draft.updated_at
    return jsonify(saved=True, saved_at=saved_at.isoformat())


@bp.post("/calls/<call_id>/finish-later")
@roles_required(*STAFF)
def finish_later(call_id: str):
    """"Save later": the draft is kept and the next call may be taken (audited)."""
    call = call_to_record(call_id)
    with unit_of_work(db.session):
        drafts.finish_later(db.session, call, current_user, current_runtime().clock.now())
    return jsonify(deferred=True)


@bp.get("/my-calls")
@roles_required(*STAFF)
def listing():
    now = current_runtime().clock.now()
    rows = drafts.my_calls(db.session, current_user, now)
    with unit_of_work(db.session):
        audit.record(db.session, now, "my_calls.list", current_user, "user", current_user.id,
                     detail=f"{len(rows)} calls")
    return render_template("my_calls.html", rows=rows, zone=zone_of(current_user.centre),
                           days=drafts.MY_CALLS_DAYS)


@bp.get("/my-calls/<call_id>")
@roles_required(*STAFF)
def record_page(call_id: str):
    """One past call's contact record, to finish (the form loads and saves as on the console)."""
    call = call_to_record(call_id)
    language = str(get_locale())
    topics = [{"code": t.code, "name": t.name(language)} for t in active_topics(db.session)]
    staff = call_staff.staff_of(db.session, [call.id]).get(call.id, [])
    return render_template("my_call.html", call=call, topics=topics, zone=zone_of(call.centre),
                           max_notes=MAX_NOTES, staff=staff)
