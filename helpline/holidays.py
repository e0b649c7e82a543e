"""The public holidays the line keeps (``PUBLIC_HOLIDAYS``): the register's and the console's
day counts and the rota's working-time rules read them from here."""

from __future__ import annotations

from datetime import date

from helpline.config import Settings


def holidays_from(settings: Settings) -> set[date]:
    return {date.fromisoformat(day) for day in settings.public_holidays}
