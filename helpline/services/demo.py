"""Demo data: centres and numbers to call on one machine. Idempotent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from helpline.services.centres import CentreInput, add_centre, list_centres

DEMO_CENTRES = (
    CentreInput(name="Astana PSC (demo)", region="Astana", numbers=("+7 7172 55 51 50",),
                languages=("kk", "ru"), max_wait_seconds=300),
    CentreInput(name="Almaty PSC (demo)", region="Almaty", numbers=("+7 727 355 51 50",),
                languages=("kk", "ru", "en"), max_wait_seconds=300),
)


def load_demo_data(session: Session, now: datetime) -> list[str]:
    """Add whatever of the demo data is missing; returns the names of what was added."""
    existing = {centre.name for centre in list_centres(session)}
    added = []
    for centre in DEMO_CENTRES:
        if centre.name not in existing:
            add_centre(session, centre, now)
            added.append(centre.name)
    return added
