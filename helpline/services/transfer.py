"""Cold transfer: a psychologist passes the caller to another centre's queue.

The caller keeps their caller type and urgency (and the language chosen for the other centre)
and is not put behind new calls: like a caller whose psychologist's line dropped, they wait at
the head of the other centre's queue (urgent calls still first), with the wait budget of what
they had waited before.  The register entry stays one entry: it moves to the other centre,
counts the transfer and keeps who passed it on (``call_staff``).  The first psychologist goes
to wrap-up with the contact record.

The move is committed first; only then is the caller's leg redirected to ``/ivr/transfer``,
where they hear that they are being put through and join the other centre's queue, under its
normal rules (national backup after its maximum wait, the help numbers when nobody can answer).
The first psychologist is told the caller went only once the carrier took the redirect.  If it
did not, the move is undone in a second unit of work (the call is hers again, at her centre, the
transfer count restored, audited ``call.transfer_failed``) and she is told in words that the
transfer did not happen and the caller is still with her.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline.carrier.control import CarrierError
from helpline.events import ALL_SUPERVISORS, agent_room, publish, supervisors_room
from helpline.models import AgentPresence, AgentState, Call, CallState, Centre, Offer, OfferState, Part, User
from helpline.services import audit, call_staff
from helpline.services import calls as register
from helpline.services.lifecycle import CallLifecycle, CarrierCall, IvrStep, Next
from helpline.uow import unit_of_work

logger = logging.getLogger(__name__)


class TransferRefused(ValueError):
    """The transfer cannot be done; ``code`` names why for the view's words."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Moved:
    """A committed move, with what the call was before it (to undo it if the carrier refuses)."""

    call_id: str
    by_id: int
    centre_name: str
    talk_seconds: int
    before: dict
    accepted: tuple[int, ...]


_KEPT = ("centre_id", "language", "state", "queued_at", "dequeued_at", "agent_id", "agent_joined_at",
         "bridged_at", "agent_lost_at", "transfer_count")


def choices(session: Session, call: Call) -> list[dict]:
    """The centres the caller may be passed to, with the languages each one answers in."""
    centres = session.scalars(select(Centre).where(Centre.id != call.centre_id).order_by(Centre.name))
    return [{"id": c.id, "name": c.name, "languages": c.language_list} for c in centres]


def cold_transfer(session: Session, lifecycle: CallLifecycle, call: Call, by: User, centre: Centre,
                  language: str, now: datetime) -> Moved:
    """Pass ``by``'s caller to ``centre``'s queue in ``language`` (see the module docstring);
    ``put_through`` then moves the caller's leg, once this is committed."""
    if call.state != CallState.ANSWERED.value or call.agent_id != by.id:
        raise TransferRefused("not_on_call")
    if call.bridged_at is None:
        raise TransferRefused("not_connected")
    if centre.id == call.centre_id:
        raise TransferRefused("same_centre")
    if language not in centre.language_list:
        raise TransferRefused("language")
    from_centre = call.centre_id
    before = {name: getattr(call, name) for name in _KEPT}
    accepted = []
    for offer in session.scalars(select(Offer).where(
            Offer.call_id == call.id, Offer.state == OfferState.ACCEPTED.value)):
        offer.state = OfferState.FAILED.value      # the accepted answer has ended: not a bridge to wait for
        accepted.append(offer.id)
    call_staff.note(session, call.id, by.id, Part.TRANSFERRED, now)
    call.transfer_count += 1
    call.language = language
    call.centre_id, call.centre = centre.id, centre
    register.return_to_queue(session, call, now)   # at the head of the other centre's queue
    row = session.get(AgentPresence, by.id)
    if row is not None and row.call_id == call.id:
        lifecycle.dispatcher._set(session, row, AgentState.WRAP_UP, now)
    publish(session, lifecycle.dispatcher.publisher, "board_changed", {},
            *sorted({supervisors_room(from_centre), supervisors_room(centre.id), ALL_SUPERVISORS}))
    audit.record(session, now, "call.transfer", by, "call", call.id,
                 detail=f"from centre {from_centre} to centre {centre.id}, language {language}")
    return Moved(call.id, by.id, centre.name, register.waited_seconds_since(call.answered_at, now),
                 before, tuple(accepted))


def put_through(session: Session, lifecycle: CallLifecycle, moved: Moved, now: datetime) -> None:
    """Redirect the caller's leg to the other centre (after ``cold_transfer`` committed).  If the
    carrier did not, undo the move in a unit of work of its own and raise
    ``TransferRefused("carrier")``: the caller is still with the first psychologist."""
    publisher, room = lifecycle.dispatcher.publisher, agent_room(moved.by_id)
    call = session.get(Call, moved.call_id)
    if lifecycle.carrier is not None and call is not None:
        heard = moved.before["language"]       # she hears of the transfer in the language she chose
        query = urlencode({k: v for k, v in (("lang", call.language), ("type", call.caller_type),
                                             ("urgent", "1" if call.is_urgent else None),
                                             ("heard", heard if heard != call.language else None)) if v})
        try:
            lifecycle.carrier.redirect(moved.call_id, f"/ivr/transfer?{query}")
        except CarrierError as exc:            # the caller is still in the first conversation
            logger.error("The caller could not be passed to another centre: %s", exc)
            with unit_of_work(session):
                undone = _undo(session, lifecycle, moved, now)
            if undone:
                raise TransferRefused("carrier") from None
    publisher.emit("call_ended", {"call_id": moved.call_id, "reason": "transferred",
                                  "wrap_up_seconds": lifecycle.settings.wrap_up_seconds,
                                  "talk_seconds": moved.talk_seconds, "centre": moved.centre_name}, room)


def _undo(session: Session, lifecycle: CallLifecycle, moved: Moved, now: datetime) -> bool:
    """The call back with the first psychologist, as before the move; False when the caller is no
    longer waiting (they hung up meanwhile, or someone else took them): nothing to undo."""
    call = session.get(Call, moved.call_id, populate_existing=True)
    still_moved = call is not None and call.transfer_count == moved.before["transfer_count"] + 1
    if not still_moved or call.state != CallState.QUEUED.value:
        return False
    moved_to = call.centre_id
    lifecycle.dispatcher.call_left_queue(session, call, now, reason="transfer_failed")
    for name, value in moved.before.items():
        setattr(call, name, value)
    call.centre = session.get(Centre, call.centre_id)
    for offer_id in moved.accepted:
        session.get(Offer, offer_id).state = OfferState.ACCEPTED.value
    row = session.get(AgentPresence, moved.by_id)
    if row is not None and row.call_id == call.id:
        lifecycle.dispatcher._set(session, row, AgentState.ON_CALL, now)
    audit.record(session, now, "call.transfer_failed", session.get(User, moved.by_id), "call", call.id,
                 detail=f"stayed at centre {call.centre_id}, not moved to centre {moved_to}")
    publish(session, lifecycle.dispatcher.publisher, "transfer_failed", {"call_id": call.id},
            agent_room(moved.by_id))
    publish(session, lifecycle.dispatcher.publisher, "board_changed", {},
            *sorted({supervisors_room(moved_to), supervisors_room(call.centre_id), ALL_SUPERVISORS}))
    return True


def caller_arrives(lifecycle: CallLifecycle, session: Session, req: CarrierCall, now: datetime) -> IvrStep:
    """``/ivr/transfer``: the caller hears that they are being put through to another centre's
    psychologist (in the language she chose, ``heard``, when the other centre answers in another),
    and waits in its queue (or, if someone there answered already, joins them)."""
    step = lifecycle.connect(session, req, now)
    if step.next is Next.ENQUEUE:
        return IvrStep(**{**step.__dict__, "preface": "transferred", "preface_language": req.heard})
    return step
