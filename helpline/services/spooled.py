"""Apply the register spool (``helpline.spool``) to the register once the database answers.

Two phases, so that a file disappears only once its effect is committed:

1. ``apply(session, spool)`` applies every pending entry and flushes (no commit); it returns
   the files whose effect is now in the transaction.
2. The caller commits, then ``spool.remove(path)`` for each of them.

``drain(session, spool, now)`` does both for a job. Every entry is idempotent on its own (no
SAVEPOINT needed): the call's register id is the row's primary key, a "register" inserts only
when no row has it, a "close" of a call that has ended changes nothing. So applying an entry
twice (a crash between the commit and the removal, two drainers at once) never makes a second
row; at worst the second commit fails on the primary key and the next drain removes the files.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session

from helpline.models import Call, CallState, Centre, Outcome
from helpline.services.calls import finish
from helpline.services.centres import centre_for_number
from helpline.spool import Spool, SpoolEntry

logger = logging.getLogger(__name__)


def apply(session: Session, spool: Spool) -> list[Path]:
    """Apply all pending entries, in write order, and flush; returns their files.

    Does not commit and removes nothing: remove the returned files only after the commit.
    """
    return _apply_all(session, spool.pending())


def apply_entry(session: Session, entry: SpoolEntry) -> bool:
    """Apply one entry and flush; returns whether the register changed (False: already there).

    "register": insert the call, over, with the entry's outcome, unless its id is in the
    register. "close": finish the call (``calls.finish``: times and outcome once, failed if the
    entry says so) or, if the register does not have it, insert it like "register".
    """
    call = session.get(Call, entry.call_id)
    if call is None:
        session.add(_new_ended_call(session, entry))
        session.flush()
        return True
    if entry.kind != "close" or call.state == CallState.ENDED.value:
        return False
    if call.outcome is None:
        call.outcome = entry.outcome
    finish(call, entry.at, failed=entry.outcome == Outcome.FAILED.value)
    session.flush()
    return True


def drain(session: Session, spool: Spool, now: datetime) -> int:
    """Apply the spool, commit, then remove the applied files; returns how many were applied.

    For a job (the IVR and other units of work use ``apply`` inside their own transaction).
    Rolls back and re-raises when the database fails: the files stay for the next drain. An
    entry the register refuses (an integrity or data error when applied on its own, twice) is
    set aside as ``.bad`` and logged, so that it cannot hold back the entries after it.
    """
    pending = spool.pending()
    try:
        applied = _apply_all(session, pending)
        session.commit()
    except (IntegrityError, DataError):
        session.rollback()
        logger.warning("The spool could not be applied at once; applying it entry by entry")
        return _drain_one_by_one(session, spool, pending, now)
    except Exception:
        session.rollback()
        raise
    for path in applied:
        spool.remove(path)
    _log_drained(pending, now)
    return len(applied)


def _apply_all(session: Session, pending: list[tuple[Path, SpoolEntry]]) -> list[Path]:
    applied: list[Path] = []
    for path, entry in pending:
        apply_entry(session, entry)
        applied.append(path)
    return applied


def _drain_one_by_one(
    session: Session, spool: Spool, pending: list[tuple[Path, SpoolEntry]], now: datetime
) -> int:
    done: list[tuple[Path, SpoolEntry]] = []
    for path, entry in pending:
        for attempt in (1, 2):  # a second try sees what a concurrent drainer committed
            try:
                apply_entry(session, entry)
                session.commit()
            except (IntegrityError, DataError) as exc:
                session.rollback()
                if attempt == 2:
                    logger.error("The register refused spool entry %s (%s); set aside as .bad",
                                 path.name, type(exc).__name__)
                    spool.set_aside(path)
                continue
            except Exception:
                session.rollback()
                raise
            spool.remove(path)
            done.append((path, entry))
            break
    _log_drained(done, now)
    return len(done)


def _new_ended_call(session: Session, entry: SpoolEntry) -> Call:
    """The register row of a call the database never saw: it is over, with the entry's outcome."""
    centre = session.get(Centre, entry.centre_id) if entry.centre_id is not None else None
    if centre is None:
        centre = centre_for_number(session, entry.dialled_line)
    started_at = entry.started_at or entry.at
    return Call(
        id=entry.call_id,
        centre_id=centre.id if centre else None,
        dialled_line=entry.dialled_line,
        state=CallState.ENDED.value,
        started_at=started_at,
        ended_at=max(entry.at, started_at),
        language=entry.language,
        outcome=entry.outcome,
        is_urgent=False,
        menu_path="",
    )


def _log_drained(drained: list[tuple[Path, SpoolEntry]], now: datetime) -> None:
    if drained:
        late = max(0, int((now - min(entry.at for _path, entry in drained)).total_seconds()))
        logger.info("Registered %d spooled call events; the oldest was %d s late", len(drained), late)
