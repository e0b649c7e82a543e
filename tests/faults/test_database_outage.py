"""Case 2: the database is locked (another connection holds ``BEGIN EXCLUSIVE`` on the SQLite
file, or an exclusive lock on every PostgreSQL table).
Every webhook answers well within 2 s with where to get help now; the call is spooled
and written to the register exactly once when the database answers again."""

from __future__ import annotations

import time
from pathlib import Path

from helpline.extensions import db
from tests.conftest import ALMATY, all_calls, played, spoken, verbs
from tests.faults.conftest import reconcile


def database_locked(backend, settings_overrides):
    return backend.locked(Path(settings_overrides["helpline_instance_path"]))


def _timed(fn):
    started = time.monotonic()
    result = fn()
    return result, time.monotonic() - started


def _spooled(settings_overrides) -> list[Path]:
    return sorted(Path(settings_overrides["helpline_instance_path"], "spool").glob("*.json"))


def test_a_call_arriving_while_the_database_is_locked_hears_help_and_is_registered_once(
        app, phone, settings_overrides, kazakh_prompts, backend):
    call = phone(ALMATY)
    with database_locked(backend, settings_overrides):
        doc, seconds = _timed(call.dial)
        assert seconds < 2.0, seconds
        said = " ".join(spoken(doc))
        # the centre's languages are not known without the database: Kazakh, then Russian
        assert played(doc)[0].startswith("/ivr/audio/kk/error-112-102-103-111-150-")
        assert "произошла ошибка" in said
        assert "112" in said and "150" in said
        assert verbs(doc)[-1] == "Hangup"
        assert len(_spooled(settings_overrides)) == 1
    assert all_calls(app) == []                                   # not yet: the database was locked
    assert reconcile(app).startswith("1 spooled calls written")
    assert reconcile(app).startswith("0 spooled calls written")      # exactly once
    (row,) = all_calls(app)
    assert (row.state, row.outcome, row.dialled_line) == ("ended", "failed", ALMATY)
    assert row.centre_id is not None and _spooled(settings_overrides) == []
    # the status callback that follows changes nothing
    call.completed()
    assert len(all_calls(app)) == 1


def test_a_menu_step_during_a_lock_gives_help_and_closes_the_call_once(app, phone, settings_overrides,
                                                                       backend):
    call = phone(ALMATY)
    call.dial()
    with database_locked(backend, settings_overrides):
        doc, seconds = _timed(lambda: call.press("3"))
        assert seconds < 2.0 and verbs(doc)[-1] == "Hangup"
    reconcile(app)
    (row,) = all_calls(app)
    assert (row.state, row.outcome) == ("ended", "failed")


def test_a_waiting_caller_keeps_waiting_through_a_lock(app, phone, settings_overrides, backend,
                                                     clock):
    call = phone(ALMATY)
    call.dial()
    call.press("3")
    call.press("1")
    clock.advance(seconds=5)     # the hold loop has the call's activity to write (SQLite's
    with database_locked(backend, settings_overrides):   # write-ahead log lets readers read)
        hold, seconds = _timed(call.wait)
        assert seconds < 2.0
        assert verbs(hold)[-1] == "Play"                           # hold music goes on
        assert "112" in " ".join(spoken(hold))                     # with where to get help now
    hold = call.wait()
    assert "number 1 in line" in " ".join(spoken(hold))
    (row,) = all_calls(app)
    assert row.state == "queued" and row.outcome is None


def test_work_after_webhooks_waits_as_long_as_the_database_allows(app, phone):
    """A webhook's short deadline stays with the webhook: whoever uses its connection next (a
    report, a console, a job) has the database's own limits again."""
    from sqlalchemy import text

    from helpline import SQLITE_BUSY_TIMEOUT_MS

    call = phone(ALMATY)
    call.dial()
    call.press("3")
    call.press("1")
    call.wait()
    with app.app_context():
        pooled = max(1, db.engine.pool.checkedin())
        for _ in range(pooled):             # each pooled connection in turn (first in, first out)
            with db.engine.connect() as connection:
                if connection.dialect.name == "postgresql":
                    limits = [connection.execute(text(f"SHOW {name}")).scalar()
                              for name in ("lock_timeout", "statement_timeout")]
                    assert limits == ["0", "0"]
                else:
                    waits = connection.execute(text("PRAGMA busy_timeout")).scalar()
                    assert waits == SQLITE_BUSY_TIMEOUT_MS


def test_the_scheduler_writes_the_spool_after_a_restart(app, phone, settings_overrides, backend, clock):
    """Spooled entries survive the process: the start-up reconciliation writes them."""
    with database_locked(backend, settings_overrides):
        phone(ALMATY).dial()
        phone(ALMATY).dial()
    from helpline import create_app

    restarted = create_app(settings_overrides, environ={}, clock=clock)
    from scheduling import jobs

    scheduler = jobs.start_scheduler(restarted)
    scheduler.shutdown(wait=True)
    rows = all_calls(app)
    assert [r.outcome for r in rows] == ["failed", "failed"] and _spooled(settings_overrides) == []
    with restarted.app_context():
        db.engine.dispose()
