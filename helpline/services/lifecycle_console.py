"""The call's lifecycle, from the console: the psychologist answers, rejoins, hangs up, and a
console that (re)connects is told about its call. Carrier requests run off the request thread."""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from helpline.carrier.control import CarrierError
from helpline.events import after_commit
from helpline.models import AgentPresence, AgentState, Call, CallState, Offer, OfferState, User
from helpline.services import on_the_line
from helpline.services.dispatch import DispatchError, call_payload

logger = logging.getLogger(__name__)


class ConsoleActions:
    """Mixed into ``CallLifecycle``: what the psychologist's console asks of the call."""

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
        after_commit(session, lambda: background(end))
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
        people = on_the_line.people(session, call)
        if people:                     # a supervisor listening, coaching or joined
            events.append(("on_the_line", {"call_id": call.id, "people": people}))
        return events

    def _agent_later(self, session: Session, call_id: str, join: str) -> None:
        carrier = self.carrier
        if carrier is not None:
            after_commit(session, lambda: background(carrier.connect_agent, call_id, join))

    def _redirect_later(self, session: Session, call: Call, path: str) -> None:
        carrier = self.carrier
        if carrier is None:
            return
        query = urlencode({k: v for k, v in (("lang", call.language), ("type", call.caller_type),
                                             ("urgent", "1" if call.is_urgent else None)) if v})
        target = f"{path}?{query}" if query else path
        after_commit(session, lambda: background(carrier.redirect, call.id, target))

    def _backed(self, call_id: str) -> bool:
        known = self.live.known_calls([call_id])
        return known is None or call_id in known


class KeptRefusal(DispatchError):
    """A refusal whose changes (e.g. a ghost closed) are still committed."""

    keep_changes = True



def background(fn, *args) -> None:
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
