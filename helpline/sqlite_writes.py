"""SQLite writers of one process take turns in Python instead of in SQLite's busy handler.

SQLite lets one connection write at a time. The others wait in its busy handler, which sleeps
1, 2, 5 … 100 ms between tries: under a burst of webhooks (and the scheduler's routing tick)
the waiters keep missing the moment the lock is free, a webhook waits hundreds of milliseconds
and, past its short database deadline, answers the caller without the database. Here a
connection's first write statement of a transaction waits for the process's *write turn* (woken
the moment the writer before it commits or rolls back), at most as long as the connection's busy
timeout; SQLite's own handler still orders writers of different processes.

The busy timeout a connection wants (the default, or a webhook's short one) is handed to SQLite
just before its next statement, and only when it differs from what that connection has already:
checking a connection out and shortening a webhook's wait cost no statement of their own.
"""

from __future__ import annotations

import re
import threading

from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from helpline.db_wait import WAIT_MS

#: Statements that take SQLite's write lock.
WRITE = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)
HOLDS = "helpline_write_turn"
#: The busy timeout SQLite has for the connection now.
APPLIED_MS = "helpline_busy_timeout_applied_ms"


class WriteTurns:
    def __init__(self, default_wait_ms: int) -> None:
        self._lock = threading.Lock()
        self._holder: int | None = None       # the thread whose connection writes now
        self.default_wait_ms = default_wait_ms

    def install(self, engine) -> None:
        event.listen(engine, "before_cursor_execute", self._before_execute)
        for name in ("commit", "rollback"):
            event.listen(engine, name, self._release_connection)
        pool = engine.pool
        event.listen(pool, "checkout", self._checked_out)
        event.listen(pool, "reset", self._reset)
        event.listen(pool, "invalidate", self._invalidated)
        for name in ("close", "checkin"):
            event.listen(pool, name, self._released)

    def _before_execute(self, conn, cursor, statement, _parameters, _context, _executemany):
        wanted = conn.info.get(WAIT_MS, self.default_wait_ms)
        if conn.info.get(APPLIED_MS) != wanted:
            cursor.connection.execute(f"PRAGMA busy_timeout={int(wanted)}")
            conn.info[APPLIED_MS] = wanted
        if conn.info.get(HOLDS) or not WRITE.match(statement):
            return
        if self._holder == threading.get_ident():
            return    # this thread writes through another connection already: SQLite decides
        wait = conn.info.get(WAIT_MS, self.default_wait_ms) / 1000
        if not self._lock.acquire(timeout=wait):
            import sqlite3

            raise OperationalError(statement, None, sqlite3.OperationalError("database is locked"))
        self._holder = threading.get_ident()
        conn.info[HOLDS] = True

    def _checked_out(self, _dbapi_connection, record, _proxy) -> None:
        record.info[WAIT_MS] = self.default_wait_ms      # each checkout starts with the default

    def _release_connection(self, conn) -> None:
        self._release(conn.info)

    def _released(self, _dbapi_connection, record) -> None:
        if record is not None:
            self._release(record.info)

    def _reset(self, dbapi_connection, record, _reset_state) -> None:
        self._released(dbapi_connection, record)

    def _invalidated(self, dbapi_connection, record, _exception) -> None:
        self._released(dbapi_connection, record)

    def _release(self, info: dict) -> None:
        if info.pop(HOLDS, False):
            self._holder = None
            self._lock.release()

