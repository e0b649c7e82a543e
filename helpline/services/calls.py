"""Operations on the anonymous register. They flush; the caller of the unit of work commits.

Nothing here ever receives the caller's number or the carrier's call id: the IVR keeps those
in the live-call store only while the call lasts.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, func, insert, or_, select
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from helpline.models import Call, CallState, Centre, Outcome
from helpline.models.call import STATE_ORDER


def new_call_id() -> str:
    """An opaque, random register id."""
    return secrets.token_hex(16)


def register_call(
    session: Session,
    *,
    centre: Centre | None = None,
    centre_id: int | None = None,
    dialled_line: str | None,
    now: datetime,
    caller_token: str | None = None,
    call_id: str | None = None,
    resumed: bool = False,
) -> Call:
    """Open the register entry of a call that just reached the IVR (``resumed``: one that goes
    on after the line lost track of it); its centre as a row, or by id only.

    One ``INSERT`` on the session's connection (every call starts here, so it skips the ORM's
    flush and execute); the row is then in the session as if just read, every column known, so
    later changes are plain ``UPDATE``s."""
    values = dict.fromkeys(_CALL_COLUMNS)
    values.update(
        id=call_id or new_call_id(),
        is_resumed=resumed,
        centre_id=centre.id if centre else centre_id,
        last_activity_at=now,
        dialled_line=dialled_line,
        state=CallState.IN_MENU.value,
        started_at=now,
        is_urgent=False,
        menu_path="",
        caller_token=caller_token,
        transfer_count=0,
    )
    session.connection().execute(_INSERT_CALL, values)     # nothing to flush first: a new call
    call = Call(**values)
    make_transient_to_detached(call)
    session.add(call)
    if centre is not None:       # else the centre is loaded on first use, as for a row read
        set_committed_value(call, "centre", centre)
    return call


_CALL_COLUMNS = tuple(column.key for column in Call.__table__.columns)
_INSERT_CALL = insert(Call.__table__)


def advance(call: Call, state: CallState) -> bool:
    """Move ``call`` to ``state`` if that is forward; returns whether it moved."""
    if STATE_ORDER[state] <= STATE_ORDER[CallState(call.state)]:
        return False
    call.state = state.value
    return True


def note_menu_step(call: Call, step: str, attempt: int, value: str) -> None:
    """Append ``step:value`` to the menu path once per attempt (retried webhooks add nothing)."""
    token = f"{step}#{attempt}:{value}"
    steps = call.menu_path.split() if call.menu_path else []
    if token in steps:
        return
    steps.append(token)
    call.menu_path = " ".join(steps)[-500:]


def enqueue(call: Call, now: datetime) -> bool:
    """Put the call in its centre's queue (once); returns whether it entered now."""
    if advance(call, CallState.QUEUED):
        call.queued_at = now
        return True
    return False


def return_to_queue(session: Session, call: Call, now: datetime) -> None:
    """An answered caller who could not be (or stay) connected waits again, at the head of the
    queue, with the wait budget of what they had waited before.  The one step back that a
    call's state may take."""
    first_waiting = session.scalar(select(func.min(Call.queued_at)).where(
        Call.state == CallState.QUEUED.value, Call.dequeued_at.is_(None),
        Call.centre_id.is_(None) if call.centre_id is None else Call.centre_id == call.centre_id))
    queued_at = now - timedelta(seconds=call.wait_seconds or 0)
    if first_waiting is not None:
        queued_at = min(queued_at, first_waiting - timedelta(seconds=1))
    call.state = CallState.QUEUED.value
    call.queued_at = queued_at
    call.dequeued_at = None
    call.agent_id = None
    call.agent_joined_at = None
    call.bridged_at = None
    call.agent_lost_at = None


def queue_position(session: Session, call: Call) -> tuple[int, int]:
    """(position of ``call``, calls waiting) in its centre's queue: urgent first, then arrival."""
    statement = _QUEUE_POSITION[call.is_urgent, call.centre_id is None]
    size, ahead = session.execute(statement, {"centre_id": call.centre_id, "is_urgent": call.is_urgent,
                                              "queued_at": call.queued_at}).one()
    return (ahead or 0) + 1, max(size or 0, (ahead or 0) + 1)


def _queue_position(urgent: bool, no_centre: bool):
    """(calls waiting, calls ahead) in a centre's queue, built once per kind of call (every hold
    loop asks it)."""
    waiting = (
        Call.state == CallState.QUEUED.value,
        Call.dequeued_at.is_(None),
        Call.centre_id.is_(None) if no_centre else Call.centre_id == bindparam("centre_id"),
    )
    earlier = and_(Call.is_urgent == bindparam("is_urgent"), Call.queued_at < bindparam("queued_at"))
    ahead_rule = earlier if urgent else or_(Call.is_urgent.is_(True), earlier)
    return select(func.count(), func.count().filter(ahead_rule)).where(*waiting)


_QUEUE_POSITION = {(urgent, no_centre): _queue_position(urgent, no_centre)
                   for urgent in (False, True) for no_centre in (False, True)}


def waited_seconds(call: Call, now: datetime) -> int:
    return waited_seconds_since(call.queued_at, now)


def waited_seconds_since(since: datetime | None, now: datetime) -> int:
    """Whole seconds from ``since`` to ``now`` (0 when ``since`` is unknown)."""
    return 0 if since is None else max(0, int((now - since).total_seconds()))


def leave_queue(call: Call, now: datetime, outcome: Outcome | None = None) -> None:
    """The caller left the queue (gave up, timed out); set the wait and, if known, the outcome."""
    if call.queued_at is None or call.dequeued_at is not None:
        return
    call.dequeued_at = now
    call.wait_seconds = waited_seconds(call, now)
    if outcome is not None and call.outcome is None:
        call.outcome = outcome.value


def finish(call: Call, now: datetime, failed: bool = False) -> None:
    """The call ended: close the register entry with times and an outcome (once)."""
    if call.state == CallState.ENDED.value:
        return
    if call.state == CallState.QUEUED.value:
        leave_queue(call, now)
    if call.outcome is None:
        call.outcome = _outcome_at_end(call, failed).value
    if call.answered_at is not None:
        call.talk_seconds = max(0, int((now - call.answered_at).total_seconds()))
    call.ended_at = max(now, call.started_at)
    advance(call, CallState.ENDED)


def interrupt(call: Call, now: datetime) -> None:
    """The line lost track of the call and nothing backs it any more: close it as interrupted."""
    if call.state == CallState.ENDED.value:
        return
    if call.outcome is None:
        call.outcome = Outcome.INTERRUPTED.value
    finish(call, now)


def _outcome_at_end(call: Call, failed: bool) -> Outcome:
    if failed:
        return Outcome.FAILED
    if call.answered_at is not None:
        return Outcome.ANSWERED
    if call.queued_at is not None:
        return Outcome.ABANDONED_IN_QUEUE
    return Outcome.ABANDONED_IN_MENU


def mark_failed(call: Call) -> None:
    """A handler failed on this call: the register says so unless it already has an outcome."""
    if call.outcome is None:
        call.outcome = Outcome.FAILED.value
