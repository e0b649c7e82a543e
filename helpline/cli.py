"""The ``helpline`` command: every area's commands, as each package registered them on the app.

Each package's ``init_app`` adds its command groups to ``app.cli`` (the core: ``db``,
``centres``, ``users``, ``calls``, ``reports``, ``keys``, ``run``, ``serve``, ``demo-data``,
``demo-code``; ``ivr``: ``ivr`` and ``prompts``; ``scheduling``: ``rota`` and ``scheduler``).
The console script builds the app once, from the environment, and offers what it finds there.
A command reaches the database through :func:`work`, the command line's one unit of work.
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


class HelplineGroup(click.Group):
    """The top-level group: the commands are those the packages registered on ``app.cli``."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        try:
            return sorted(self._registered(ctx).list_commands(ctx))
        except click.ClickException as exc:      # the help still says why nothing is offered
            click.echo(f"Error: {exc.format_message()}", err=True)
            return []

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        return self._registered(ctx).get_command(ctx, name)

    @staticmethod
    def _registered(ctx: click.Context) -> click.Group:
        return ctx.ensure_object(CommandLine).load_app().cli


@click.group("helpline", cls=HelplineGroup)
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Senim: the confidential trust line of the Psychological Support Centres."""
    ctx.ensure_object(CommandLine)


def main() -> None:
    cli(prog_name="helpline")


# ------------------------------------------------------------------ shared by the commands


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


def init_app(app: Flask) -> None:
    """Register the core's commands (the features register theirs from their own ``init_app``)."""
    from helpline import cli_admin, cli_db, cli_keys, cli_reports, cli_serve

    for command in (*cli_admin.COMMANDS, *cli_db.COMMANDS, cli_keys.keys, *cli_reports.COMMANDS,
                    *cli_serve.COMMANDS):
        app.cli.add_command(command)


if __name__ == "__main__":    # ``python -m helpline.cli``: the commands' own module, not a copy
    from helpline.cli import main as helpline_main

    helpline_main()
