"""The rota drives routing: who may receive calls now, and which centres have nobody on duty.

A centre that keeps no rota in the system (no current shifts at all) lets everyone signed in
take calls; as soon as it has shifts, only the people on line duty now do.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline.models import Centre, Shift, User
from scheduling import rota
from scheduling.duty_now import default_end
from scheduling.service import absences, current_shifts, spans


def _centres_with_rota(session: Session) -> set[int]:
    return set(session.scalars(_CENTRES_WITH_ROTA))


_CENTRES_WITH_ROTA = select(Shift.centre_id).where(
    Shift.superseded_at.is_(None), Shift.deleted_at.is_(None)).distinct()


def on_duty(session: Session, now: datetime, duty: str = rota.LINE) -> set[int]:
    shifts = current_shifts(session, None, now - timedelta(seconds=1), now + timedelta(seconds=1))
    away = absences(session, [s.user_id for s in shifts], now, now + timedelta(seconds=1))
    return rota.on_duty_at(spans(shifts), away, now, duty)


class RotaPolicy:
    """The rota as the line's ``helpline.roster.DutyRoster``."""

    def may_receive(self, session: Session, user_ids: list[int], now: datetime) -> set[int]:
        if not user_ids:
            return set()
        with_rota = _centres_with_rota(session)
        if not with_rota:           # no centre keeps a rota: everyone signed in takes calls
            return set(user_ids)
        duty = on_duty(session, now)
        users = session.execute(select(User.id, User.centre_id).where(User.id.in_(user_ids))).all()
        return {uid for uid, centre_id in users if centre_id not in with_rota or uid in duty}

    def uncovered_centres(self, session: Session, now: datetime) -> set[int]:
        """Centres with a rota and nobody on line duty right now."""
        with_rota = _centres_with_rota(session)
        if not with_rota:
            return set()
        duty = on_duty(session, now)
        staffed = set(session.scalars(select(User.centre_id).where(User.id.in_(duty)))) if duty else set()
        return with_rota - staffed

    def supervisors_on_call(self, session: Session, centre_id: int | None, now: datetime) -> set[int]:
        if centre_id is None:
            return set()
        on_call = on_duty(session, now, rota.SUPERVISOR)
        return set(session.scalars(select(User.id).where(User.id.in_(on_call),
                                                          User.centre_id == centre_id))) if on_call else set()

    def duty_ends_at(self, session: Session, centre: Centre, now: datetime) -> datetime:
        return default_end(session, centre, now)


def centre_names(session: Session, ids: set[int]) -> list[str]:
    return list(session.scalars(select(Centre.name).where(Centre.id.in_(ids)))) if ids else []
