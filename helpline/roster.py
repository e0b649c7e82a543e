"""Who is on duty: the interface routing, the console and the supervisor view ask, and the
answer when no rota is kept. The rota (``scheduling.policy.RotaPolicy``) implements it; the
composition root (``create_app``) hands it to the dispatcher and the runtime."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy.orm import Session

#: How long an ad-hoc duty lasts where no rota is kept.
DUTY_WITHOUT_ROTA = timedelta(hours=8)


class DutyRoster(Protocol):
    def may_receive(self, session: Session, user_ids: list[int], now: datetime) -> set[int]:
        """The subset of ``user_ids`` whom routing may offer calls now."""

    def uncovered_centres(self, session: Session, now: datetime) -> set[int]:
        """Centres with nobody on line duty now (their calls overflow at once)."""

    def supervisors_on_call(self, session: Session, centre_id: int | None, now: datetime) -> set[int]:
        """The supervisors "Immediate danger" alerts for the centre."""

    def duty_ends_at(self, session: Session, centre, now: datetime) -> datetime:
        """Where an ad-hoc line duty started now ends by default (UTC)."""


class EveryoneOnDuty:
    """No rota: every signed-in psychologist may receive calls, no centre is uncovered, no
    supervisor is named on call, and an ad-hoc duty lasts ``DUTY_WITHOUT_ROTA``."""

    def may_receive(self, session: Session, user_ids: list[int], now: datetime) -> set[int]:
        return set(user_ids)

    def uncovered_centres(self, session: Session, now: datetime) -> set[int]:
        return set()

    def supervisors_on_call(self, session: Session, centre_id: int | None, now: datetime) -> set[int]:
        return set()

    def duty_ends_at(self, session: Session, centre, now: datetime) -> datetime:
        return now + DUTY_WITHOUT_ROTA
