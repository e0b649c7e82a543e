"""Which centre a dialled number reaches, and what its calls need of it, without asking the
database on every webhook.

The IVR needs a centre's id, languages and maximum wait on nearly every webhook; centres and
their numbers change a few times a year.  The directory keeps a snapshot of every centre (one
query for centres with their numbers) and takes a fresh one:

* at once in this process, when a unit of work that added, changed or removed a centre or a
  number commits (``install`` listens on the session class);
* within ``ttl_seconds`` in every other process (another web process, the CLI, the scheduler):
  a snapshot older than that is read again on the next lookup.

Time is an argument (``now``), so tests move the clock rather than wait.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from helpline.models import Centre, CentreLine

#: Bumped whenever a commit of this process changed a centre or a number.
_generation = itertools.count(1)
_current = {"generation": 0}
_CHANGED = "helpline.centres_changed"
_ENTITIES = (Centre, CentreLine)


_CENTRES_AND_NUMBERS = select(Centre.id, Centre.name, Centre.languages, Centre.max_wait_seconds,
                              Centre.timezone, CentreLine.number).outerjoin(
    CentreLine, CentreLine.centre_id == Centre.id)


@dataclass(frozen=True)
class CentreInfo:
    """What a call needs of its centre, as plain values."""

    id: int
    name: str
    languages: tuple[str, ...]
    max_wait_seconds: int
    timezone: str


@dataclass(frozen=True)
class _Snapshot:
    taken_at: datetime
    generation: int
    by_id: dict[int, CentreInfo]
    by_number: dict[str, int]


class CentreDirectory:
    """Centres by number and by id, read again after ``ttl_seconds`` or a local change."""

    def __init__(self, ttl_seconds: int) -> None:
        self.ttl = timedelta(seconds=max(0, ttl_seconds))
        self._lock = threading.Lock()
        self._snapshot: _Snapshot | None = None

    def for_number(self, session: Session, number: str | None, now: datetime) -> CentreInfo | None:
        """The centre that owns ``number`` (E.164), or None."""
        snapshot = self._fresh(session, now)
        centre_id = snapshot.by_number.get(number) if number else None
        return snapshot.by_id.get(centre_id) if centre_id is not None else None

    def get(self, session: Session, centre_id: int | None, now: datetime) -> CentreInfo | None:
        if centre_id is None:
            return None
        return self._fresh(session, now).by_id.get(centre_id)

    def default(self, session: Session, default_centre_id: str, now: datetime) -> CentreInfo | None:
        """The centre that answers numbers no centre owns: the configured one, else the first."""
        by_id = self._fresh(session, now).by_id
        if default_centre_id and default_centre_id.isdigit() and int(default_centre_id) in by_id:
            return by_id[int(default_centre_id)]
        return by_id[min(by_id)] if by_id else None

    def refresh(self, session: Session, now: datetime) -> None:
        """Read the centres again if the copy is older than its lifetime (or changed here)."""
        self._fresh(session, now)

    def known(self, centre_id: int | None) -> CentreInfo | None:
        """The centre as last read (by ``refresh`` or a lookup of this webhook), or None."""
        snapshot = self._snapshot
        return snapshot.by_id.get(centre_id) if snapshot and centre_id is not None else None

    def _fresh(self, session: Session, now: datetime) -> _Snapshot:
        snapshot = self._snapshot
        if snapshot is not None and snapshot.generation == _current["generation"] \
                and snapshot.taken_at <= now < snapshot.taken_at + self.ttl:
            return snapshot
        generation = _current["generation"]        # read before the rows: a change after it counts
        rows = session.execute(_CENTRES_AND_NUMBERS).all()
        by_id, by_number = {}, {}
        for centre_id, name, languages, max_wait, zone, number in rows:
            by_id[centre_id] = CentreInfo(centre_id, name, tuple(filter(None, languages.split(","))),
                                          max_wait, zone)
            if number is not None:
                by_number[number] = centre_id
        snapshot = _Snapshot(taken_at=now, generation=generation, by_id=by_id, by_number=by_number)
        with self._lock:
            self._snapshot = snapshot
        return snapshot


def install(session_class: type[Session]) -> None:
    """Every directory of this process reads again after a commit that changed a centre or a
    number (through the ORM, or an ORM ``update``/``delete`` statement)."""
    if event.contains(session_class, "after_commit", _after_commit):
        return
    event.listen(session_class, "before_flush", _before_flush)
    event.listen(session_class, "do_orm_execute", _on_execute)
    event.listen(session_class, "after_commit", _after_commit)
    event.listen(session_class, "after_soft_rollback", _after_rollback)


def _before_flush(session: Session, _context, _instances) -> None:
    if any(isinstance(obj, _ENTITIES)
           for obj in itertools.chain(session.new, session.dirty, session.deleted)):
        session.info[_CHANGED] = True


def _on_execute(state) -> None:
    if (state.is_update or state.is_delete or state.is_insert) and \
            any(m.class_ in _ENTITIES for m in state.all_mappers):
        state.session.info[_CHANGED] = True


def _after_commit(session: Session) -> None:
    if session.info.pop(_CHANGED, False):
        _current["generation"] = next(_generation)


def _after_rollback(session: Session, previous_transaction) -> None:
    """A change seen by a lookup inside the rolled-back transaction is not kept either."""
    if previous_transaction.parent is None and session.info.pop(_CHANGED, False):
        _current["generation"] = next(_generation)
