"""Publish after commit: work queued during a unit of work runs only once it commits.

Services call ``after_commit(session, fn)`` (or ``publish``); nothing queued runs if the unit
of work rolls back, so a call that was never registered never flashes on a console.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol

from sqlalchemy import event
from sqlalchemy.orm import Session

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


class RecordingPublisher:
    """Keeps what was published (tests, benchmarks)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict, str]] = []

    def emit(self, event: str, payload: dict, room: str) -> None:
        self.sent.append((event, payload, room))


def after_commit(session: Session, fn: Callable[[], None]) -> None:
    session.info.setdefault(_KEY, []).append(fn)


def publish(session: Session, publisher: Publisher, event: str, payload: dict, *rooms: str) -> None:
    for room in rooms:
        after_commit(session, lambda room=room: publisher.emit(event, payload, room))


def _run(session: Session) -> None:
    pending = session.info.pop(_KEY, [])
    for fn in pending:
        try:
            fn()
        except Exception:
            logger.exception("A post-commit action failed")


def _drop(session: Session, *args) -> None:
    session.info.pop(_KEY, None)


def install(session_class: type[Session]) -> None:
    if not event.contains(session_class, "after_commit", _run):
        event.listen(session_class, "after_commit", _run)
        event.listen(session_class, "after_soft_rollback", _drop)
