"""The call's lifecycle when things fail: a webhook that failed is still answered and
registered (or spooled), and the reconciler closes what no live call or carrier backs."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline.carrier.control import CallStatus
from helpline.models import Call, CallState, Outcome
from helpline.phone import dialled_line
from helpline.services import calls as register
from helpline.services.ivr_step import CarrierCall, IvrStep, Next
from helpline.spool import SpoolEntry
from helpline.uow import unit_of_work

logger = logging.getLogger(__name__)


class Recovery:
    """Mixed into ``CallLifecycle``: failed webhooks and the reconciler."""

    def failed(self, session: Session, req: CarrierCall, now: datetime, endpoint: str,
               database_down: bool) -> IvrStep:
        """A webhook failed.  Answer from what the request says, and register the failure:
        in the register at once if the database works (a bug), else in the local spool, which
        the reconciler writes to the register once the database answers again."""
        if endpoint == "queue_tick":      # keep the caller waiting in the queue, with help numbers
            return IvrStep(Next.HOLD, language=req.language, help="error", technical_problem=True)
        if endpoint == "agent_join":      # the psychologist's own leg: no caller to register
            return IvrStep(Next.HANG_UP)
        if endpoint == "conference_event":   # a notice, not the caller's call: nothing to answer
            return IvrStep(Next.NOTHING)
        leg = None
        try:
            leg = self.live.by_leg(req.leg) if req.leg else (
                self.live.by_sid(req.call_sid) if req.call_sid else None)
            if leg is not None and leg.ended:
                return IvrStep(Next.HANG_UP)
            if endpoint in {"status", "conference_over"} and leg is None:
                return IvrStep(Next.NOTHING)
            if leg is None and req.call_sid:
                leg, _created = self.live.begin(req.call_sid, register.new_call_id())
        except Exception:   # the live store itself failed: still answer the caller
            logger.exception("Live-call store failed while answering a failed webhook")
        kind = "close" if leg is not None and endpoint != "incoming" else "register"
        entry = SpoolEntry(kind=kind, call_id=leg.call_id if leg else register.new_call_id(), at=now,
                           dialled_line=dialled_line(req.to_number), centre_id=None,
                           language=req.language, outcome=Outcome.FAILED.value,
                           started_at=now if kind == "register" else None)
        if not self._write_now(session, entry, database_down):
            try:
                self.spool.write(entry)
            except Exception:
                logger.exception("Could not spool a failed call")
        if leg is not None:
            self.live.end(leg)
        if endpoint == "status":
            return IvrStep(Next.NOTHING)
        return IvrStep(Next.HELP_AND_HANG_UP, language=req.language, help="error")

    def _write_now(self, session: Session, entry: SpoolEntry, database_down: bool) -> bool:
        if database_down:
            return False
        from helpline.services import spooled

        try:
            with unit_of_work(session):
                call = session.get(Call, entry.call_id)
                if call is None:
                    spooled.apply_entry(session, entry)
                else:                            # frees the psychologist and the offers too
                    register.mark_failed(call)
                    self.dispatcher.call_ended(session, call, entry.at)
            return True
        except Exception:
            logger.exception("Could not register the failed call; it goes to the spool")
            return False

    def reconcile(self, session: Session, now: datetime) -> str:
        """Close what no live call backs (``interrupted``) and what the carrier says has ended
        (a lost status callback); free psychologists left on calls that have ended.

        The carrier is asked before anything is written, so no write lock is held while it
        answers; every row is read again before it is changed."""
        open_calls = list(session.execute(
            select(Call.id, Call.state, Call.last_activity_at, Call.agent_id)
            .where(Call.state != CallState.ENDED.value)).all())
        known = self.live.known_calls([c.id for c in open_calls]) if open_calls else set()
        silence = timedelta(seconds=self.settings.carrier_silence_seconds)
        quiet = {c.id for c in open_calls
                 if c.last_activity_at is None or now - c.last_activity_at >= silence}
        ghosts, to_ask = set(), []
        for call_id, state, _activity, agent_id in open_calls:
            if known is not None and call_id not in known:
                if call_id in quiet and not self._in_conversation(session, call_id, state, agent_id, now):
                    ghosts.add(call_id)
            elif self.carrier is not None and (call_id in quiet or state == CallState.ANSWERED.value):
                to_ask.append(call_id)
        session.rollback()      # end the read: nothing is held while the carrier answers
        ended = {call_id for call_id in to_ask if self.carrier.call_status(call_id) is CallStatus.ENDED}
        interrupted = closed = 0
        for call_id in ghosts | ended:
            call = session.get(Call, call_id, populate_existing=True)
            if call is None or call.state == CallState.ENDED.value:
                continue
            if call_id in ghosts:
                activity = call.last_activity_at
                if (activity is not None and now - activity < silence) or self._in_conversation(
                        session, call_id, call.state, call.agent_id, now):
                    continue                      # it moved while the carrier was being asked
                self.dispatcher.interrupt(session, call, now)
                interrupted += 1
            else:
                self.dispatcher.call_ended(session, call, now)
                leg = self.live.by_call(call_id)
                if leg is not None:
                    self._forget_after_commit(session, leg)
                closed += 1
        freed = self.dispatcher.free_stuck(session, now)
        return (f"{len(open_calls)} open calls: {interrupted} interrupted, {closed} ended at the carrier, "
                f"{freed} psychologists freed")

    def _in_conversation(self, session: Session, call_id: str, state: str, agent_id: int | None,
                         now: datetime) -> bool:
        """An answered call whose psychologist is still on it and connected: the conversation
        may go on at the carrier even if the line lost its live state; the psychologist ends it."""
        if state != CallState.ANSWERED.value or agent_id is None:
            return False
        return self.dispatcher.is_on_call(session, agent_id, call_id, now)
