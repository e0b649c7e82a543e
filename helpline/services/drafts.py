"""Contact records that are never lost: drafts saved as the psychologist types, the rule that the
last call's record is saved (or explicitly put off) before the next call, and "My calls".

A draft is the form as typed, encrypted as a whole with the notes cipher, one per call and person.
Saving the record deletes its author's draft.  A psychologist whose last call (one whose caller
reached her) has no saved record may not go Available or take a call until she saves it or chooses
"Save later", which keeps the draft, marks it deferred and is audited.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from helpline.models import Call, CallState, ContactRecord, Offer, RecordDraft, User
from helpline.services import audit
from helpline.services.cipher import NotesCipher
from helpline.services.contacts import MAX_NOTES, RecordError
from helpline.services.dispatch import DispatchError

#: The form's fields a draft keeps, and the type each must have.
DRAFT_FIELDS = {"caller_type": str, "age_band": str, "gender": str, "topics": list,
                "risk_level": str, "consent": str, "referrals": list, "follow_up_needed": bool,
                "follow_up_due": str, "notes": str}
MY_CALLS_DAYS = 14


class UnsavedRecord(DispatchError):
    """The last call's record is neither saved nor put off: no new call until it is."""

    def __init__(self, call_id: str) -> None:
        super().__init__("Save the record of your last call first.")
        self.call_id = call_id
        self.reply = {"unsaved_call_id": call_id}


def clean_draft(data: object) -> dict:
    """The draft's fields as sent (known fields only, each of its type); ``RecordError`` names
    the first that is not.  A draft is not validated like a record: it may be half-written."""
    if not isinstance(data, dict):
        raise RecordError("draft", "Send the draft as a JSON object.")
    fields: dict = {}
    for name, kind in DRAFT_FIELDS.items():
        value = data.get(name)
        if value is None:
            continue
        if not isinstance(value, kind) or (kind is list and not all(isinstance(v, str) for v in value)):
            raise RecordError(name, f"{name}: not a {kind.__name__}")
        if isinstance(value, str) and len(value) > (MAX_NOTES if name == "notes" else 40):
            raise RecordError(name, f"{name}: too long")
        if kind is list and len(value) > 50:
            raise RecordError(name, f"{name}: too many")
        fields[name] = value
    return fields


def _draft(session: Session, call_id: str, author_id: int) -> RecordDraft | None:
    return session.scalar(select(RecordDraft).where(RecordDraft.call_id == call_id,
                                                    RecordDraft.author_id == author_id))


def save_draft(session: Session, call: Call, author: User, fields: dict, now: datetime,
               cipher: NotesCipher) -> RecordDraft:
    """Keep the form as typed (replacing this person's earlier draft of the call)."""
    draft = _draft(session, call.id, author.id)
    if draft is None:
        draft = RecordDraft(call_id=call.id, author_id=author.id)
        session.add(draft)
    draft.content_encrypted = cipher.encrypt(json.dumps(fields, ensure_ascii=False))
    draft.updated_at = now
    session.flush()
    return draft


def draft_of(session: Session, call_id: str, author_id: int, cipher: NotesCipher) -> dict | None:
    """The person's draft of the call as typed, or None; an unreadable one (key gone) is said
    so (``notes_unreadable``) rather than shown empty."""
    draft = _draft(session, call_id, author_id)
    if draft is None:
        return None
    text = cipher.read(draft.content_encrypted)
    fields = json.loads(text) if text else {}
    return {**fields, "draft": True, "draft_saved_at": draft.updated_at.isoformat(),
            "deferred": draft.deferred_at is not None, "notes_unreadable": text is None}


def discard(session: Session, call_id: str, author_id: int) -> None:
    """The record is saved: its author's draft has served."""
    session.execute(delete(RecordDraft).where(RecordDraft.call_id == call_id,
                                              RecordDraft.author_id == author_id))


def forget_older_than(session: Session, cutoff: datetime) -> int:
    """Drafts untouched since ``cutoff`` go with the notes retention (their text is notes)."""
    return session.execute(delete(RecordDraft).where(RecordDraft.updated_at < cutoff)).rowcount


def finish_later(session: Session, call: Call, author: User, now: datetime) -> RecordDraft:
    """"Save later": the draft (an empty one if nothing was typed) is kept and marked deferred,
    so the next call can be taken; audited, and listed in My calls as incomplete."""
    draft = _draft(session, call.id, author.id)
    if draft is None:
        draft = RecordDraft(call_id=call.id, author_id=author.id, updated_at=now)
        session.add(draft)
    draft.deferred_at = now
    audit.record(session, now, "contact_record.deferred", author, "call", call.id)
    session.flush()
    return draft


def unsaved_last_call(session: Session, user: User) -> Call | None:
    """The person's last finished call, if its caller reached her and its record is neither
    saved nor put off (by her "Save later"); None otherwise."""
    call = session.scalar(select(Call).where(Call.agent_id == user.id, Call.bridged_at.is_not(None),
                                             Call.state == CallState.ENDED.value)
                          .order_by(Call.answered_at.desc()).limit(1))
    if call is None or session.scalar(select(ContactRecord.id).where(ContactRecord.call_id == call.id)):
        return None
    draft = _draft(session, call.id, user.id)
    return None if draft is not None and draft.deferred_at is not None else call


def require_saved(session: Session, user: User) -> None:
    """Refuse a new call (Available, Accept) while the last call's record is unsaved."""
    call = unsaved_last_call(session, user)
    if call is not None:
        raise UnsavedRecord(call.id)


@dataclass(frozen=True)
class MyCall:
    call: Call
    #: complete, draft (being written) or incomplete (put off, not started, or missing fields)
    status: str
    caller_type: str | None


def my_calls(session: Session, user: User, now: datetime) -> list[MyCall]:
    """Calls answered in the last 14 days: a psychologist's own (also those she answered and
    passed on), a supervisor's centre's, all for the administrator; newest first."""
    since = now - timedelta(days=MY_CALLS_DAYS)
    query = select(Call).where(Call.answered_at.is_not(None), Call.answered_at >= since)
    if user.is_supervisor and not user.is_admin:
        query = query.where(Call.centre_id == user.centre_id)
    elif not user.is_admin:
        taken = select(Offer.call_id).where(Offer.user_id == user.id, Offer.accepted_at.is_not(None))
        query = query.where(or_(Call.agent_id == user.id, Call.id.in_(taken)))
    calls = list(session.scalars(query.order_by(Call.answered_at.desc()).limit(500)))
    ids = [c.id for c in calls]
    records = {r.call_id: r for r in session.scalars(
        select(ContactRecord).where(ContactRecord.call_id.in_(ids)))}
    drafts = {d.call_id: d for d in session.scalars(
        select(RecordDraft).where(RecordDraft.call_id.in_(ids), RecordDraft.author_id == user.id))}
    rows = []
    for call in calls:
        record, draft = records.get(call.id), drafts.get(call.id)
        if draft is not None and draft.deferred_at is None:
            status = "draft"
        elif record is not None and record.caller_type and record.risk_level:
            status = "complete"
        else:
            status = "incomplete"
        rows.append(MyCall(call, status, record.caller_type if record else call.caller_type))
    return rows
