"""The public statistics page's figures, as published: one row per month, suppressed counts
only (what ``/stats`` shows anyone), so every web process serves the same figures."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Text
from sqlalchemy.orm import Mapped, mapped_column

from helpline.extensions import db


class PublishedFigures(db.Model):
    __tablename__ = "published_figures"

    #: The month's first day.
    month: Mapped[date] = mapped_column(primary_key=True)
    #: When the figures were computed from the register (UTC): the page says "figures as of".
    computed_at: Mapped[datetime]
    #: The suppressed tables as JSON (centre names, section, column codes and shown text).
    tables: Mapped[str] = mapped_column(Text)
