"""The call's lifecycle, connected: the caller joins the psychologist's conference, waits for a
psychologist whose line dropped, and the carrier's conference and status callbacks."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from helpline.carrier.control import COLLEAGUE_LABEL, SUPERVISOR_LABEL
from helpline.events import after_commit, agent_room, publish
from helpline.live import LiveLeg
from helpline.models import Call, CallState
from helpline.services import calls as register
from helpline.services import warm_transfer
from helpline.services.ivr_step import FINAL_STATUSES, CarrierCall, IvrStep, Next


class Bridging:
    """Mixed into ``CallLifecycle``: the steps once a psychologist has answered."""

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
            return IvrStep(Next.GOODBYE, language=call.language, languages=self._languages(call))
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
        (the caller is then told and waits for them, wherever the caller is). A supervisor's
        leg coming or going changes nothing."""
        leg = self.live.by_leg(req.leg) if req.leg else None
        call = session.get(Call, leg.call_id) if leg is not None and not leg.ended else None
        if call is None or call.state != CallState.ANSWERED.value or not req.call_sid:
            return IvrStep(Next.NOTHING)
        is_caller = req.call_sid == leg.call_sid
        if req.conference_event == "participant-leave" and not is_caller and warm_transfer.participant_left(
                session, self, call, req.participant_label, now):
            return IvrStep(Next.NOTHING)     # a warm transfer's colleague, or the one who handed over
        if req.conference_event == "participant-join" and req.participant_label.startswith(COLLEAGUE_LABEL):
            warm_transfer.colleague_answered(session, call, req.participant_label, now)
            return IvrStep(Next.NOTHING)     # the colleague of a consultation answered
        if req.participant_label.startswith(SUPERVISOR_LABEL):
            return IvrStep(Next.NOTHING)     # a supervisor came or went: the conversation goes on
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
            warm_transfer.call_over(session, self, call, now)
        self._forget_after_commit(session, leg)
        return IvrStep(Next.NOTHING)

    def _forget_after_commit(self, session: Session, leg: LiveLeg) -> None:
        after_commit(session, lambda live=self.live: live.end(leg))

