"""What the opt-in keyed caller token is for: how often a caller called before, and blocks.

Both work on the monthly token only (``helpline.privacy.caller_token``), never on a number:
the console is told a count, a supervisor acts on a call id and the server looks the token up.
Tokens rotate with the month, so counts start again and blocks end when the key changes.
Functions flush, never commit (the unit of work does), and take ``now``.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, object_session

from helpline.models import BlockReason, Call, CallerBlock, User
from helpline.privacy import caller_token_rotates_at
from helpline.services import audit

logger = logging.getLogger(__name__)

#: Durations a supervisor chooses from.
DURATIONS = {"1h": timedelta(hours=1), "24h": timedelta(hours=24), "7d": timedelta(days=7)}
#: How far back earlier calls of the same caller are counted.
HISTORY = timedelta(days=30)
#: How far back the supervisor's view lists calls whose caller can be blocked.
RECENT = timedelta(hours=24)


class BlockError(Exception):
    """A block that cannot be made or lifted; ``code`` names why (the view words it)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def earlier_calls(session: Session, call: Call) -> int | None:
    """Calls with the same token in the 30 days before ``call`` (not counting it); None when the
    call has no token (the option is off, or the number was withheld)."""
    if not call.caller_token:
        return None
    return session.scalar(select(func.count()).select_from(Call).where(
        Call.caller_token == call.caller_token, Call.id != call.id,
        Call.started_at >= call.started_at - HISTORY, Call.started_at <= call.started_at)) or 0


def console_facts(call: Call) -> dict:
    """What a console's offer and call panels add about the caller: a count, never the token."""
    session = object_session(call)
    count = earlier_calls(session, call) if session is not None else None
    return {} if count is None else {"earlier_calls": count}


def active_block(session: Session, token: str, centre_id: int, now: datetime) -> CallerBlock | None:
    return session.scalars(select(CallerBlock).where(
        CallerBlock.caller_token == token, CallerBlock.centre_id == centre_id,
        CallerBlock.ends_at > now, CallerBlock.starts_at <= now,
        CallerBlock.lifted_at.is_(None)).limit(1)).first()


def is_blocked(session: Session, call: Call, now: datetime) -> bool:
    """Whether the caller of a new call is blocked at its centre.  Fails open: if the lookup
    fails the call goes through as usual (a call is never dropped because of a block check)."""
    if not call.caller_token or call.centre_id is None:
        return False
    try:
        with session.begin_nested():
            return active_block(session, call.caller_token, call.centre_id, now) is not None
    except Exception:
        logger.warning("Caller block lookup failed; the call goes through", exc_info=True)
        return False


def block(session: Session, user: User, call: Call, duration: str, reason: str, now: datetime,
          *, enabled: bool) -> CallerBlock:
    """Block the caller of ``call`` at its centre for ``duration`` (at the latest until the
    token's key rotates), and audit it."""
    if not enabled:
        raise BlockError("disabled")
    if duration not in DURATIONS:
        raise BlockError("duration")
    if reason not in {r.value for r in BlockReason}:
        raise BlockError("reason")
    if not call.caller_token or call.centre_id is None:
        raise BlockError("no_token")
    ends = min(now + DURATIONS[duration], caller_token_rotates_at(call.started_at))
    if ends <= now:
        raise BlockError("rotated")
    if active_block(session, call.caller_token, call.centre_id, now) is not None:
        raise BlockError("already")
    row = CallerBlock(caller_token=call.caller_token, centre_id=call.centre_id, call_id=call.id,
                      starts_at=now, ends_at=ends, reason=reason, created_by=user.id)
    session.add(row)
    session.flush()
    audit.record(session, now, "caller_block.add", user, "caller_block", row.id,
                 detail=f"call {call.id}, reason {reason}, for {duration}, until {ends.isoformat()}")
    return row


def lift(session: Session, user: User, row: CallerBlock, now: datetime) -> None:
    """End a block early, and audit it."""
    if row.lifted_at is not None or row.ends_at <= now:
        raise BlockError("ended")
    row.lifted_at = now
    row.lifted_by = user.id
    audit.record(session, now, "caller_block.lift", user, "caller_block", row.id,
                 detail=f"reason {row.reason}, was until {row.ends_at.isoformat()}")


def overview(session: Session, centre_id: int | None, now: datetime) -> dict:
    """The supervisor's block panel: recent calls whose caller can be blocked (newest first)
    and the blocks in force.  Call ids and times only; never a token."""
    calls = select(Call).where(Call.started_at >= now - RECENT, Call.caller_token.is_not(None))
    blocks = select(CallerBlock).where(CallerBlock.lifted_at.is_(None), CallerBlock.ends_at > now)
    if centre_id is not None:
        calls = calls.where(Call.centre_id == centre_id)
        blocks = blocks.where(CallerBlock.centre_id == centre_id)
    in_force = list(session.scalars(blocks.order_by(CallerBlock.ends_at)))
    blocked = {(b.caller_token, b.centre_id) for b in in_force}
    return {
        "calls": [{"call_id": c.id, "started_at": c.started_at.isoformat(), "language": c.language,
                   "caller_type": c.caller_type, "state": c.state, "outcome": c.outcome,
                   "centre": c.centre.name if c.centre else "",
                   "blocked": (c.caller_token, c.centre_id) in blocked}
                  for c in session.scalars(calls.order_by(Call.started_at.desc()).limit(30))],
        "blocks": [{"id": b.id, "starts_at": b.starts_at.isoformat(), "ends_at": b.ends_at.isoformat(),
                    "reason": b.reason, "centre_id": b.centre_id} for b in in_force],
    }
