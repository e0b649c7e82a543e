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
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from urllib.parse import urlencode

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline.carrier.control import CarrierError
from helpline.events import ALL_SUPERVISORS, after_commit, agent_room, publish, supervisors_room
from helpline.models import AgentPresence, AgentState, Call, CallState, Centre, Offer, OfferState, Part, User
from helpline.services import audit, call_staff
from helpline.services import calls as register
from helpline.services.lifecycle import CallLifecycle, CarrierCall, IvrStep, Next

logger = logging.getLogger(__name__)


class TransferRefused(ValueError):
    """The transfer cannot be done; ``code`` names why for the view's words."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def choices(session: Session, call: Call) -> list[dict]:
    """The centres the caller may be passed to, with the languages each one answers in."""
    centres = session.scalars(select(Centre).where(Centre.id != call.centre_id).order_by(Centre.name))
    return [{"id": c.id, "name": c.name, "languages": c.language_list} for c in centres]


def cold_transfer(session: Session, lifecycle: CallLifecycle, call: Call, by: User, centre: Centre,
                  language: str, now: datetime) -> None:
    """Pass ``by``'s caller to ``centre``'s queue in ``language`` (see the module docstring)."""
    if call.state != CallState.ANSWERED.value or call.agent_id != by.id:
        raise TransferRefused("not_on_call")
    if call.bridged_at is None:
        raise TransferRefused("not_connected")
    if centre.id == call.centre_id:
        raise TransferRefused("same_centre")
    if language not in centre.language_list:
        raise TransferRefused("language")
    from_centre = call.centre_id
    for offer in session.scalars(select(Offer).where(
            Offer.call_id == call.id, Offer.state == OfferState.ACCEPTED.value)):
        offer.state = OfferState.FAILED.value      # the accepted answer has ended: not a bridge to wait for
    call_staff.note(session, call.id, by.id, Part.TRANSFERRED, now)
    call.transfer_count += 1
    call.language = language
    call.centre_id, call.centre = centre.id, centre
    register.return_to_queue(session, call, now)   # at the head of the other centre's queue
    row = session.get(AgentPresence, by.id)
    if row is not None and row.call_id == call.id:
        lifecycle.dispatcher._set(session, row, AgentState.WRAP_UP, now)
    publish(session, lifecycle.dispatcher.publisher, "call_ended",
            {"call_id": call.id, "wrap_up_seconds": lifecycle.settings.wrap_up_seconds,
             "talk_seconds": register.waited_seconds_since(call.answered_at, now),
             "reason": "transferred", "centre": centre.name}, agent_room(by.id))
    publish(session, lifecycle.dispatcher.publisher, "board_changed", {},
            *sorted({supervisors_room(from_centre), supervisors_room(centre.id), ALL_SUPERVISORS}))
    audit.record(session, now, "call.transfer", by, "call", call.id,
                 detail=f"from centre {from_centre} to centre {centre.id}, language {language}")
    _redirect_after_commit(session, lifecycle, call, by)


def _redirect_after_commit(session: Session, lifecycle: CallLifecycle, call: Call, by: User) -> None:
    carrier, publisher = lifecycle.carrier, lifecycle.dispatcher.publisher
    call_id, room = call.id, agent_room(by.id)
    if carrier is None:
        return
    query = urlencode({k: v for k, v in (("lang", call.language), ("type", call.caller_type),
                                         ("urgent", "1" if call.is_urgent else None)) if v})

    def run() -> None:
        try:
            carrier.redirect(call_id, f"/ivr/transfer?{query}")
        except CarrierError as exc:        # the caller is still in the first conversation
            logger.error("The caller could not be passed to another centre: %s", exc)
            publisher.emit("transfer_failed", {"call_id": call_id}, room)
        except Exception:
            logger.exception("Transfer redirect failed")
            publisher.emit("transfer_failed", {"call_id": call_id}, room)
    after_commit(session, lambda: threading.Thread(target=run, name="transfer", daemon=True).start())


def caller_arrives(lifecycle: CallLifecycle, session: Session, req: CarrierCall, now: datetime) -> IvrStep:
    """``/ivr/transfer``: the caller hears that they are being put through to another centre's
    psychologist, and waits in its queue (or, if someone there answered already, joins them)."""
    step = lifecycle.connect(session, req, now)
    if step.next is Next.ENQUEUE:
        return IvrStep(**{**step.__dict__, "preface": "transferred"})
    return step
