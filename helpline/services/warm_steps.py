"""A warm transfer's steps at the carrier: one way to run them, and what happens when the
carrier does not do one.  Nothing is ever shown as done that the carrier did not do.

- A step the psychologist asks for (hold, ring the colleague, hand over, take back) is done at
  the carrier first; if the carrier does not do it, nothing is recorded and ``WarmRefused`` says
  in words what did not happen (the console shows it; the view answers 409).
- Taking the caller off hold when the colleague left or never answered: if the carrier does not
  do it, the call stays on record as on hold (``call.still_on_hold``, with the carrier's reason)
  and the psychologist is told that the caller may still be hearing hold music and that Take
  back tries again.  The caller is not stranded: she hears the hold music, never silence, and
  the routing tick tries to take her off hold again on every run (``retry_holds``) until the
  carrier does it (``call.off_hold``, and the psychologist is told the caller is back) or the
  call ends.
- The steps that follow a committed hand-over or take-back (the first psychologist's, or the
  colleague's, leg leaves the conference) run once the step is on record, so that the leg's
  leaving is understood.  If the carrier does not do one (Twilio's REST API is already asked
  again on a dropped connection, a timeout, 429 or 5xx), it is audited
  (``call.carrier_step_failed``) and whoever may still be on the line is told in words.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import exists, select
from sqlalchemy.orm import Session, scoped_session, sessionmaker

from helpline.carrier.control import CarrierControl, CarrierError
from helpline.events import after_commit, agent_room, publish
from helpline.models import AuditEvent, Call, CallState
from helpline.services import audit
from helpline.services.on_the_line import LineRefused
from helpline.uow import unit_of_work

logger = logging.getLogger(__name__)

STILL_HELD, OFF_HOLD = "call.still_on_hold", "call.off_hold"
STEP_FAILED = "call.carrier_step_failed"
#: The events after which the caller is (``call.consult``, ``call.still_on_hold``) or is not on
#: hold; the warm transfer's own names, repeated here so both modules read one list.
HOLD_EVENTS = ("call.consult", "call.handover", "call.take_back", "call.consult_lost", STILL_HELD, OFF_HOLD)
HELD_AFTER = ("call.consult", STILL_HELD)

#: A caller the tick still cannot take off hold is logged once, then at most this often.
WARN_AGAIN_AFTER = timedelta(seconds=60)
#: When this process last logged each caller still on hold (the log's own pacing, nothing more).
_warned_at: dict[str, datetime] = {}

#: Nothing was done; the message says why, in the user's language (as for supervisors).
WarmRefused = LineRefused


class HeldRefused(WarmRefused):
    """Not done, and the carrier left the caller on hold: that is on record (commit it)."""


def held_words() -> str:
    """What the psychologist is told when the caller may still be hearing hold music."""
    return _("The caller may still be hearing hold music: press Take the caller back to try again "
             "(the helpline also keeps trying). If it does not work, tell your supervisor.")


def at_carrier(carrier: CarrierControl | None, action: Callable[[CarrierControl], None],
               not_done: str) -> None:
    """Run one carrier step, or raise ``WarmRefused``: ``not_done`` and why, in words."""
    failed = _attempt(carrier, action)
    if failed is None:
        return
    if carrier is None:
        raise WarmRefused(not_done + ": " + _("there is no carrier to do it through."))
    raise WarmRefused(not_done + ": " + _("the phone carrier did not do it (%(reason)s).", reason=failed))


def _attempt(carrier: CarrierControl | None, action: Callable[[CarrierControl], None]) -> str | None:
    """None when the carrier did it, else why not (the carrier's words: no SID, no number)."""
    if carrier is None:
        return "no carrier"
    try:
        action(carrier)
    except CarrierError as exc:
        return str(exc)
    return None


def still_held(session: Session, call_id: str) -> bool:
    """Whether the caller is on hold now (a consultation, or a failed attempt to end the hold,
    is the last word on it)."""
    last = session.scalar(select(AuditEvent.action).where(
        AuditEvent.object_type == "call", AuditEvent.object_id == call_id,
        AuditEvent.action.in_(HOLD_EVENTS)).order_by(AuditEvent.id.desc()).limit(1))
    return last in HELD_AFTER


def unhold(session: Session, carrier: CarrierControl | None, call: Call, now: datetime) -> bool:
    """Take the caller off hold at the carrier: True when it did; else the call is recorded as
    still on hold (with the carrier's reason) for Take back and the routing tick to try again."""
    failed = _attempt(carrier, lambda c: c.hold_caller(call.id, False))
    if failed is not None:
        logger.error("Warm transfer: the caller could not be taken off hold; tried again later")
        audit.record(session, now, STILL_HELD, None, "call", call.id, detail=failed)
    return failed is None


def retry_holds(session: Session, carrier: CarrierControl | None, publisher, now: datetime) -> int:
    """The routing tick: try again to take off hold each caller still on hold after her
    consultation ended; tell her psychologist once the carrier did.  The number taken off hold."""
    # From the calls in progress (few; ``ix_calls_open``) to their own audit events
    # (``ix_audit_events_object``): the tick never reads the whole audit log.
    found = select(Call.id).where(
        Call.state == CallState.ANSWERED.value, Call.agent_lost_at.is_(None),
        exists().where(AuditEvent.object_type == "call", AuditEvent.object_id == Call.id,
                       AuditEvent.action == STILL_HELD)).order_by(Call.id)
    back = 0
    held = [call_id for call_id in session.scalars(found).all() if still_held(session, call_id)]
    for call_id in set(_warned_at) - set(held):
        del _warned_at[call_id]
    for call_id in held:
        call = session.get(Call, call_id)
        if _attempt(carrier, lambda c, call_id=call_id: c.hold_caller(call_id, False)) is not None:
            last = _warned_at.get(call_id)
            if last is None or now - last >= WARN_AGAIN_AFTER:
                _warned_at[call_id] = now
                logger.warning("Warm transfer: a caller is still on hold; the routing tick tries "
                               "again every run (logged again in %d s if she still is)",
                               WARN_AGAIN_AFTER.total_seconds())
            continue
        _warned_at.pop(call_id, None)
        audit.record(session, now, OFF_HOLD, None, "call", call_id, detail="taken off hold on a later try")
        if call.agent_id is not None:
            publish(session, publisher, "warm_transfer", {"call_id": call_id, "step": "off_hold"},
                    agent_room(call.agent_id))
        back += 1
    return back


def once_recorded(session: Session, carrier: CarrierControl | None, publisher, call_id: str, step: str,
                  action: Callable[[CarrierControl], None], tell: dict[int, dict], now: datetime) -> None:
    """Run ``action`` once the unit of work commits; if the carrier does not do it, audit
    ``step`` as failed and send each user id in ``tell`` its ``warm_transfer`` event."""
    def run() -> None:
        failed = _attempt(carrier, action)
        if failed is not None:
            logger.error("Warm transfer: the carrier did not complete a step (%s)", step)
            _record_failure(session, call_id, f"{step}: {failed}", now)
            for user_id, payload in tell.items():
                publisher.emit("warm_transfer", {"call_id": call_id, **payload}, agent_room(user_id))

    after_commit(session, run)


def _record_failure(session: Session, call_id: str, detail: str, now: datetime) -> None:
    """After the commit the unit of work's session takes no more writes: one of its own."""
    factory = session.session_factory if isinstance(session, scoped_session) \
        else sessionmaker(bind=session.get_bind())
    other = factory()
    try:
        with unit_of_work(other):
            audit.record(other, now, STEP_FAILED, None, "call", call_id, detail=detail)
    finally:
        other.close()
