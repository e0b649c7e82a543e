"""Publish after commit: work queued during a unit of work runs only once it commits.

Services call ``after_commit(session, fn)`` (or ``publish``); nothing queued runs if the unit
of work rolls back, so a call that was never registered never flashes on a console.

Each queued action remembers the transaction it was queued in.  Rolling back a SAVEPOINT (or
the inner transaction of a failed flush) drops only what was queued inside it; the rest waits
for the outermost commit.  SQLAlchemy fires ``after_soft_rollback`` for those inner rollbacks
too, so dropping everything there would lose the offers that other savepoints of the same
routing pass made.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from typing import Protocol

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction, scoped_session

logger = logging.getLogger(__name__)

_KEY = "helpline.after_commit"

#: Socket.IO namespace of the console and supervisor views.
NAMESPACE = "/console"


def agent_room(user_id: int) -> str:
    return f"agent:{user_id}"


def supervisors_room(centre_id: int | None) -> str:
    return f"supervisors:{centre_id if centre_id is not None else 'all'}"


ALL_SUPERVISORS = "supervisors:all"


class Publisher(Protocol):
    def emit(self, event: str, payload: dict, room: str) -> None: ...


class SocketIOPublisher:
    """Emits through Flask-SocketIO (across processes when it has a Redis message queue)."""

    def __init__(self, socketio) -> None:
        self._socketio = socketio

    def emit(self, event: str, payload: dict, room: str) -> None:
        self._socketio.emit(event, payload, to=room, namespace=NAMESPACE)


class BackgroundPublisher:
    """Hands every event to one background thread, in order: publishing through a Redis
    message queue that is slow or down never delays a webhook or a console reply."""

    def __init__(self, inner: Publisher, limit: int = 10000) -> None:
        self._inner = inner
        self._queue: queue.Queue = queue.Queue(maxsize=limit)
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def emit(self, event: str, payload: dict, room: str) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._work, name="publisher", daemon=True)
                self._thread.start()
        try:
            self._queue.put_nowait((event, payload, room))
        except queue.Full:
            logger.error("Console events are not getting out; dropped one (%s)", event)

    def _work(self) -> None:
        while True:
            event, payload, room = self._queue.get()
            try:
                self._inner.emit(event, payload, room)
            except Exception:
                logger.exception("Could not publish a console event")
            finally:
                self._queue.task_done()

class RecordingPublisher:
    """Keeps what was published (tests, benchmarks)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict, str]] = []

    def emit(self, event: str, payload: dict, room: str) -> None:
        self.sent.append((event, payload, room))


def _innermost(session: Session) -> SessionTransaction | None:
    if isinstance(session, scoped_session):
        session = session()
    return session.get_nested_transaction() or session.get_transaction()


def after_commit(session: Session, fn: Callable[[], None]) -> None:
    """Run ``fn`` once the outermost transaction commits (never if it, or the savepoint
    ``fn`` was queued in, rolls back)."""
    session.info.setdefault(_KEY, []).append((_innermost(session), fn))


def publish(session: Session, publisher: Publisher, event: str, payload: dict, *rooms: str) -> None:
    for room in rooms:
        after_commit(session, lambda room=room: publisher.emit(event, payload, room))


def _run(session: Session) -> None:
    queued = session.info.pop(_KEY, [])
    for _transaction, fn in queued:
        try:
            fn()
        except Exception:
            logger.exception("A post-commit action failed")


def _within(transaction: SessionTransaction | None, ended: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is ended:
            return True
        transaction = transaction.parent
    return False


def _drop(session: Session, previous_transaction: SessionTransaction) -> None:
    queued = session.info.get(_KEY)
    if not queued:
        return
    if previous_transaction.parent is None:       # the unit of work itself rolled back
        session.info.pop(_KEY, None)
        return
    session.info[_KEY] = [(t, fn) for t, fn in queued if not _within(t, previous_transaction)]


def install(session_class: type[Session]) -> None:
    if not event.contains(session_class, "after_commit", _run):
        event.listen(session_class, "after_commit", _run)
        event.listen(session_class, "after_soft_rollback", _drop)
