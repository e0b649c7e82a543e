"""Staff sign-in sessions kept on the server, so that they can be ended.

The browser's cookie carries a random session id; only its SHA-256 hash is stored.  A session
is live while it is not ended, has seen activity within the idle limit and is younger than the
absolute lifetime.  Every HTTP request, Socket.IO connection and Socket.IO event checks it, so a
captured cookie stops working the moment the session ends (sign-out, revocation, password
change) and an open console stops being offered calls once the person has left it.

Activity is what a person does (a page, a form, a console action).  A console's automatic
heartbeat is not activity; a call in progress is (the person is talking), and it also defers the
absolute lifetime until the call is over: a session never ends by itself mid-call.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline.events import after_commit
from helpline.models.presence import AgentPresence, AgentState
from helpline.models.staff_session import StaffSession

#: last_seen_at is written at most this often (one small UPDATE a minute per active person).
TOUCH_EVERY = timedelta(minutes=1)

#: Called with the ids of the sessions that ended, once the ending is committed (the console
#: registers one that tells those sessions' sockets and closes them).
_ended_listeners: list[Callable[[list[int]], None]] = []


def on_ended(listener: Callable[[list[int]], None]) -> None:
    if listener not in _ended_listeners:
        _ended_listeners.append(listener)


def room(session_id: int) -> str:
    """The Socket.IO room of one session's sockets."""
    return f"session:{session_id}"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start(db_session: Session, user, now: datetime) -> str:
    """A new live session for ``user``; returns the value for the cookie (never stored)."""
    token = secrets.token_urlsafe(32)
    db_session.add(StaffSession(token_hash=_hash(token), user_id=user.id, created_at=now, last_seen_at=now))
    db_session.flush()
    return token


def find(db_session: Session, token: str | None) -> StaffSession | None:
    if not token or not isinstance(token, str) or len(token) > 200:
        return None
    return db_session.scalar(select(StaffSession).where(StaffSession.token_hash == _hash(token)))


def check(db_session: Session, token: str | None, now: datetime, *, idle_minutes: int = 30,
          max_hours: float = 14, activity: bool = True) -> StaffSession | None:
    """The live session the cookie names, or None.  A session found idle or too old is ended
    here (reason ``idle`` or ``expired``), unless its person is on a call: the call counts as
    activity, and the absolute lifetime waits for it to end.  ``activity``: this request is the
    person's doing (it refreshes the idle time; a console's heartbeat is not)."""
    row = find(db_session, token)
    if row is None or row.ended_at is not None:
        return None
    idle = now - row.last_seen_at >= timedelta(minutes=idle_minutes)
    too_old = now - row.created_at >= timedelta(hours=max_hours)
    busy = (idle or too_old) and _on_call(db_session, row.user_id)
    if (idle or too_old) and not busy:
        _end_rows(db_session, [row], now, "idle" if idle else "expired")
        return None
    if (activity or busy) and now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
    return row


def _on_call(db_session: Session, user_id: int) -> bool:
    presence = db_session.get(AgentPresence, user_id)
    return presence is not None and presence.state == AgentState.ON_CALL.value


def end(db_session: Session, token: str | None, now: datetime,
        reason: str = "sign_out") -> StaffSession | None:
    """Ends the session the cookie names (if live); returns it."""
    row = find(db_session, token)
    if row is None or row.ended_at is not None:
        return None
    _end_rows(db_session, [row], now, reason)
    return row


def end_all_for_user(db_session: Session, user_id: int, now: datetime, reason: str,
                     keep: str | None = None) -> int:
    """Ends every live session of the person (password change or reset, revocation, account
    switched off), except the one whose cookie value is ``keep``; returns how many ended."""
    query = select(StaffSession).where(StaffSession.user_id == user_id, StaffSession.ended_at.is_(None))
    if keep:
        query = query.where(StaffSession.token_hash != _hash(keep))
    rows = list(db_session.scalars(query))
    _end_rows(db_session, rows, now, reason)
    return len(rows)


def live_count(db_session: Session, user_id: int) -> int:
    """Sessions of the person not yet ended (idle ones end when next checked)."""
    return len(list(db_session.scalars(select(StaffSession.id).where(
        StaffSession.user_id == user_id, StaffSession.ended_at.is_(None)))))


def _end_rows(db_session: Session, rows: list[StaffSession], now: datetime, reason: str) -> None:
    for row in rows:
        row.ended_at = now
        row.end_reason = reason[:32]
    if not rows:
        return
    db_session.flush()
    ids = [row.id for row in rows]

    def announce() -> None:
        for listener in list(_ended_listeners):
            listener(ids)
    after_commit(db_session, announce)
