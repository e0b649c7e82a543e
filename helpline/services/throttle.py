"""Sign-in throttling with growing delays instead of a lock anyone could trigger.

Each attempt is *claimed* before the password (or code) is checked: an atomic compare-and-set
on the key's counter, so parallel requests are counted one by one and none slips past the
allowance.  After ``free`` failures the next attempt must wait 2, 4, 8 ... seconds from the last
one, at most ``max_delay``.  An attempt refused for waiting is not counted, so hammering during
the delay never extends it: the owner of the account signs in as soon as it has passed.  Keys
are keyed hashes (HMAC with SECRET_KEY) of the normalised username, the client address or the
account's id: a username that exists and one that does not are counted exactly alike, and
nothing typed is stored.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from helpline.models.sign_in import SignInFailure

#: Compare-and-set attempts before giving up (only under extreme contention): refused as waiting.
_CLAIM_TRIES = 50


@dataclass(frozen=True)
class ThrottlePolicy:
    #: Failures allowed before delays start.
    free: int
    #: Longest delay between two attempts.
    max_delay: timedelta
    #: Failures are forgotten after this long without one.
    window: timedelta

    def delay(self, failures: int) -> timedelta:
        """How long after the last failure the next attempt must wait."""
        if failures < self.free:
            return timedelta(0)
        exponent = min(failures - self.free + 1, 32)
        return min(timedelta(seconds=2 ** exponent), self.max_delay)


def key_for(secret: str, kind: str, value: str) -> str:
    """``kind:`` + HMAC-SHA256 of ``value``: the counter's key, never the value itself."""
    digest = hmac.new(secret.encode(), f"{kind}\x00{value}".encode(), hashlib.sha256).hexdigest()
    return f"{kind}:{digest}"


def _insert_missing(session: Session, key: str, now: datetime) -> None:
    """Create the key's counter at zero if it does not exist (atomic on SQLite and PostgreSQL)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    session.execute(insert(SignInFailure).values(key=key, failures=0, last_at=now)
                    .on_conflict_do_nothing(index_elements=["key"]))


def waiting(session: Session, key: str, policy: ThrottlePolicy, now: datetime) -> timedelta:
    """How long the next attempt for ``key`` must wait (zero if it may go on); counts nothing."""
    row = session.execute(select(SignInFailure.failures, SignInFailure.last_at)
                          .where(SignInFailure.key == key)).first()
    if row is None or row.last_at < now - policy.window:
        return timedelta(0)
    return max(row.last_at + policy.delay(row.failures) - now, timedelta(0))


def claim(session: Session, key: str, policy: ThrottlePolicy, now: datetime) -> timedelta:
    """Count one attempt for ``key``; returns zero if it may go on, else how long it must wait
    (and then it was not counted)."""
    for _ in range(_CLAIM_TRIES):
        row = session.execute(select(SignInFailure.failures, SignInFailure.last_at)
                              .where(SignInFailure.key == key)).first()
        if row is None:
            _insert_missing(session, key, now)
            continue
        failures, last_at = row
        if last_at < now - policy.window:
            failures = 0                                        # forgotten after a quiet window
        else:
            wait = last_at + policy.delay(failures) - now
            if wait > timedelta(0):
                return wait
        changed = session.execute(
            update(SignInFailure).where(SignInFailure.key == key,
                                        SignInFailure.failures == row.failures,
                                        SignInFailure.last_at == row.last_at)
            .values(failures=failures + 1, last_at=now)
            .execution_options(synchronize_session=False)).rowcount
        if changed == 1:
            return timedelta(0)
    return policy.max_delay


def forget(session: Session, key: str) -> None:
    """The attempt succeeded: the key starts afresh."""
    session.execute(delete(SignInFailure).where(SignInFailure.key == key)
                    .execution_options(synchronize_session=False))


def refund(session: Session, key: str) -> None:
    """The attempt succeeded: it no longer counts against ``key`` (a shared address)."""
    session.execute(update(SignInFailure)
                    .where(SignInFailure.key == key, SignInFailure.failures > 0)
                    .values(failures=SignInFailure.failures - 1)
                    .execution_options(synchronize_session=False))


def failures(session: Session, key: str) -> int:
    return session.scalar(select(SignInFailure.failures).where(SignInFailure.key == key)) or 0
