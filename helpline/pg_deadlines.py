"""PostgreSQL: a webhook's short lock and statement timeouts, told to the server only when they
change for a connection.

A webhook must not wait long for a locked row (the caller hears something within 2 s), while a
report or a scheduler job may take as long as it needs (the server's own defaults). Setting the
webhook's limits in every webhook's transaction cost a round trip of its own, on every step of
every call. Here a connection keeps the limits it was last given (``set_config`` for the session)
and the server is told only when the next user of the connection wants others: in a web process
most checkouts are webhooks, so most webhooks send nothing extra. A ``SET`` made in a transaction
that is rolled back is undone by the server, so the connection then forgets what it has.
"""

from __future__ import annotations

from sqlalchemy import event

from helpline.db_wait import WAIT_MS

#: What the server has for this connection now (absent: a new connection, the server's defaults;
#: None: not known).
APPLIED_MS = "helpline_pg_deadline_applied_ms"
#: Set in this transaction (undone if it rolls back).
SET_IN_TRANSACTION = "helpline_pg_deadline_set_in_transaction"

_SET = ("SELECT set_config('lock_timeout', %(lock)s, false), "
        "set_config('statement_timeout', %(statement)s, false)")


def install(engine) -> None:
    if event.contains(engine, "before_cursor_execute", _before_execute):
        return
    event.listen(engine, "before_cursor_execute", _before_execute)
    event.listen(engine, "commit", _committed)
    event.listen(engine, "rollback", _rolled_back)
    event.listen(engine.pool, "checkout", _checked_out)


def _checked_out(_dbapi_connection, record, _proxy) -> None:
    record.info[WAIT_MS] = 0            # each checkout starts with the server's defaults (none)


def _before_execute(conn, cursor, _statement, _parameters, _context, _executemany) -> None:
    wanted = conn.info.get(WAIT_MS, 0)
    if conn.info.get(APPLIED_MS, 0) == wanted:
        return
    cursor.execute(_SET, {"lock": str(wanted), "statement": str(wanted * 2)})
    conn.info[APPLIED_MS] = wanted
    conn.info[SET_IN_TRANSACTION] = True


def _committed(conn) -> None:
    conn.info.pop(SET_IN_TRANSACTION, None)


def _rolled_back(conn) -> None:
    if conn.info.pop(SET_IN_TRANSACTION, False):
        conn.info[APPLIED_MS] = None        # the server went back to what it had: unknown here
