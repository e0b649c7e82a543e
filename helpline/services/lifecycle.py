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

import enum
import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline import call_flow as flow
from helpline.carrier.control import CallStatus, CarrierControl, CarrierError
from helpline.config import Settings
from helpline.events import after_commit, agent_room, publish
from helpline.live import LiveCallStore, LiveLeg
from helpline.models import AgentPresence, AgentState, Call, CallState, Offer, OfferState, Outcome, User
from helpline.phone import try_normalise
from helpline.privacy import caller_token
from helpline.services import caller_blocks
from helpline.services import calls as register
from helpline.services.centres import centre_for_number, default_centre
from helpline.services.dispatch import Dispatcher, DispatchError, call_payload
from helpline.spool import Spool, SpoolEntry
from helpline.uow import unit_of_work

logger = logging.getLogger(__name__)

FINAL_STATUSES = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})


@dataclass(frozen=True)
class CarrierCall:
    """What one carrier webhook says, as plain values. ``from_number`` is used only in memory
    (for the optional caller token) and never stored."""

    call_sid: str = ""
    from_number: str | None = None
    to_number: str | None = None
    digits: str | None = None
    call_status: str = ""
    queue_result: str = ""
    queue_time: int = 0
    leg: str = ""
    attempt: int = 1
    #: Menu choices carried in the webhook URL (signed by the carrier), to resume a lost call.
    language: str | None = None
    caller_type: str | None = None
    urgent: bool = False
    #: Conference status callbacks: the event and whether the leaving party ends the conference.
    conference_event: str = ""
    #: The agent's join token (``/ivr/agent-join``).
    join_token: str = ""


class Next(enum.StrEnum):
    LANGUAGE_MENU = "language_menu"
    CALLER_TYPE_MENU = "caller_type_menu"
    ENQUEUE = "enqueue"
    HOLD = "hold"
    LEAVE_QUEUE = "leave_queue"
    CONFERENCE = "conference"
    AGENT_CONFERENCE = "agent_conference"
    AGENT_LOST = "agent_lost"
    HELP_AND_HANG_UP = "help_and_hang_up"
    GOODBYE = "goodbye"
    HANG_UP = "hang_up"
    NOTHING = "nothing"


@dataclass(frozen=True)
class IvrStep:
    """What the caller hears next; ``ivr/routes.py`` turns it into TwiML and decides nothing."""

    next: Next
    leg: str = ""
    #: Language to speak; None = each of ``languages`` in turn (before a language is chosen).
    language: str | None = None
    languages: tuple[str, ...] = ("kk", "ru")
    attempt: int = 1
    apologise: bool = False
    greeting: bool = False
    #: Say first that there was a technical problem and the caller keeps their place.
    technical_problem: bool = False
    urgent: bool = False
    caller_type: str | None = None
    queue: str = ""
    position: int = 0
    long_wait: bool = False
    #: Which help prompt (``error``, ``no_one_available``; ``connecting`` while being connected).
    help: str = "error"
    #: A prompt said before the help numbers (``blocked``: the line cannot take this caller).
    preface: str | None = None


class CallLifecycle:
    """The one home of a call's life; see the module docstring."""

    def __init__(self, *, settings: Settings, live: LiveCallStore, dispatcher: Dispatcher,
                 carrier: CarrierControl | None, spool: Spool) -> None:
        self.settings = settings
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
            return self._start_for_centre(session, req, known)
        return self._start(call, known)

    def _register(self, session: Session, req: CarrierCall, now: datetime, call_id: str,
                  resumed: bool = False) -> Call:
        dialled = try_normalise(req.to_number)
        centre = centre_for_number(session, dialled) or default_centre(
            session, self.settings.default_centre_id)
        token = None
        if self.settings.caller_token_enabled and not resumed:
            token = caller_token(self.settings.caller_token_secret, try_normalise(req.from_number), now)
        return register.register_call(session, centre=centre, dialled_line=dialled, now=now,
                                      caller_token=token, call_id=call_id, resumed=resumed)

    def _start(self, call: Call, leg: LiveLeg) -> IvrStep:
        languages = _languages(call)
        if call.outcome == Outcome.BLOCKED.value:   # the set message and the help numbers, once more
            return IvrStep(Next.HELP_AND_HANG_UP, leg=leg.leg, languages=languages,
                           preface="blocked", help="blocked_help")
        if call.language is None and flow.needs_language_menu(languages):
            return IvrStep(Next.LANGUAGE_MENU, leg=leg.leg, languages=languages)
        if call.language is None:
            call.language = languages[0]
        return IvrStep(Next.CALLER_TYPE_MENU, leg=leg.leg, language=call.language,
                       languages=languages, greeting=True)

    def _start_for_centre(self, session: Session, req: CarrierCall, leg: LiveLeg) -> IvrStep:
        centre = centre_for_number(session, try_normalise(req.to_number)) or default_centre(
            session, self.settings.default_centre_id)
        languages = tuple(centre.language_list) if centre else ("kk", "ru")
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
        call.language = req.language if req.language in _languages(call) else None
        call.caller_type = req.caller_type if req.caller_type in flow.CALLER_TYPE_DIGITS.values() else None
        call.is_urgent = req.urgent
        return call, leg

    # ------------------------------------------------------------ menus

    def language_chosen(self, session: Session, req: CarrierCall, now: datetime) -> IvrStep:
        found, resumed = self._found_or_resumed(session, req, now)
        if found is None:
            return self._lost(req)
        call, leg = found
        languages = _languages(call)
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
                           languages=_languages(call), attempt=req.attempt + 1,
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
        return IvrStep(next_, leg=leg.leg, language=call.language, languages=_languages(call),
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
        self.dispatcher.route(session, now)
        if call.state == CallState.ANSWERED.value:
            return self._step(Next.HOLD, call, leg, help="connecting")
        waited = register.waited_seconds(call, now)
        available = self.dispatcher.working_agents(session, call.centre_id, now)
        max_wait = call.centre.max_wait_seconds if call.centre else self.settings.default_max_wait_seconds
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

    # ------------------------------------------------------------ connected

    def connect(self, session: Session, req: CarrierCall, now: datetime) -> IvrStep:
        """The carrier brought the caller to ``/ivr/connect`` (after the psychologist joined)."""
        found, resumed = self._found_or_resumed(session, req, now)
        if found is None:
            return self._lost(req)
        call, leg = found
        if call.state == CallState.ANSWERED.value and not resumed:
            return self._into_conversation(session, call, leg, now)
        return self._enqueue(session, call, leg, now, technical_problem=resumed)

    def _into_conversation(self, session: Session, call: Call, leg: LiveLeg, now: datetime) -> IvrStep:
        """An answered caller joins the psychologist, or waits for them if their line dropped."""
        if call.agent_lost_at is not None:
            return self._step(Next.AGENT_LOST, call, leg)
        return self._bridge(session, call, leg, now)

    def _bridge(self, session: Session, call: Call, leg: LiveLeg, now: datetime) -> IvrStep:
        """The caller enters the conference (waiting with music until the psychologist is in)."""
        call.bridged_at = call.bridged_at or now
        if call.agent_id is not None:
            publish(session, self.dispatcher.publisher, "caller_joined", {"call_id": call.id},
                    agent_room(call.agent_id))
        return self._step(Next.CONFERENCE, call, leg)

    def conference_over(self, session: Session, req: CarrierCall, now: datetime) -> IvrStep:
        """The caller's conference ended: nothing if the caller hung up, goodbye if the call was
        ended, else the psychologist's line dropped and the caller waits for them."""
        if req.call_status in FINAL_STATUSES:
            return IvrStep(Next.NOTHING)            # the caller left: the status callback closes it
        found, resumed = self._found_or_resumed(session, req, now)
        if found is None:
            return self._lost(req)
        call, leg = found
        if resumed:
            return self._enqueue(session, call, leg, now, technical_problem=True)
        if call.state != CallState.ANSWERED.value:
            return IvrStep(Next.GOODBYE, language=call.language, languages=_languages(call))
        if call.agent_lost_at is None:
            call.agent_lost_at = now
            self.dispatcher.agent_leg_lost(session, call, now, self.settings.agent_rejoin_seconds)
        return self._step(Next.AGENT_LOST, call, leg)

    def waiting_for_agent(self, session: Session, req: CarrierCall, now: datetime) -> IvrStep:
        """One loop of "your psychologist was disconnected, please stay on the line"."""
        found, resumed = self._found_or_resumed(session, req, now)
        if found is None:
            return self._lost(req)
        call, leg = found
        if resumed or call.state != CallState.ANSWERED.value:
            return self._enqueue(session, call, leg, now, technical_problem=True)
        if call.agent_lost_at is None:            # the psychologist is back
            return self._bridge(session, call, leg, now)
        if now - call.agent_lost_at >= timedelta(seconds=self.settings.agent_rejoin_seconds):
            self.dispatcher.return_to_queue(session, call, now, reason="agent_lost")
            return self._enqueue(session, call, leg, now, technical_problem=True)
        return self._step(Next.AGENT_LOST, call, leg, attempt=req.attempt + 1)

    def agent_joined(self, session: Session, req: CarrierCall, now: datetime) -> IvrStep:
        """A psychologist's leg (browser, or the simulated carrier's) joins its call; the caller
        is brought in once the psychologist is there."""
        call_id = self.live.call_for_token(req.join_token) if req.join_token else None
        leg = self.live.by_call(call_id) if call_id else None
        call = session.get(Call, call_id) if leg is not None and not leg.ended else None
        if call is None or call.state != CallState.ANSWERED.value:
            return IvrStep(Next.HANG_UP)
        caller_waits = call.bridged_at is None or call.agent_lost_at is not None
        call.agent_joined_at = now
        call.agent_lost_at = None
        if caller_waits:       # a caller already in the conference is never pulled out of it
            self._redirect_later(session, call, "/ivr/connect")
        return self._step(Next.AGENT_CONFERENCE, call, leg)

    def conference_event(self, session: Session, req: CarrierCall, now: datetime) -> IvrStep:
        """The carrier's conference callbacks: the caller arrived, or the psychologist's leg left
        (the caller is then told and waits for them, wherever the caller is)."""
        leg = self.live.by_leg(req.leg) if req.leg else None
        call = session.get(Call, leg.call_id) if leg is not None and not leg.ended else None
        if call is None or call.state != CallState.ANSWERED.value or not req.call_sid:
            return IvrStep(Next.NOTHING)
        is_caller = req.call_sid == leg.call_sid
        if req.conference_event == "participant-join" and is_caller:
            call.bridged_at = call.bridged_at or now
        elif req.conference_event == "participant-leave" and not is_caller and call.agent_lost_at is None:
            call.agent_lost_at = now
            self.dispatcher.agent_leg_lost(session, call, now, self.settings.agent_rejoin_seconds)
            if call.bridged_at is not None:  # in case the caller waits in a conference nobody starts
                self._redirect_later(session, call, "/ivr/agent-lost")
        return IvrStep(Next.NOTHING)

    def status(self, session: Session, req: CarrierCall, now: datetime) -> IvrStep:
        """Carrier status callback: a final status closes the register entry, once."""
        leg = self.live.by_sid(req.call_sid) if req.call_sid else None
        if leg is None or leg.ended or req.call_status not in FINAL_STATUSES:
            return IvrStep(Next.NOTHING)
        call = session.get(Call, leg.call_id)
        if call is not None:
            if req.call_status == "failed":
                register.mark_failed(call)
            self.dispatcher.call_ended(session, call, now)
        self._forget_after_commit(session, leg)
        return IvrStep(Next.NOTHING)

    def _forget_after_commit(self, session: Session, leg: LiveLeg) -> None:
        after_commit(session, lambda live=self.live: live.end(leg))

    # ------------------------------------------------------------ the console

    def accept(self, session: Session, user: User, offer_id: int, now: datetime,
               device_ready: bool = True) -> tuple[Call, str | None]:
        """The psychologist answers: claim the offer, then bring their leg in (the caller follows
        once it is there: ``agent_joined``)."""
        offer = session.get(Offer, offer_id)
        call = session.get(Call, offer.call_id) if offer is not None else None
        if (offer is not None and offer.user_id == user.id and offer.state == OfferState.RINGING.value
                and call is not None and call.state == CallState.QUEUED.value
                and call.dequeued_at is None and not self._backed(call.id)):
            self.dispatcher.interrupt(session, call, now)
            raise KeptRefusal("The caller's line was lost before you answered; there is nothing to do.")
        if self.settings.carrier == "twilio" and not device_ready:
            raise DispatchError("Your browser's phone is not ready, so the call was not taken. "
                                "Check the microphone and the connection, then try again.")
        call = self.dispatcher.accept(session, user, offer_id, now)
        join = self.live.join_token(call.id)
        self._agent_later(session, call.id, join)
        return call, join if self.settings.carrier == "twilio" else None

    def rejoin(self, session: Session, user: User, call_id: str, now: datetime) -> str | None:
        """The psychologist whose line dropped comes back to the same caller."""
        call = session.get(Call, call_id)
        if call is None or call.agent_id != user.id or call.state != CallState.ANSWERED.value:
            raise DispatchError("This call is no longer yours to rejoin.")
        join = self.live.join_token(call.id)
        self._agent_later(session, call.id, join)
        return join if self.settings.carrier == "twilio" else None

    def hang_up(self, session: Session, user: User, call_id: str, now: datetime) -> Call:
        """The psychologist ends the call: closed in the register at once, then at the carrier,
        and the carrier's call id is forgotten either way."""
        call = self.dispatcher.hang_up(session, user, call_id, now)
        carrier, live = self.carrier, self.live

        def end() -> None:
            leg = live.by_call(call_id)
            try:
                if carrier is not None:
                    carrier.end_call(call_id)
            finally:
                if leg is not None:
                    live.end(leg)
        after_commit(session, lambda: _background(end))
        return call

    def console_state(self, session: Session, user: User, now: datetime) -> list[tuple[str, dict]]:
        """What a console that (re)connects must be told about the call its person is on, so a
        reload never hides the call, the Rejoin button or the contact record."""
        row = session.get(AgentPresence, user.id)
        if row is None or not row.call_id or row.state not in (AgentState.ON_CALL.value,
                                                               AgentState.WRAP_UP.value):
            return []
        call = session.get(Call, row.call_id)
        if call is None or (row.state == AgentState.ON_CALL.value and call.state != CallState.ANSWERED.value):
            return []
        events = [("call_connected", call_payload(call, now))]
        if row.state == AgentState.WRAP_UP.value:
            left = self.settings.wrap_up_seconds - int((now - row.state_since).total_seconds())
            events.append(("call_ended", {"call_id": call.id, "wrap_up_seconds": max(0, left),
                                          "talk_seconds": call.talk_seconds}))
        elif call.agent_lost_at is not None:
            left = self.settings.agent_rejoin_seconds - int((now - call.agent_lost_at).total_seconds())
            events.append(("agent_leg_lost", {"call_id": call.id, "rejoin_seconds": max(0, left)}))
        elif call.bridged_at is not None:
            events.append(("caller_joined", {"call_id": call.id}))
        return events

    def _agent_later(self, session: Session, call_id: str, join: str) -> None:
        carrier = self.carrier
        if carrier is not None:
            after_commit(session, lambda: _background(carrier.connect_agent, call_id, join))

    def _redirect_later(self, session: Session, call: Call, path: str) -> None:
        carrier = self.carrier
        if carrier is None:
            return
        query = urlencode({k: v for k, v in (("lang", call.language), ("type", call.caller_type),
                                             ("urgent", "1" if call.is_urgent else None)) if v})
        target = f"{path}?{query}" if query else path
        after_commit(session, lambda: _background(carrier.redirect, call.id, target))

    def _backed(self, call_id: str) -> bool:
        known = self.live.known_calls([call_id])
        return known is None or call_id in known

    # ------------------------------------------------------------ failures and housekeeping

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
                           dialled_line=try_normalise(req.to_number), centre_id=None,
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

    def _help(self, call: Call | None, key: str) -> IvrStep:
        return IvrStep(Next.HELP_AND_HANG_UP, language=call.language if call else None,
                       languages=_languages(call) if call else ("kk", "ru"), help=key)


class KeptRefusal(DispatchError):
    """A refusal whose changes (e.g. a ghost closed) are still committed."""

    keep_changes = True


def _languages(call: Call | None) -> tuple[str, ...]:
    return tuple(call.centre.language_list) if call is not None and call.centre else ("kk", "ru")


def _queue_name(call: Call) -> str:
    return f"centre-{call.centre_id or 'national'}"


def _background(fn, *args) -> None:
    """Run a carrier request off the request thread: a slow carrier never blocks a handler.
    Failures are logged; the hold loop and the bridge watchdog recover from them."""
    def run() -> None:
        try:
            fn(*args)
        except CarrierError as exc:
            logger.warning("Carrier request failed: %s", exc)
        except Exception:
            logger.exception("Carrier request failed")
    threading.Thread(target=run, name="carrier-request", daemon=True).start()
