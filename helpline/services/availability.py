"""Who may take a call now: the input the IVR's queue and the routing depend on."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session


def nobody_signed_in(session: Session, centre_id: int | None, now: datetime) -> int:
    """Availability while no psychologist console is connected to the line.

    The line is answered by psychologists signed in to the console; until one is connected
    and available, nobody can take a call, and the IVR keeps the caller only briefly before
    telling them where to get help now.
    """
    return 0
