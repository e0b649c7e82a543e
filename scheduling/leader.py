"""One active scheduler per deployment, with standbys that take over.

``helpline scheduler`` is started twice (two machines, or two units on one). Each instance takes
the *scheduler lock* before it runs any job; the one that holds it is active, the others wait as
standby and try again every second. The lock is never held by two processes:

- PostgreSQL: a session-level advisory lock on a dedicated connection. The server releases it
  the moment that connection dies (the process killed, the machine gone), so a standby takes
  over within a second or two.
- Redis (SQLite with ``REDIS_URL``): ``SET NX PX`` with a random token, renewed every 2 s for
  6 s at a time; a killed holder's key expires within 6 s. A holder that cannot renew stops
  running jobs before its key could expire, so it never overlaps the next holder.
- SQLite alone (one machine): an exclusive ``flock`` on a file in the instance folder, released
  by the kernel when the process ends.

Losing the lock while active stops the process (exit status 75): its service manager restarts it
as a standby.
"""

from __future__ import annotations

import fcntl
import logging
import os
import secrets
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from prometheus_client import Gauge

logger = logging.getLogger(__name__)

#: 1 while this process is the active scheduler, 0 while standby.
ACTIVE = Gauge("senim_scheduler_active", "1 when this scheduler holds the lock and runs the jobs.",
               registry=None)

#: Seconds between a standby's attempts, and between an active scheduler's renewals.
POLL_SECONDS = 1.0
#: A Redis lock lives this long unless renewed (a killed holder is replaced within it).
REDIS_TTL_MS = 6000
REDIS_KEY = "senim:scheduler:lock"
#: PostgreSQL advisory lock key: fixed, so every instance of the deployment contends for it.
PG_LOCK_KEY = 0x5E41_5C4E_D0
#: Exit status of an active scheduler that lost its lock (EX_TEMPFAIL: restart me).
LOST_LOCK_EXIT = 75


class SchedulerLock(Protocol):
    name: str

    def try_acquire(self) -> bool:
        """Take the lock if free; True when this process now holds it."""

    def still_held(self) -> bool:
        """Renew/confirm; False as soon as this process may no longer be the only holder."""

    def release(self) -> None: ...


class PostgresAdvisoryLock:
    name = "postgresql advisory lock"

    def __init__(self, url: str) -> None:
        from sqlalchemy import create_engine
        from sqlalchemy.pool import NullPool

        self._engine = create_engine(url, poolclass=NullPool,
                                     connect_args={"connect_timeout": 3, "keepalives": 1,
                                                   "keepalives_idle": 5, "keepalives_interval": 2,
                                                   "keepalives_count": 2})
        self._connection = None

    def _query(self, sql: str):
        from sqlalchemy import text

        return self._connection.execute(text(sql), {"key": PG_LOCK_KEY}).scalar()

    def try_acquire(self) -> bool:
        from sqlalchemy.exc import SQLAlchemyError

        try:
            if self._connection is None:
                self._connection = self._engine.connect().execution_options(
                    isolation_level="AUTOCOMMIT")
            if self._query("SELECT pg_try_advisory_lock(:key)"):
                return True
        except SQLAlchemyError as exc:
            logger.warning("Scheduler lock: database unreachable (%s)", type(exc).__name__)
            self._drop()
        return False

    def still_held(self) -> bool:
        from sqlalchemy.exc import SQLAlchemyError

        try:   # the lock lives as long as this connection: it is ours if the connection answers
            return bool(self._query("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                                    "AND granted AND pid = pg_backend_pid()"))
        except SQLAlchemyError:
            self._drop()
            return False

    def _drop(self) -> None:
        if self._connection is not None:
            try:
                self._connection.invalidate()
            except Exception:  # noqa: BLE001,S110  (already broken)
                pass
            self._connection = None

    def release(self) -> None:
        if self._connection is not None:
            self._connection.close()     # ends the session: the server releases the lock
            self._connection = None
        self._engine.dispose()


class RedisLock:
    name = "redis lock"

    _RENEW = ("if redis.call('get', KEYS[1]) == ARGV[1] then "
              "return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end")
    _RELEASE = ("if redis.call('get', KEYS[1]) == ARGV[1] then "
                "return redis.call('del', KEYS[1]) else return 0 end")

    def __init__(self, url: str, ttl_ms: int = REDIS_TTL_MS, monotonic=time.monotonic) -> None:
        import redis

        self._client = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self._token = secrets.token_hex(16)
        self._ttl_ms = ttl_ms
        self._monotonic = monotonic
        self._renewed_at = 0.0

    def try_acquire(self) -> bool:
        from redis.exceptions import RedisError

        started = self._monotonic()
        try:
            taken = bool(self._client.set(REDIS_KEY, self._token, nx=True, px=self._ttl_ms))
        except RedisError as exc:
            logger.warning("Scheduler lock: Redis unreachable (%s)", type(exc).__name__)
            return False
        if taken:
            self._renewed_at = started
        return taken

    def still_held(self) -> bool:
        from redis.exceptions import RedisError

        started = self._monotonic()
        try:
            if self._client.eval(self._RENEW, 1, REDIS_KEY, self._token, self._ttl_ms):
                self._renewed_at = started
                return True
            return False          # expired and maybe taken by another: stop now
        except RedisError:
            # unknown: ours until the key could have expired, with a margin for clock drift
            return started - self._renewed_at < self._ttl_ms / 1000 * 0.6

    def release(self) -> None:
        from redis.exceptions import RedisError

        try:
            self._client.eval(self._RELEASE, 1, REDIS_KEY, self._token)
        except RedisError:
            pass                  # it expires by itself


class FileLock:
    name = "file lock"

    def __init__(self, path: Path) -> None:
        self._path = path
        self._fd: int | None = None

    def try_acquire(self) -> bool:
        self._fd = self._fd if self._fd is not None else os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False

    def still_held(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def lock_for(settings) -> SchedulerLock:
    """PostgreSQL's advisory lock on PostgreSQL; else Redis when configured; else a file lock."""
    if settings.database_url.startswith("postgresql"):
        return PostgresAdvisoryLock(settings.database_url)
    if settings.redis_url:
        return RedisLock(settings.redis_url)
    return FileLock(Path(settings.helpline_instance_path) / "scheduler.lock")


class LostLock(RuntimeError):
    """The active scheduler can no longer be sure it is the only one."""


def run_exclusively(lock: SchedulerLock, start: Callable[[], object], echo=print,
                    sleep=time.sleep) -> None:
    """Wait as standby until ``lock`` is ours, ``start`` the scheduler, keep the lock; stop the
    scheduler (and raise ``LostLock``) the moment it may be lost. SIGTERM releases it at once."""

    def stop(_signum, _frame):
        raise SystemExit(0)

    main = threading.current_thread() is threading.main_thread()   # else the process's own
    previous = signal.signal(signal.SIGTERM, stop) if main else None
    scheduler = None
    try:
        announced = False
        while not lock.try_acquire():
            if not announced:
                echo(f"Scheduler standby: another scheduler holds the {lock.name}; waiting.")
                announced = True
            sleep(POLL_SECONDS)
        echo(f"Scheduler active (holds the {lock.name}).")
        ACTIVE.set(1)
        scheduler = start()
        while True:
            sleep(POLL_SECONDS)
            if not lock.still_held():
                logger.error("Scheduler lock lost: stopping every job")
                scheduler.shutdown(wait=False)
                scheduler = None
                raise LostLock(f"The {lock.name} was lost; restart as standby.")
    finally:
        ACTIVE.set(0)
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        lock.release()
        if main:
            signal.signal(signal.SIGTERM, previous)


def schedule_in_background(app, echo=print) -> threading.Thread:
    """The scheduler of ``helpline run`` (one process serving and scheduling): the same lock
    as ``helpline scheduler``, taken in a thread, so a ``helpline scheduler`` already running
    keeps the jobs and this one waits as its standby; a lost lock makes it standby again.
    Returns once the first attempt is over (the start-up reconciliation run, or standby)."""
    from scheduling.jobs import start_scheduler

    first_attempt = threading.Event()

    def start():
        try:
            return start_scheduler(app)
        finally:
            first_attempt.set()

    def tell(message: str) -> None:
        echo(message)
        if "standby" in message:
            first_attempt.set()

    def keep_scheduling() -> None:
        settings = app.extensions["helpline"].settings
        while True:
            try:
                run_exclusively(lock_for(settings), start, echo=tell)
            except LostLock as exc:
                logger.error("%s", exc)
            except Exception:   # the lock's store is unreachable: try again as standby
                logger.exception("Scheduler stopped; waiting for the lock again")
                first_attempt.set()
                time.sleep(POLL_SECONDS)

    thread = threading.Thread(target=keep_scheduling, name="scheduler-lock", daemon=True)
    thread.start()
    first_attempt.wait(timeout=60)
    return thread
