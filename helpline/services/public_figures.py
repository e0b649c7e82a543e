"""The public statistics page's figures, computed once and stored: every web process serves
the same stored figures, and a visitor never waits for a month of the register to be counted.

The scheduler refreshes last month's figures every ``STATS_REFRESH_MINUTES``; a page finding
figures older than twice that (the scheduler is not running) or a month never counted counts
and stores it first. So the figures shown are at most ``STATS_REFRESH_MINUTES`` old while the
scheduler runs, twice that when it does not. Only suppressed counts are stored, exactly what
the page shows anyone."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from helpline.models import PublishedFigures
from helpline.services.figures import monthly_tables
from helpline.suppression import TOTAL, SuppressedTable


@dataclass(frozen=True)
class Published:
    rows: list[str]
    sections: list[tuple[str, SuppressedTable]]
    #: When the figures were counted (UTC).
    as_of: datetime


def last_month(today: date) -> date:
    """The first day of the month before ``today``'s (the latest month published)."""
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


def _dump(rows: list[str], sections: list[tuple[str, SuppressedTable]]) -> str:
    return json.dumps({"rows": rows, "sections": [
        {"title": title, "columns": table.columns,
         "cells": [table.row(row) for row in [*rows, TOTAL]]} for title, table in sections]},
        ensure_ascii=False)


def _load(text: str) -> tuple[list[str], list[tuple[str, SuppressedTable]]]:
    data = json.loads(text)
    rows = data["rows"]
    sections = []
    for section in data["sections"]:
        columns = section["columns"]
        shown = {(row, column): value for row, line in zip([*rows, TOTAL], section["cells"], strict=True)
                 for column, value in zip([*columns, TOTAL], line, strict=True)}
        sections.append((section["title"], SuppressedTable(rows, columns, shown)))
    return rows, sections


def publish(session: Session, first_day: date, now: datetime) -> Published:
    """Count ``first_day``'s month from the register and store the figures (replacing older ones).
    Two processes doing it at once store the same counts: the second one's insert gives way."""
    rows, sections = monthly_tables(session, first_day)
    text = _dump(rows, sections)
    stored = session.get(PublishedFigures, first_day)
    if stored is not None:
        stored.computed_at, stored.tables = now, text
        session.flush()
    else:
        try:
            with session.begin_nested():
                session.add(PublishedFigures(month=first_day, computed_at=now, tables=text))
        except IntegrityError:            # another process stored this month a moment ago
            pass
    return Published(rows, sections, now)


def published(session: Session, first_day: date, now: datetime, refresh_minutes: int) -> Published:
    """The month's figures as stored, when counted less than twice ``refresh_minutes`` ago (the
    scheduler refreshes them every ``refresh_minutes``); otherwise counted now and stored."""
    stored = session.get(PublishedFigures, first_day)
    if stored is not None and now - stored.computed_at < timedelta(minutes=2 * refresh_minutes):
        rows, sections = _load(stored.tables)
        return Published(rows, sections, stored.computed_at)
    return publish(session, first_day, now)


def refresh(session: Session, now: datetime, today: date) -> str:
    """The scheduler's job: count last month again (``today`` in the line's zone)."""
    month = last_month(today)
    publish(session, month, now)
    return f"public figures for {month:%Y-%m} counted"
