"""Warm transfer: the psychologist puts the caller on hold (hold music), talks to a colleague (a
supervisor or an available psychologist, of any centre), then hands the caller over or takes the
caller back.

Each step is done at the carrier first and recorded only when the carrier did it (a refusal
says in words why nothing happened; ``warm_steps`` runs every carrier step, and says what to do
when the carrier leaves the caller on hold or a leg on the line), and audited (``call.consult``
with the colleague's id, ``call.consult_answered``, ``call.handover``, ``call.take_back``,
``call.consult_lost``).  Whether a call is in a consultation, and with whom, is read back from
those events, so every process agrees.

The caller is never lost: when the colleague's leg drops during the consultation, or she does
not answer (her leg's status callback says so; and whatever the carrier says, the routing tick
ends a consultation not answered within the ring timeout), the caller is taken off hold and the
first psychologist is told in words; when the first psychologist's leg drops while the caller
holds, the consultation ends and the caller waits for her as after any dropped line, then goes
to the head of the queue if she does not rejoin in time.  After a hand-over the colleague is the
call's psychologist: the contact record goes with the call, and both psychologists appear among
the staff who took part.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline.carrier.control import COLLEAGUE_LABEL, CarrierControl, colleague_label
from helpline.events import ALL_SUPERVISORS, Publisher, agent_room, publish, supervisors_room
from helpline.models import AgentPresence, AgentState, AuditEvent, Call, CallState, Part, User
from helpline.services import audit, call_staff, warm_steps
from helpline.services.dispatch import call_payload
from helpline.services.ivr_step import CarrierCall, IvrStep, Next
from helpline.services.warm_steps import HeldRefused, WarmRefused, at_carrier

logger = logging.getLogger(__name__)

CONSULT, HANDOVER, TAKE_BACK, LOST = "call.consult", "call.handover", "call.take_back", "call.consult_lost"
ANSWERED = "call.consult_answered"
#: The colleague's leg's final statuses (her participant's status callback).
LEG_OVER = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})
COLLEAGUE_ROLES = ("psychologist", "supervisor")

__all__ = ["HeldRefused", "WarmRefused"]


@dataclass(frozen=True)
class Warm:
    """What a step needs besides the session: the carrier, the console's publisher, the
    dispatcher (presence changes), the wrap-up time and how long a colleague's console rings."""

    carrier: CarrierControl | None
    publisher: Publisher
    dispatcher: object
    wrap_up_seconds: int
    ring_seconds: int


def of(lifecycle) -> Warm:
    """The warm-transfer collaborators of the call lifecycle."""
    return Warm(lifecycle.carrier, lifecycle.dispatcher.publisher, lifecycle.dispatcher,
                lifecycle.settings.wrap_up_seconds, lifecycle.settings.ring_timeout_seconds)


def participant_left(session: Session, lifecycle, call: Call, label: str, now: datetime) -> bool:
    """A leg other than the caller's left the call's conference: True when that was part of a
    warm transfer (and is dealt with here), False when it is the call's psychologist dropping."""
    agent = session.get(User, call.agent_id) if call.agent_id else None
    if label.startswith(COLLEAGUE_LABEL):
        if agent is not None and label == colleague_label(agent.public_id):
            return False                      # the colleague the call was handed to
        colleague_left(session, of(lifecycle), call, now)
        return True
    if label:
        return False
    if colleague_on(session, call) is not None:
        first_left(session, of(lifecycle), call, now)
        return False                          # and her dropped line is dealt with as always
    return session.scalar(select(AuditEvent.id).where(
        AuditEvent.object_type == "call", AuditEvent.object_id == call.id,
        AuditEvent.action == HANDOVER).limit(1)) is not None   # the first psychologist, handed over


def colleague_on(session: Session, call: Call) -> int | None:
    """The colleague (user id) the call's psychologist is consulting now, else None."""
    return _consultation(session, call.id)[0]


def _consultation(session: Session, call_id: str) -> tuple[int | None, bool, datetime | None]:
    """(colleague consulted now or None, whether she answered, when she was rung).  Her leg's
    answer may be heard before the consultation is on record: either order counts."""
    found: tuple[int | None, bool, datetime | None] = (None, False, None)
    answered: set[str] = set()
    for event in session.scalars(select(AuditEvent).where(
            AuditEvent.object_type == "call", AuditEvent.object_id == call_id,
            AuditEvent.action.in_((CONSULT, ANSWERED, HANDOVER, TAKE_BACK, LOST))).order_by(AuditEvent.id)):
        if event.action == ANSWERED:
            answered.add(event.detail)
        elif event.action == CONSULT and event.detail.isdigit():
            found = (int(event.detail), False, event.at)
        else:
            found, answered = (None, False, None), set()
        if found[0] is not None and str(found[0]) in answered:
            found = (found[0], True, found[2])
    return found


def colleague_answered(session: Session, call: Call, label: str, now: datetime) -> None:
    """The colleague's leg (``label``) joined the conference: she answered (no ring timeout)."""
    colleague = session.scalar(select(User).where(User.public_id == label.removeprefix(COLLEAGUE_LABEL)))
    colleague_id, answered, _rung = _consultation(session, call.id)
    if colleague is not None and not (answered and colleague_id == colleague.id):
        audit.record(session, now, ANSWERED, None, "call", call.id, detail=str(colleague.id))


def colleague_status(lifecycle, session: Session, req: CarrierCall, now: datetime) -> IvrStep:
    """``/ivr/consult/status``: the colleague's leg answered, or ended (hung up, busy, failed,
    not answered) during the consultation; the caller then comes back."""
    leg = lifecycle.live.by_leg(req.leg) if req.leg else None
    call = session.get(Call, leg.call_id) if leg is not None and not leg.ended else None
    if call is not None and call.state == CallState.ANSWERED.value:
        if req.call_status in LEG_OVER:
            colleague_left(session, of(lifecycle), call, now,
                           why="colleague_no_answer" if req.call_status != "completed" else "colleague_lost")
        elif req.call_status == "in-progress" and req.participant_label:
            colleague_answered(session, call, req.participant_label, now)
    return IvrStep(Next.NOTHING)


def unanswered(session: Session, lifecycle, now: datetime) -> int:
    """The routing tick's safety net, whatever the carrier says: a consultation whose colleague
    has not answered within the ring timeout is ended and the caller comes back."""
    ring = timedelta(seconds=lifecycle.settings.ring_timeout_seconds)
    rung = select(AuditEvent.object_id).join(Call, Call.id == AuditEvent.object_id).where(
        AuditEvent.action == CONSULT, AuditEvent.object_type == "call", AuditEvent.at <= now - ring,
        Call.state == CallState.ANSWERED.value)
    ended = 0
    for call_id in set(session.scalars(rung)):
        colleague_id, answered, since = _consultation(session, call_id)
        if colleague_id is not None and not answered and since is not None and since <= now - ring:
            colleague_left(session, of(lifecycle), session.get(Call, call_id), now, why="colleague_no_answer")
            ended += 1
    return ended


def colleagues(session: Session, by: User) -> list[dict]:
    """Who may be brought in: available psychologists and supervisors of any centre."""
    rows = session.execute(select(User, AgentPresence).join(AgentPresence, AgentPresence.user_id == User.id)
                           .where(AgentPresence.state == AgentState.AVAILABLE.value, User.id != by.id,
                                  User.role.in_(COLLEAGUE_ROLES)).order_by(User.username)).all()
    return [{"id": user.id, "name": user.username, "role": user.role, "centre_id": user.centre_id,
             "centre": user.centre.name if user.centre else "", "languages": user.language_list}
            for user, _row in rows]


def pick(session: Session, by: User, *, user_id: int | None, centre_id: int | None,
         language: str | None, supervisor: bool) -> User:
    """The colleague asked for: a named one, the first available of a centre and language, or
    the first available supervisor of the psychologist's centre."""
    for person in colleagues(session, by):
        if user_id is not None and person["id"] == user_id:
            return session.get(User, person["id"])
        if user_id is None and supervisor and person["role"] == "supervisor" \
                and person["centre_id"] == by.centre_id:
            return session.get(User, person["id"])
        if user_id is None and not supervisor and person["centre_id"] == centre_id \
                and language in person["languages"]:
            return session.get(User, person["id"])
    raise WarmRefused(_("Nobody like that is available now. Choose another colleague."))


def consult(session: Session, warm: Warm, call: Call, by: User, colleague: User, now: datetime) -> None:
    """Put the caller on hold and bring ``colleague`` onto the line."""
    _own(call, by)
    if call.bridged_at is None or call.agent_lost_at is not None:
        raise WarmRefused(_("Not done: the caller is not connected to you."))
    if colleague_on(session, call) is not None:
        raise WarmRefused(_("You are already talking to a colleague. Hand over or take the caller back."))
    row = session.get(AgentPresence, colleague.id)
    if row is None or row.state != AgentState.AVAILABLE.value or colleague.role not in COLLEAGUE_ROLES:
        raise WarmRefused(_("%(name)s is not available now. Choose another colleague.",
                            name=colleague.username))
    at_carrier(warm.carrier, lambda c: c.hold_caller(call.id, True), _("The caller was not put on hold"))
    try:
        at_carrier(warm.carrier, lambda c: c.add_colleague(call.id, colleague.public_id),
                   _("Your colleague was not brought in"))
    except WarmRefused as exc:
        if not warm_steps.unhold(session, warm.carrier, call, now):
            raise HeldRefused(str(exc) + " " + warm_steps.held_words()) from None
        raise
    warm.dispatcher._set(session, row, AgentState.ON_CALL, now)   # no offers while she consults
    audit.record(session, now, CONSULT, by, "call", call.id, detail=str(colleague.id))
    publish(session, warm.publisher, "consultation",
            {"call_id": call.id, "from": by.username, "language": call.language,
             "ring_seconds": warm.ring_seconds}, agent_room(colleague.id))
    _tell(session, warm, call, by, "consulting", colleague=colleague.username)


def hand_over(session: Session, warm: Warm, call: Call, by: User, now: datetime) -> User:
    """The first psychologist leaves; the colleague is now the call's psychologist."""
    _own(call, by)
    colleague = _colleague(session, call)
    at_carrier(warm.carrier, lambda c: c.hand_over(call.id, colleague.public_id),
               _("The caller was not handed over"))
    call_staff.note(session, call.id, by.id, Part.TRANSFERRED, now)
    call_staff.note(session, call.id, colleague.id, Part.JOINED, now)
    call.agent_id = colleague.id
    call.agent_joined_at = now
    call.transfer_count += 1
    mine = session.get(AgentPresence, by.id)
    if mine is not None and mine.call_id == call.id:
        warm.dispatcher._set(session, mine, AgentState.WRAP_UP, now)
    audit.record(session, now, HANDOVER, by, "call", call.id, detail=str(colleague.id))
    publish(session, warm.publisher, "call_ended",
            {"call_id": call.id, "wrap_up_seconds": warm.wrap_up_seconds, "reason": "handed_over",
             "colleague": colleague.username}, agent_room(by.id))
    theirs = session.get(AgentPresence, colleague.id)
    if theirs is not None:
        theirs.call_id = call.id
    for event, payload in (("call_connected", call_payload(call, now)),
                           ("caller_joined", {"call_id": call.id}),
                           ("handed_over", {"call_id": call.id, "from": by.username})):
        publish(session, warm.publisher, event, payload, agent_room(colleague.id))
    publish(session, warm.publisher, "board_changed", {}, supervisors_room(call.centre_id), ALL_SUPERVISORS)
    call_id = call.id       # her leg leaves once the hand-over is on record, so its leaving is understood
    warm_steps.once_recorded(session, warm.carrier, warm.publisher, call_id, "let the first psychologist go",
                             lambda c: c.let_first_go(call_id),
                             {by.id: {"step": "first_not_let_go", "colleague": colleague.username}}, now)
    return colleague


def take_back(session: Session, warm: Warm, call: Call, by: User, now: datetime) -> None:
    """The caller is taken off hold and the colleague leaves (once the take-back is on record, so
    that her leaving is not taken for a dropped line)."""
    _own(call, by)
    if colleague_on(session, call) is None and warm_steps.still_held(session, call.id):
        at_carrier(warm.carrier, lambda c: c.hold_caller(call.id, False),   # her consultation is over
                   _("The caller was not taken off hold"))
        audit.record(session, now, warm_steps.OFF_HOLD, by, "call", call.id, detail="taken back")
        _tell(session, warm, call, by, "taken_back")
        return
    colleague = _colleague(session, call)
    at_carrier(warm.carrier, lambda c: c.hold_caller(call.id, False), _("The caller was not taken off hold"))
    _release(session, warm, colleague, call, now)
    audit.record(session, now, TAKE_BACK, by, "call", call.id, detail=str(colleague.id))
    _tell(session, warm, call, by, "taken_back")
    _let_colleague_go(session, warm, call, colleague, by, now)
    publish(session, warm.publisher, "consultation_over", {"call_id": call.id}, agent_room(colleague.id))


def colleague_left(session: Session, warm: Warm, call: Call, now: datetime,
                   why: str = "colleague_lost") -> None:
    """The colleague's leg left (``colleague_lost``) or never answered (``colleague_no_answer``)
    during the consultation: the caller comes back to the first psychologist, told in words."""
    colleague_id = colleague_on(session, call)
    if colleague_id is None:
        return
    colleague = session.get(User, colleague_id)
    _release(session, warm, colleague, call, now)
    audit.record(session, now, LOST, None, "call", call.id,
                 detail="colleague did not answer" if why == "colleague_no_answer" else "colleague left")
    back = warm_steps.unhold(session, warm.carrier, call, now)    # else on record as still on hold
    first = session.get(User, call.agent_id) if call.agent_id else None
    _tell(session, warm, call, first, why if back else "still_on_hold",
          colleague=colleague.username if colleague else "")
    if why == "colleague_no_answer" and colleague is not None:   # her browser stops ringing
        _let_colleague_go(session, warm, call, colleague, first, now)
    if colleague is not None:
        publish(session, warm.publisher, "consultation_over", {"call_id": call.id}, agent_room(colleague.id))


def first_left(session: Session, warm: Warm, call: Call, now: datetime) -> None:
    """The first psychologist's leg left while the caller held: the consultation is over (the
    conference ended with her leg, and the colleague's with it).  The caller then waits for her
    as after any dropped line, and goes to the head of the queue if she does not rejoin."""
    colleague_id = colleague_on(session, call)
    _release(session, warm, session.get(User, colleague_id) if colleague_id else None, call, now)
    audit.record(session, now, LOST, None, "call", call.id, detail="psychologist left")
    if colleague_id is not None:
        publish(session, warm.publisher, "consultation_over", {"call_id": call.id}, agent_room(colleague_id))


def call_over(session: Session, lifecycle, call: Call, now: datetime) -> None:
    """The call ended (the caller hung up) during a consultation: the colleague is free again."""
    if call.answered_at is None:      # never answered: nobody consulted anyone
        return
    colleague_id = colleague_on(session, call)
    if colleague_id is None:
        return
    _release(session, of(lifecycle), session.get(User, colleague_id), call, now)
    audit.record(session, now, LOST, None, "call", call.id, detail="call ended")
    publish(session, lifecycle.dispatcher.publisher, "consultation_over", {"call_id": call.id},
            agent_room(colleague_id))


# ------------------------------------------------------------ internals

def _own(call: Call, by: User) -> None:
    if call.state != CallState.ANSWERED.value or call.agent_id != by.id:
        raise WarmRefused(_("Not done: you are not on this call any more."))


def _colleague(session: Session, call: Call) -> User:
    colleague_id = colleague_on(session, call)
    colleague = session.get(User, colleague_id) if colleague_id else None
    if colleague is None:
        raise WarmRefused(_("Not done: no colleague is on the line."))
    return colleague


def _release(session: Session, warm: Warm, colleague: User | None, call: Call, now: datetime) -> None:
    row = session.get(AgentPresence, colleague.id) if colleague else None
    if row is not None and row.call_id is None and row.state == AgentState.ON_CALL.value:
        state = AgentState.AVAILABLE if row.connections else AgentState.OFFLINE
        warm.dispatcher._set(session, row, state, now)


def _tell(session: Session, warm: Warm, call: Call, by: User | None, what: str, **more: str) -> None:
    if by is not None:
        publish(session, warm.publisher, "warm_transfer", {"call_id": call.id, "step": what, **more},
                agent_room(by.id))


def _let_colleague_go(session: Session, warm: Warm, call: Call, colleague: User, first: User | None,
                      now: datetime) -> None:
    """The colleague's leg leaves once the step is on record; if the carrier does not take it
    out, both are told she may still be on the line."""
    call_id, identity = call.id, colleague.public_id
    tell = {colleague.id: {"step": "colleague_not_let_go", "colleague": first.username if first else ""}}
    if first is not None:
        tell[first.id] = {"step": "colleague_still_on", "colleague": colleague.username}
    warm_steps.once_recorded(session, warm.carrier, warm.publisher, call_id, "take the colleague off",
                             lambda c: c.remove_colleague(call_id, identity), tell, now)
