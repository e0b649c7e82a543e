"""How long the current user of a database connection waits for a lock: one setting on the
connection, whatever the back-end. Each back-end's own mechanism reads it just before the
connection's next statement (``sqlite_writes`` for SQLite's write turn and busy timeout,
``pg_deadlines`` for PostgreSQL's lock and statement timeouts); each checkout starts from the
back-end's default."""

from __future__ import annotations

#: Milliseconds the connection's current user waits for a lock.
WAIT_MS = "helpline_wait_ms"


def set_wait(connection, milliseconds: int) -> None:
    """How long ``connection`` (a SQLAlchemy connection) waits for a lock until it goes back to
    the pool (e.g. a webhook's short deadline)."""
    connection.info[WAIT_MS] = int(milliseconds)
