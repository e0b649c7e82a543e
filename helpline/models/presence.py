"""Who is at the console and in what state, and which call is offered to whom.

This state decides routing, so it lives in the database, shared by every web process.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpline.extensions import db
from helpline.models.user import User
from helpline.orm import CallRef, SurrogateKey, UserRef, one_of


class AgentState(enum.StrEnum):
    AVAILABLE = "available"
    ON_CALL = "on_call"
    WRAP_UP = "wrap_up"
    BREAK = "break"
    OFFLINE = "offline"


class OfferState(enum.StrEnum):
    RINGING = "ringing"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"
    #: Accepted, but the caller could not be connected (the call went back to the queue).
    FAILED = "failed"


class AgentPresence(db.Model):
    __tablename__ = "agent_presence"
    repr_attributes = ("state",)
    __table_args__ = (one_of("state", AgentState),)

    #: The person (one row each).
    user_id: Mapped[UserRef] = mapped_column(primary_key=True)
    #: Current state.
    state: Mapped[str] = mapped_column(String(16), default=AgentState.OFFLINE.value)
    #: Since when (UTC); for Available this is the start of the idle time routing compares.
    state_since: Mapped[datetime]
    #: Last sign of life from the console (UTC); a silent console is not offered calls.
    last_seen_at: Mapped[datetime]
    #: Open console connections (tabs) of this person.
    connections: Mapped[int] = mapped_column(default=0)
    #: The call the person is on or wrapping up, if any.
    call_id: Mapped[CallRef | None]

    user: Mapped[User] = relationship()


class Offer(db.Model):
    """A call ringing one agent's console."""

    __tablename__ = "offers"
    repr_attributes = ("state",)
    __table_args__ = (
        one_of("state", OfferState),
        CheckConstraint("expires_at > offered_at", name="expires_after_offer"),
        Index("ix_offers_ringing", "state", "expires_at"),
        # routing: who already declined or missed a call
        Index("ix_offers_call", "call_id", "state"),
        # One ringing offer per agent and per call, whatever process routes.
        Index("uq_offers_ringing_user", "user_id", unique=True,
              sqlite_where=text("state = 'ringing'"), postgresql_where=text("state = 'ringing'")),
        Index("uq_offers_ringing_call", "call_id", unique=True,
              sqlite_where=text("state = 'ringing'"), postgresql_where=text("state = 'ringing'")),
    )

    id: Mapped[SurrogateKey]
    #: The call offered.
    call_id: Mapped[CallRef] = mapped_column(index=True)
    #: The agent it rings.
    user_id: Mapped[UserRef] = mapped_column(index=True)
    #: When it started ringing and when the ring times out (UTC).
    offered_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    #: When it was accepted (UTC); the caller must reach the conference soon after.
    accepted_at: Mapped[datetime | None]
    #: ringing, accepted, declined, expired or withdrawn.
    state: Mapped[str] = mapped_column(String(16), default=OfferState.RINGING.value)
    #: Offered to another centre's agent (national backup).
    is_backup: Mapped[bool] = mapped_column(default=False)
