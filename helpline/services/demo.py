"""Demo data: centres and numbers to call on one machine. Idempotent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline.models import Centre, User
from helpline.services import two_factor
from helpline.services.accounts import NewUser, create_user
from helpline.services.centres import CentreInput, add_centre, list_centres
from helpline.services.contacts import NotesCipher

#: Shared password of the demo accounts (demo data only: never in a real centre).
DEMO_PASSWORD = "senim-demo-2026"  # noqa: S105 - demo data only
#: Two-factor key of the demo supervisors and administrator (demo data only): add it to an
#: authenticator app, or print the current code with ``helpline demo-code``.
DEMO_TOTP_SECRET = "SENIMDEMOTWOFACTORSENIMDEMO23456"  # noqa: S105 - demo data only
#: (username, role, centre name or None, languages, interface language)
DEMO_USERS = (
    ("aigerim", "psychologist", "Astana PSC (demo)", ("kk", "ru"), "kk"),
    ("dmitry", "psychologist", "Astana PSC (demo)", ("ru",), "ru"),
    ("saule", "psychologist", "Almaty PSC (demo)", ("kk", "ru", "en"), "en"),
    ("supervisor.astana", "supervisor", "Astana PSC (demo)", ("kk", "ru"), "ru"),
    ("supervisor.almaty", "supervisor", "Almaty PSC (demo)", ("kk", "ru", "en"), "en"),
    ("admin", "administrator", None, ("kk", "ru", "en"), "en"),
)

DEMO_CENTRES = (
    CentreInput(name="Astana PSC (demo)", region="Astana", numbers=("+7 7172 55 51 50",),
                languages=("kk", "ru"), max_wait_seconds=300),
    CentreInput(name="Almaty PSC (demo)", region="Almaty", numbers=("+7 727 355 51 50",),
                languages=("kk", "ru", "en"), max_wait_seconds=300),
)


def load_demo_data(session: Session, now: datetime, with_users: bool = True,
                   notes_key: str | None = None) -> list[str]:
    """Add whatever of the demo data is missing; returns the names of what was added. With
    ``notes_key``, the demo supervisors and administrator get two-factor sign-in with
    ``DEMO_TOTP_SECRET`` (without, they set it up at their first sign-in)."""
    existing = {centre.name for centre in list_centres(session)}
    added = []
    for centre in DEMO_CENTRES:
        if centre.name not in existing:
            add_centre(session, centre, now)
            added.append(centre.name)
    if not with_users:
        return added
    centres = {c.name: c.id for c in session.scalars(select(Centre))}
    existing_users = set(session.scalars(select(User.username)))
    for username, role, centre_name, languages, ui in DEMO_USERS:
        if username not in existing_users:
            user = create_user(session, NewUser(username, DEMO_PASSWORD, role,
                                                centres.get(centre_name) if centre_name else None,
                                                languages, ui), now)
            if notes_key and user.needs_two_factor:
                two_factor.start_enrolment(user, NotesCipher(notes_key), DEMO_TOTP_SECRET)
                user.totp_enabled = True
            added.append(username)
    return added
