"""The life of a call, in one place: opened, menus, queue, offer and accept, bridge, the end.

The IVR's webhooks, the console's socket events and the scheduler's jobs all call this service
with plain values and ``now``; it flushes, never commits (the unit of work does), and answers
the IVR with an ``IvrStep`` that ``ivr/routes.py`` renders as TwiML.

What keeps a caller on the line when things fail:

* **Lost live state** (a restart, Redis restarted empty): a webhook for a leg the live store
  no longer knows resumes the call as a new, ``is_resumed`` register entry, rebuilt from what the
  carrier sends (the dialled number, the queue time) and from the menu choices carried in the
  signed webhook URLs; the caller hears that there was a technical problem and keeps their
  place.  The reconciler closes the orphaned first entry as ``interrupted``.
* **Retries and replays**: the carrier's call id is claimed in the live store *before* anything
  is written, so concurrent retries share one register entry; after the end a tombstone answers
  replays with a hang-up.
* **Bridging**: the REST redirect into the conference is the fast path, tried in the
  background with timeouts; the queue's hold loop is the fallback (an answered caller leaves the
  queue into the conference), and a caller who never arrives goes back to the head of the queue.
* **The psychologist's leg drops**: the caller hears so and waits for them to rejoin; after
  ``agent_rejoin_seconds`` the call goes back to the head of the queue for the next person.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from helpline import call_flow as flow
from helpline.carrier.control import CarrierControl
from helpline.config import Settings
from helpline.live import LiveCallStore, LiveLeg
from helpline.models import Call, CallState, Outcome
from helpline.phone import dialled_line, try_normalise
from helpline.privacy import caller_token
from helpline.services import caller_blocks
from helpline.services import calls as register
from helpline.services.centre_directory import CentreDirectory, CentreInfo
from helpline.services.dispatch import Dispatcher
from helpline.services.ivr_step import FINAL_STATUSES, CarrierCall, IvrStep, Next
from helpline.services.ivr_step import languages_of as _languages
from helpline.services.ivr_step import queue_name as _queue_name
from helpline.services.lifecycle_bridge import Bridging
from helpline.services.lifecycle_console import ConsoleActions, KeptRefusal
from helpline.services.lifecycle_recovery import Recovery
from helpline.spool import Spool

logger = logging.getLogger(__name__)

__all__ = ["FINAL_STATUSES", "CallLifecycle", "CarrierCall", "IvrStep", "KeptRefusal", "Next"]


class CallLifecycle(Bridging, ConsoleActions, Recovery):
    """The one home of a call's life; see the module docstring. The steps once answered, the
    console's actions and the recovery from failures are in the mixins it is made of."""

    def __init__(self, *, settings: Settings, live: LiveCallStore, dispatcher: Dispatcher,
                 carrier: CarrierControl | None, spool: Spool,
                 centres: CentreDirectory | None = None) -> None:
        self.settings = settings
        #: The centres and their numbers, read from the database at most every few seconds.
        self.centres = centres or CentreDirectory(settings.centre_cache_seconds)
        self.live = live
        self.dispatcher = dispatcher
        self.carrier = carrier
        self.spool = spool

    # ------------------------------------------------------------ opening

    def incoming(self, session: Session, req: CarrierCall, now: datetime) -> IvrStep:
        """A call reached a centre's number: register it once, whatever the carrier retries."""
        if not req.call_sid:   # cannot be followed: help now, registered as failed
            call = self._register(session, req, now, register.new_call_id())
            register.mark_failed(call)
            register.finish(call, now, failed=True)
            return self._help(call, "error")
        known = self.live.by_sid(req.call_sid)
        if known is not None and known.ended:
            return IvrStep(Next.HANG_UP)           # a replay after the call ended
        if known is None:
            known, created = self.live.begin(req.call_sid, register.new_call_id())
            if created:
                call = self._register(session, req, now, known.call_id)
                if caller_blocks.is_blocked(session, call, now):   # fails open
                    logger.info("A blocked caller was told the help numbers (centre %s)", call.centre_id)
                    call.outcome = Outcome.BLOCKED.value
                    register.finish(call, now)
                return self._start(call, known)
        call = session.get(Call, known.call_id)
        if call is None:                          # a concurrent retry is registering it
            return self._start_for_centre(session, req, known, now)
        return self._start(call, known)

    def _register(self, session: Session, req: CarrierCall, now: datetime, call_id: str,
                  resumed: bool = False) -> Call:
        dialled = dialled_line(req.to_number)
        centre = self._centre_for(session, dialled, now)
        token = None
        if self.settings.caller_token_enabled and not resumed:
            token = caller_token(self.settings.caller_token_secret, try_normalise(req.from_number), now)
        return register.register_call(session, centre_id=centre.id if centre else None,
                                      dialled_line=dialled, now=now, caller_token=token,
                                      call_id=call_id, resumed=resumed)

    def _centre_for(self, session: Session, dialled: str | None, now: datetime) -> CentreInfo | None:
        """The centre that owns the dialled number, else the default centre."""
        return self.centres.for_number(session, dialled, now) or self.centres.default(
            session, self.settings.default_centre_id, now)

    def _languages(self, call: Call | None) -> tuple[str, ...]:
        """The call's centre's menu languages, from the directory (read again by this webhook's
        ``_find`` or ``_register`` when older than its lifetime)."""
        info = self.centres.known(call.centre_id) if call is not None else None
        return info.languages if info is not None else _languages(call)

    def _start(self, call: Call, leg: LiveLeg) -> IvrStep:
        languages = self._languages(call)
        if call.outcome == Outcome.BLOCKED.value:   # the set message and the help numbers, once more
            return IvrStep(Next.HELP_AND_HANG_UP, leg=leg.leg, languages=languages,
                           preface="blocked", help="blocked_help")
        if call.language is None and flow.needs_language_menu(languages):
            return IvrStep(Next.LANGUAGE_MENU, leg=leg.leg, languages=languages)
        if call.language is None:
            call.language = languages[0]
        return IvrStep(Next.CALLER_TYPE_MENU, leg=leg.leg, language=call.language,
                       languages=languages, greeting=True)

    def _start_for_centre(self, session: Session, req: CarrierCall, leg: LiveLeg,
                          now: datetime) -> IvrStep:
        centre = self._centre_for(session, dialled_line(req.to_number), now)
        languages = centre.languages if centre else ("kk", "ru")
        if flow.needs_language_menu(languages):
            return IvrStep(Next.LANGUAGE_MENU, leg=leg.leg, languages=languages)
        return IvrStep(Next.CALLER_TYPE_MENU, leg=leg.leg, language=languages[0],
                       languages=languages, greeting=True)

    # ------------------------------------------------------------ finding the call again

    def _find(self, session: Session, req: CarrierCall, now: datetime) -> tuple[Call, LiveLeg] | None:
        """The call a webhook is about, or None when the live state was lost."""
        leg = self.live.by_leg(req.leg) if req.leg else None
        if leg is None or leg.ended or (req.call_sid and leg.call_sid != req.call_sid):
            return None
        call = session.get(Call, leg.call_id)
        if call is None or call.state == CallState.ENDED.value:
            return None
        self.centres.refresh(session, now)
        call.last_activity_at = now
        return call, leg

    def _ended_leg(self, req: CarrierCall) -> bool:
        leg = self.live.by_leg(req.leg) if req.leg else None
        return leg is not None and leg.ended

    def _resume(self, session: Session, req: CarrierCall, now: datetime) -> tuple[Call, LiveLeg] | None:
        """Continue a call the line lost track of, as a new, resumed register entry."""
        if not req.call_sid or not req.leg:
            return None
        leg, created = self.live.adopt(req.leg, req.call_sid, register.new_call_id())
        if not created:
            call = session.get(Call, leg.call_id)
            return (call, leg) if call is not None and call.state != CallState.ENDED.value else None
        logger.warning("Resuming a call whose live state was lost")
        call = self._register(session, req, now, leg.call_id, resumed=True)
        call.language = req.language if req.language in self._languages(call) else None
        call.caller_type = req.caller_type if req.caller_type in flow.CALLER_TYPE_DIGITS.values() else None
        call.is_urgent = req.urgent
        return call, leg

    # ------------------------------------------------------------ menus

    def language_chosen(self, session: Session, req: CarrierCall, now: datetime) -> IvrStep:
        found, resumed = self._found_or_resumed(session, req, now)
        if found is None:
            return self._lost(req)
        call, leg = found
        languages = self._languages(call)
        choice = flow.choose_language(req.digits, req.attempt, languages, self.settings.menu_attempts)
        register.note_menu_step(call, "language", req.attempt, choice.path_value)
        if choice.next is flow.Next.ASK_AGAIN:
            return IvrStep(Next.LANGUAGE_MENU, leg=leg.leg, languages=languages,
                           attempt=req.attempt + 1, apologise=choice.apologise,
                           technical_problem=resumed)
        call.language = call.language or choice.value
        if choice.urgent:
            call.is_urgent = True
            return self._enqueue(session, call, leg, now, technical_problem=resumed)
        return IvrStep(Next.CALLER_TYPE_MENU, leg=leg.leg, language=call.language, languages=languages,
                       greeting=True, technical_problem=resumed)

    def caller_type_chosen(self, session: Session, req: CarrierCall, now: datetime) -> IvrStep:
        found, resumed = self._found_or_resumed(session, req, now)
        if found is None:
            return self._lost(req)
        call, leg = found
        choice = flow.choose_caller_type(req.digits, req.attempt, self.settings.menu_attempts)
        register.note_menu_step(call, "caller_type", req.attempt, choice.path_value)
        if choice.next is flow.Next.ASK_AGAIN:
            return IvrStep(Next.CALLER_TYPE_MENU, leg=leg.leg, language=call.language,
                           languages=self._languages(call), attempt=req.attempt + 1,
                           apologise=choice.apologise, technical_problem=resumed)
        call.caller_type = call.caller_type or choice.value
        call.is_urgent = call.is_urgent or choice.urgent
        return self._enqueue(session, call, leg, now, technical_problem=resumed)

    def _found_or_resumed(self, session, req, now) -> tuple[tuple[Call, LiveLeg] | None, bool]:
        found = self._find(session, req, now)
        if found is not None:
            return found, False
        if self._ended_leg(req):
            return None, False
        return self._resume(session, req, now), True

    def _lost(self, req: CarrierCall) -> IvrStep:
        if self._ended_leg(req):     # the call was closed (e.g. by the psychologist): say goodbye
            return IvrStep(Next.GOODBYE, language=req.language,
                           languages=(req.language,) if req.language else ("kk", "ru"))
        return IvrStep(Next.HELP_AND_HANG_UP, language=req.language, help="error")

    # ------------------------------------------------------------ the queue

    def _enqueue(self, session: Session, call: Call, leg: LiveLeg, now: datetime, *,
                 technical_problem: bool = False, queued_at: datetime | None = None) -> IvrStep:
        if register.enqueue(call, queued_at or now) or call.dequeued_at is None:
            self.dispatcher.call_queued(session, call, now)
        return self._step(Next.ENQUEUE, call, leg, queue=_queue_name(call),
                          technical_problem=technical_problem)

    def _step(self, next_: Next, call: Call, leg: LiveLeg, **values) -> IvrStep:
        """A step that carries the call's menu choices (in the URLs the carrier signs back)."""
        return IvrStep(next_, leg=leg.leg, language=call.language, languages=self._languages(call),
                       urgent=call.is_urgent, caller_type=call.caller_type, **values)

    def queue_tick(self, session: Session, req: CarrierCall, now: datetime) -> IvrStep:
        """One loop of the hold music: position and reassurance, or leave the queue."""
        found = self._find(session, req, now)
        technical_problem = False
        if found is None:
            if self._ended_leg(req):
                return IvrStep(Next.LEAVE_QUEUE)
            found = self._resume(session, req, now)
            if found is None:
                return IvrStep(Next.HOLD, language=req.language, help="error", technical_problem=True)
            call, _leg = found
            register.enqueue(call, now - timedelta(seconds=max(0, req.queue_time)))
            self.dispatcher.call_queued(session, call, now)
            technical_problem = True
        call, leg = found
        if call.state == CallState.ANSWERED.value:
            if call.agent_joined_at is not None:     # the psychologist is there: into the conference
                return IvrStep(Next.LEAVE_QUEUE)
            return self._step(Next.HOLD, call, leg, help="connecting")
        if call.state != CallState.QUEUED.value or call.dequeued_at is not None:
            return IvrStep(Next.LEAVE_QUEUE)
        # no routing here: a call is offered when it is queued, when someone becomes free, and
        # by the scheduler's tick every second (which also moves unanswered rings on)
        waited = register.waited_seconds(call, now)
        centre = self.centres.known(call.centre_id)
        max_wait = centre.max_wait_seconds if centre else self.settings.default_max_wait_seconds
        step = flow.QueueStep.WAIT
        if flow.may_give_up(waited, max_wait, self.settings.no_agent_wait_seconds):
            available = self.dispatcher.working_agents(session, call.centre_id, now)
            step = flow.queue_step(waited, max_wait, available, self.settings.no_agent_wait_seconds,
                                   self.settings.national_backup_seconds)
        if step is flow.QueueStep.GIVE_UP:
            register.leave_queue(call, now, Outcome.NO_ONE_AVAILABLE)
            self.dispatcher.call_left_queue(session, call, now)
            return IvrStep(Next.LEAVE_QUEUE)
        position, _size = register.queue_position(session, call)
        return self._step(Next.HOLD, call, leg, position=position, long_wait=waited >= 30,
                          technical_problem=technical_problem)

    def queue_left(self, session: Session, req: CarrierCall, now: datetime) -> IvrStep:
        """The caller left the carrier's queue: connect, go on, or tell them where to get help."""
        found = self._find(session, req, now)
        if found is None:
            if req.queue_result == "hangup":
                return IvrStep(Next.NOTHING)
            if self._ended_leg(req):
                return self._lost(req)
            found = self._resume(session, req, now)
            if found is None:
                return IvrStep(Next.HELP_AND_HANG_UP, language=req.language, help="error")
            call, leg = found
            return self._enqueue(session, call, leg, now, technical_problem=True,
                                 queued_at=now - timedelta(seconds=max(0, req.queue_time)))
        call, leg = found
        if req.queue_result == "hangup":
            if call.state == CallState.QUEUED.value:
                register.leave_queue(call, now)
                self.dispatcher.call_left_queue(session, call, now)
            return IvrStep(Next.NOTHING)            # the status callback closes the call
        if call.state == CallState.ANSWERED.value:
            return self._into_conversation(session, call, leg, now)
        if req.queue_result in {"bridged", "redirected"}:
            return IvrStep(Next.NOTHING)
        if call.state == CallState.QUEUED.value and call.dequeued_at is None \
                and req.queue_result == "leave":
            # the carrier left the queue while the call still waits here (e.g. after a requeue)
            return self._enqueue(session, call, leg, now)
        failed = req.queue_result not in {"leave", ""}
        register.leave_queue(call, now, Outcome.FAILED if failed else Outcome.NO_ONE_AVAILABLE)
        self.dispatcher.call_left_queue(session, call, now)
        return self._help(call, "no_one_available")

    def _help(self, call: Call | None, key: str) -> IvrStep:
        return IvrStep(Next.HELP_AND_HANG_UP, language=call.language if call else None,
                       languages=self._languages(call) if call else ("kk", "ru"), help=key)

