"""Supervisors on the line: listen (muted), coach (only the psychologist hears them) or join a call
in progress, switch mode during the call, and leave.

Each step is authorised by role and centre, done at the carrier first and recorded only when the
carrier did it (a refusal says in words why nothing happened), audited (``on_the_line.join``
with the mode, ``on_the_line.mode``, ``on_the_line.leave``), and told to the psychologist's
console (``on_the_line``: who else is on the line, in which mode).  Who is on a call is read
back from those audit events, so every process and a reloaded console agree; once the call has
ended nobody is on it.  A centre may switch Listen and Coach off (``SUPERVISOR_LISTEN_OFF``,
``SUPERVISOR_COACH_OFF``: centre ids).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline.carrier.control import SUPERVISOR_MODES, CarrierControl, CarrierError
from helpline.config import Settings
from helpline.events import Publisher, agent_room, publish
from helpline.models import AuditEvent, Call, CallState, User
from helpline.models.labels import SUPERVISORS
from helpline.services import audit

JOIN, MODE, LEAVE = "on_the_line.join", "on_the_line.mode", "on_the_line.leave"
MODE_MISSING = _l("Choose Listen, Coach, Join or Leave.")


class LineRefused(Exception):
    """Nothing was done; the message says why, in the user's language."""


@dataclass(frozen=True)
class OnTheLine:
    """What a step needs besides the session: the carrier, the settings, the console's publisher."""

    carrier: CarrierControl | None
    settings: Settings
    publisher: Publisher


def present(session: Session, call: Call) -> dict[int, str]:
    """Who (user id) is on the call besides the psychologist, and in which mode. While the
    psychologist's line is down the conference is gone, and with it everyone in it; when she
    rejoins, it is a new conference that nobody has come onto yet."""
    if call.state != CallState.ANSWERED.value or call.agent_lost_at is not None:
        return {}
    found: dict[int, str] = {}
    for event in session.scalars(select(AuditEvent).where(
            AuditEvent.object_type == "call", AuditEvent.object_id == call.id,
            AuditEvent.action.in_((JOIN, MODE, LEAVE))).order_by(AuditEvent.id)):
        if call.agent_joined_at is not None and _utc(event.at) < _utc(call.agent_joined_at):
            continue                                  # before the conference she is in now
        if event.action == LEAVE:
            found.pop(event.actor_id, None)
        elif event.actor_id is not None:
            found[event.actor_id] = event.detail
    return found


def _utc(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def people(session: Session, call: Call) -> list[dict]:
    """The console's and the supervisor view's list: ``user_id``, ``name``, ``mode``."""
    out = []
    for user_id, mode in present(session, call).items():
        user = session.get(User, user_id)
        out.append({"user_id": user_id, "name": user.username if user else "—", "mode": mode})
    return out


def modes_allowed(settings: Settings, centre_id: int | None) -> list[str]:
    """The modes a centre allows (Join always; Listen and Coach unless switched off)."""
    off = {"listen": settings.supervisor_listen_off, "coach": settings.supervisor_coach_off}
    return [m for m in SUPERVISOR_MODES if str(centre_id) not in off.get(m, ())]


def enter(session: Session, line: OnTheLine, user: User, call: Call, mode: str, now: datetime) -> None:
    """The supervisor comes onto the call in ``mode``."""
    _check(session, line, user, call, mode)
    if user.id in present(session, call):
        raise LineRefused(_("You are already on this call. Choose another mode, or leave."))
    _at_carrier(lambda c: c.add_supervisor(call.id, user.public_id, mode), line,
                _("You were not put on the call"))
    _record(session, line, user, call, JOIN, mode, now)


def switch(session: Session, line: OnTheLine, user: User, call: Call, mode: str, now: datetime) -> None:
    """The supervisor on the call changes mode."""
    _check(session, line, user, call, mode)
    if user.id not in present(session, call):
        raise LineRefused(_("You are not on this call. Listen, coach or join first."))
    _at_carrier(lambda c: c.set_supervisor_mode(call.id, user.public_id, mode), line,
                _("Your mode was not changed"))
    _record(session, line, user, call, MODE, mode, now)


def leave(session: Session, line: OnTheLine, user: User, call: Call, now: datetime) -> None:
    """The supervisor leaves the call (nothing to do at the carrier once the call has ended)."""
    if user.id not in present(session, call):
        raise LineRefused(_("You are not on this call."))
    _at_carrier(lambda c: c.remove_supervisor(call.id, user.public_id), line,
                _("You were not taken off the call"))
    _record(session, line, user, call, LEAVE, "", now)


def _check(session: Session, line: OnTheLine, user: User, call: Call, mode: str) -> None:
    if user.role not in SUPERVISORS or not (user.role == "administrator" or user.centre_id == call.centre_id):
        raise LineRefused(_("Only a supervisor of this call's centre can do this."))
    if mode not in SUPERVISOR_MODES:
        raise LineRefused(_("Choose Listen, Coach or Join."))
    if mode not in modes_allowed(line.settings, call.centre_id):
        raise LineRefused(_("This centre has switched this off: you can join the call instead."))
    if call.state != CallState.ANSWERED.value or call.agent_id is None:
        raise LineRefused(_("This call has ended, so there is nothing to listen to or join."))
    if call.agent_lost_at is not None:
        raise LineRefused(_("The psychologist's line has dropped. Try again when she is back on the call."))


def _at_carrier(action, line: OnTheLine, not_done: str) -> None:
    if line.carrier is None:
        raise LineRefused(not_done + ": " + _("there is no carrier to do it through."))
    try:
        action(line.carrier)
    except CarrierError as exc:
        raise LineRefused(not_done + ": " + _("the phone carrier did not do it (%(reason)s).",
                                              reason=str(exc))) from None


def _record(session: Session, line: OnTheLine, user: User, call: Call, action: str, mode: str,
            now: datetime) -> None:
    audit.record(session, now, action, user, "call", call.id, detail=mode)
    session.flush()
    publish(session, line.publisher, "on_the_line", {"call_id": call.id, "people": people(session, call)},
            agent_room(call.agent_id))
