"""Ask for help: a psychologist on a difficult call alerts the supervisor on call, with what
is known of the call so far, and the supervisor may answer "On my way".

Like an escalation, the alert goes to the supervisors on call by the rota, else to every
supervisor of the centre; the psychologist is told who was alerted only once it is committed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from helpline.events import ALL_SUPERVISORS, Publisher, agent_room, publish, supervisors_room
from helpline.models import Call, CallState, Part, User
from helpline.services import audit, call_staff, drafts, escalations
from helpline.services.contacts import NotesCipher, record_of


class HelpRefused(ValueError):
    """Help cannot be asked for (or answered) now; ``code`` names why for the view's words."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def risk_so_far(session: Session, call: Call, by: User, cipher: NotesCipher) -> dict:
    """The caller type and risk level as the psychologist has them now: her draft if she is
    typing, else the saved record, else what the caller chose in the menu."""
    draft = drafts.draft_of(session, call.id, by.id, cipher) or {}
    record = record_of(session, call.id)
    return {"caller_type": draft.get("caller_type") or (record.caller_type if record else None)
            or call.caller_type,
            "risk_level": draft.get("risk_level") or (record.risk_level if record else None)}


def ask_for_help(session: Session, call: Call, by: User, now: datetime, publisher: Publisher,
                 on_call: set[int], cipher: NotesCipher) -> list[str]:
    """Alert the supervisors on call (``on_call``; every supervisor of the centre when the rota
    names none) about ``by``'s call in progress. Returns the names alerted."""
    if call.state != CallState.ANSWERED.value or call.agent_id != by.id:
        raise HelpRefused("not_on_call")
    names = escalations.who_to_tell(session, call.centre_id, on_call)
    if not names:
        raise HelpRefused("no_supervisor")
    known = risk_so_far(session, call, by, cipher)
    call_staff.note(session, call.id, by.id, Part.ASKED_FOR_HELP, now)
    audit.record(session, now, "call.help_request", by, "call", call.id,
                 detail=f"risk={known['risk_level'] or 'not set'}; alerted {', '.join(names)}")
    payload = {"call_id": call.id, "centre": call.centre.name if call.centre else "",
               "language": call.language, "is_urgent": call.is_urgent, "asked_by": by.username,
               "at": now.isoformat(), **known}
    rooms = ([agent_room(user_id) for user_id in sorted(on_call)] if on_call
             else [supervisors_room(call.centre_id)])
    publish(session, publisher, "help_request", payload, *rooms, ALL_SUPERVISORS)
    return names


def acknowledge(session: Session, call: Call, by: User, now: datetime, publisher: Publisher) -> None:
    """The supervisor answers "On my way": the psychologist's console shows it."""
    if call.state != CallState.ANSWERED.value or call.agent_id is None:
        raise HelpRefused("call_over")
    call_staff.note(session, call.id, by.id, Part.HELPED, now)
    audit.record(session, now, "call.help_ack", by, "call", call.id)
    publish(session, publisher, "help_acknowledged", {"call_id": call.id, "supervisor": by.username},
            agent_room(call.agent_id))
    publish(session, publisher, "help_taken", {"call_id": call.id, "supervisor": by.username},
            supervisors_room(call.centre_id), ALL_SUPERVISORS)
