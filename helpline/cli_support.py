"""What the command groups of every area share: the app they are given, and the unit of work.

:class:`CommandLine` builds the app once (or takes a test's); :func:`work` is the command line's one
unit of work; the small parsers read centres, dates and months as the commands take them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta

import click
from flask import Flask
from flask.cli import ScriptInfo
from sqlalchemy.orm import Session

from helpline.config import ConfigError
from helpline.vocabulary import DEFAULT_ZONE


class CommandLine(ScriptInfo):
    """What every command is given: the app, built on first use from the environment and
    ``overrides`` (or the app a test passes in). A command that changes ``overrides`` before
    asking for the app gets one built with them (``helpline run`` sets the public URL from its
    host and port)."""

    def __init__(self, app: Flask | None = None, overrides: dict[str, object] | None = None) -> None:
        super().__init__(set_debug_flag=False, load_dotenv_defaults=False)
        self.app = app
        self.overrides: dict[str, object] = dict(overrides or {})
        self._built_with: dict[str, object] | None = None    # None: given, never rebuilt

    def load_app(self) -> Flask:
        stale = self._built_with is not None and self._built_with != self.overrides
        if self.app is None or stale:
            from helpline import create_app

            try:
                self.app = create_app(self.overrides)
            except ConfigError as exc:
                raise click.ClickException(str(exc)) from exc
            self._built_with = dict(self.overrides)
        return self.app

    get_app = load_app


pass_state = click.make_pass_decorator(CommandLine, ensure=True)


@contextmanager
def work(*refused: type[Exception], said: str = "") -> Iterator[Session]:
    """A command's unit of work, in the app context its group gives it: commits when the block
    ends, rolls back whole on any error; a domain error of the ``refused`` kinds becomes a
    message (prefixed with ``said``) and exit status 1, never a traceback."""
    from helpline.extensions import db
    from helpline.uow import unit_of_work

    try:
        with unit_of_work(db.session) as session:
            yield session
    except refused as exc:
        raise click.ClickException(f"{said}{exc}") from exc


def centre_named(session: Session, name_or_id: str):
    """The centre given by id or exact name on the command line, or a clear refusal."""
    from helpline.services.centres import find_centre

    centre = find_centre(session, name_or_id)
    if centre is None:
        raise click.ClickException(f"centre: no centre {name_or_id!r} (see `helpline centres list`)")
    return centre


def instant(value: str | None, end_of_day: bool) -> datetime | None:
    """A date (YYYY-MM-DD, in UTC+5) or an ISO datetime (naive = UTC+5) as aware UTC."""
    if not value:
        return None
    try:
        if len(value) == 10:
            day = date.fromisoformat(value) + timedelta(days=1 if end_of_day else 0)
            local = datetime.combine(day, time(0), DEFAULT_ZONE)
        else:
            local = datetime.fromisoformat(value)
            if local.tzinfo is None:
                local = local.replace(tzinfo=DEFAULT_ZONE)
    except ValueError as exc:
        raise click.BadParameter(f"{value!r}: use YYYY-MM-DD or an ISO date-time") from exc
    return local.astimezone(UTC)


def first_of_month(text: str) -> date:
    """``--month YYYY-MM`` as the month's first day."""
    try:
        year, number = (int(part) for part in text.split("-"))
        return date(year, number, 1)
    except ValueError as exc:
        raise click.BadParameter("--month: YYYY-MM") from exc
