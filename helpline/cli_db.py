"""``helpline db``: the schema (upgrade, current) and copies of the register (backup, restore)."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from helpline.cli_support import pass_state
from helpline.runtime import current_runtime

db = AppGroup("db", help="Database schema.")


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Migrate the database to the latest schema."""
    from helpline.extensions import db as database
    from helpline.schema import current_revision, upgrade

    upgrade(database.engine, revision)
    click.echo(f"Database at revision {current_revision(database.engine)}.")


@db.command("current")
def db_current() -> None:
    """Show the database's schema revision and the one this code needs."""
    from helpline.extensions import db as database
    from helpline.schema import current_revision, head_revision

    click.echo(f"database: {current_revision(database.engine)}  code: {head_revision()}")


@db.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def db_backup(path: Path) -> None:
    """Write a consistent copy of the database to PATH (a new file, readable by its owner only)
    while the line keeps running: SQLite's online backup, or pg_dump on PostgreSQL."""
    from helpline.services.backup import BackupError, backup

    try:
        kind = backup(current_runtime().settings.database_url, path)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Backup written: {path} ({kind}, {path.stat().st_size} bytes). Notes in it stay "
               "encrypted: keep NOTES_KEY apart from the backups.")


@db.command("restore", with_appcontext=False)
@click.argument("path", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--yes", is_flag=True, help="Confirm: the database's content is replaced.")
@pass_state
def db_restore(state, path: Path, yes: bool) -> None:
    """Replace the database's content with the backup PATH. Stop the web processes and the
    scheduler first; run `helpline db upgrade` afterwards if the backup is older than the code."""
    from helpline.extensions import db as database
    from helpline.schema import current_revision, head_revision
    from helpline.services.backup import BackupError, restore

    if not yes:
        raise click.ClickException("Restoring replaces everything in the database: add --yes.")
    app = state.get_app()
    settings = app.extensions["helpline"].settings
    with app.app_context():
        database.engine.dispose()      # no connection of this process is open while it changes
    try:
        kind = restore(settings.database_url, path)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    with app.app_context():
        database.engine.dispose()
        revision, head = current_revision(database.engine), head_revision()
    click.echo(f"Restored from {path} ({kind}); database at revision {revision}.")
    if revision != head:
        click.echo(f"This code needs revision {head}: run `helpline db upgrade`.")


COMMANDS = (db,)
