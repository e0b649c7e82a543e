"""The unit of work: the one place that commits.

A webhook, a console event, a scheduler job or a CLI command runs inside ``unit_of_work``:
services flush, the unit commits once at the end, rolls back whole on any error, and the
events the services queued (``helpline.events``) are published only after that outermost
commit.  Nested use joins the outer unit (it neither commits nor rolls back by itself), so a
service that needs a unit of work can be called from inside another one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

_DEPTH = "helpline.uow_depth"



@contextmanager
def unit_of_work(session: Session) -> Iterator[Session]:
    """Commit once on success, roll back whole on error (the outermost unit only)."""
    depth = session.info.get(_DEPTH, 0)
    session.info[_DEPTH] = depth + 1
    try:
        yield session
        if depth == 0:
            session.commit()
    except BaseException:
        if depth == 0:
            session.rollback()
        raise
    finally:
        session.info[_DEPTH] = depth
