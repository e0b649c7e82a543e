"""The ``helpline`` command: every area's commands, as each package registered them on the app.

Each package's ``init_app`` adds its command groups to ``app.cli`` (the core: ``db``,
``centres``, ``users``, ``calls``, ``reports``, ``keys``, ``run``, ``serve``, ``demo-data``,
``demo-code``; ``ivr``: ``ivr`` and ``prompts``; ``scheduling``: ``rota`` and ``scheduler``).
The console script builds the app once, from the environment, and offers what it finds there.
What the commands share (the app they are given, :func:`~helpline.cli_support.work`) is in
``helpline/cli_support.py``.
"""

from __future__ import annotations

import click
from flask import Flask

from helpline.cli_support import CommandLine

__all__ = ["CommandLine", "cli", "init_app", "main"]


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


def init_app(app: Flask) -> None:
    """Register the core's commands (the features register theirs from their own ``init_app``)."""
    from helpline import cli_admin, cli_db, cli_keys, cli_reports, cli_serve

    for command in (*cli_admin.COMMANDS, *cli_db.COMMANDS, cli_keys.keys, *cli_reports.COMMANDS,
                    *cli_serve.COMMANDS):
        app.cli.add_command(command)


if __name__ == "__main__":    # ``python -m helpline.cli``: the commands' own module, not a copy
    from helpline.cli import main as helpline_main

    helpline_main()
