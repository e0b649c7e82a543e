"""``helpline db backup`` and ``helpline db restore``: copies of the register, and the drill."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
def db_backup(state, path: Path) -> None:
    """Write a consistent copy of the database to PATH (a new file, readable by its owner only)
    while the line keeps running: SQLite's online backup, or pg_dump on PostgreSQL."""
    from helpline.services.backup import BackupError, backup

    settings = state.get_app().extensions["helpline"].settings
    try:
        kind = backup(settings.database_url, path)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Backup written: {path} ({kind}, {path.stat().st_size} bytes). Notes in it stay "
               "encrypted: keep NOTES_KEY apart from the backups.")


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--yes", is_flag=True, help="Confirm: the database's content is replaced.")
@click.pass_obj
def db_restore(state, path: Path, yes: bool) -> None:
    """Replace the database's content with the backup PATH. Stop the web processes and the
    scheduler first; run `helpline db upgrade` afterwards if the backup is older than the code."""
    from helpline.extensions import db
    from helpline.schema import current_revision, head_revision
    from helpline.services.backup import BackupError, restore

    if not yes:
        raise click.ClickException("Restoring replaces everything in the database: add --yes.")
    app = state.get_app()
    settings = app.extensions["helpline"].settings
    with app.app_context():
        db.engine.dispose()            # no connection of this process is open while it changes
    try:
        kind = restore(settings.database_url, path)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    with app.app_context():
        db.engine.dispose()
        revision, head = current_revision(db.engine), head_revision()
    click.echo(f"Restored from {path} ({kind}); database at revision {revision}.")
    if revision != head:
        click.echo(f"This code needs revision {head}: run `helpline db upgrade`.")
