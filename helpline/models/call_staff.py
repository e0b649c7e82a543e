"""Who of the staff took part in a call, beyond the psychologist who answered it last: the
one who passed the caller to another centre, who asked for help, the supervisor who came.
Staff only: nothing here is about the caller."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpline.extensions import db
from helpline.models.user import User
from helpline.orm import SurrogateKey, UserRef, one_of


class Part(enum.StrEnum):
    #: Answered the call and passed the caller to another centre's queue (cold transfer).
    TRANSFERRED = "transferred"
    #: Asked the supervisor on call for help during the call.
    ASKED_FOR_HELP = "asked_for_help"
    #: A supervisor who answered a request for help ("On my way").
    HELPED = "helped"
    #: A supervisor who joined the call (listen, coach or join).
    JOINED = "joined"


PARTS = tuple(part.value for part in Part)


class CallParticipant(db.Model):
    __tablename__ = "call_participants"
    repr_attributes = ("part",)
    __table_args__ = (
        UniqueConstraint("call_id", "user_id", "part"),
        one_of("part", PARTS),
    )

    id: Mapped[SurrogateKey]
    #: The call.
    call_id: Mapped[str] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    #: The member of staff.
    user_id: Mapped[UserRef] = mapped_column(index=True)
    #: What they did (``Part``), once per call and person.
    part: Mapped[str] = mapped_column(String(24))
    #: When they first did it (UTC).
    at: Mapped[datetime]

    user: Mapped[User] = relationship()
