"""Server-side sign-in sessions of staff: the browser's cookie carries only a random id, whose
SHA-256 hash is kept here, so signing out (or an administrator's revocation, or a password
change) ends the session everywhere at once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from helpline.extensions import db
from helpline.orm import SurrogateKey, UserRef


class StaffSession(db.Model):
    __tablename__ = "staff_sessions"

    #: Surrogate key (also names the session's Socket.IO room; never the secret).
    id: Mapped[SurrogateKey]
    #: SHA-256 (hex) of the random session id the cookie carries; the id itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: Whose session it is.
    user_id: Mapped[UserRef] = mapped_column(index=True)
    #: Sign-in time and last activity (UTC); the latter is written at most once a minute.
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    #: When and why it ended (sign_out, idle, expired, revoked, password_changed, ...); NULL while live.
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str | None] = mapped_column(String(32))
