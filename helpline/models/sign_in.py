"""Sign-in state kept between requests: failure counters and two-factor recovery codes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from helpline.extensions import db
from helpline.orm import SurrogateKey, UserRef


class SignInFailure(db.Model):
    """Failed attempts for one key (an account, an address or an account's codes), counted with
    atomic SQL. The key is a keyed hash: no typed username or address is kept."""

    __tablename__ = "sign_in_failures"
    __table_args__ = (CheckConstraint("failures >= 0", name="failures_not_negative"),)

    #: "account:", "address:" or "code:" + HMAC-SHA256 (SECRET_KEY) of the normalised value.
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    #: Failures since the counter was last forgotten.
    failures: Mapped[int] = mapped_column(default=0)
    #: The last failure (UTC); the next attempt waits from here.
    last_at: Mapped[datetime]

    def __repr__(self) -> str:       # not the key: it is a hash of what someone typed
        return f"<SignInFailure {self.failures}>"


class RecoveryCode(db.Model):
    """One-time codes that stand in for the authenticator app; only their keyed hash is kept."""

    __tablename__ = "recovery_codes"

    id: Mapped[SurrogateKey]
    #: Whose code.
    user_id: Mapped[UserRef] = mapped_column(index=True)
    #: HMAC-SHA256 (SECRET_KEY) of the normalised code.
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: When it was used (UTC); a used code is never accepted again.
    used_at: Mapped[datetime | None]
