"""``helpline keys``: a fresh notes key, and re-encrypting everything under the newest key."""

from __future__ import annotations

import click
from flask.cli import AppGroup

keys = AppGroup("keys", help="The keys of NOTES_KEY (notes and follow-up details encrypted at rest).")


@keys.command("new", with_appcontext=False)
def keys_new() -> None:
    """Print a fresh key: put it first in NOTES_KEY (comma separated, newest first)."""
    from helpline.services.cipher import new_key

    click.echo(new_key())


@keys.command("rotate")
@click.option("--batch-size", default=500, show_default=True, type=click.IntRange(1, 100000),
              help="Values re-encrypted per transaction.")
def keys_rotate(batch_size: int) -> None:
    """Re-encrypt every encrypted value under the first key of NOTES_KEY.

    Refuses, changing nothing, when a value cannot be decrypted with any configured key, and
    names those records. Safe to re-run: values already under the newest key are left alone.
    """
    from helpline.cli_support import work
    from helpline.runtime import current_runtime
    from helpline.services.cipher import NotesCipher
    from helpline.services.key_rotation import rotate, unreadable_values

    rt = current_runtime()
    cipher = NotesCipher(rt.settings.notes_key)
    with work() as session:
        unreadable = unreadable_values(session, cipher, batch_size)
    if unreadable:
        for label, ids in unreadable.items():
            click.echo(f"{label}: {len(ids)} cannot be decrypted with any configured key "
                       f"(ids {', '.join(map(str, ids))})", err=True)
        raise click.ClickException(
            "Nothing was re-encrypted. Add the key these were written with to NOTES_KEY "
            "(after the newest) and run again.")
    failed = False
    # not inside one unit of work: ``rotate`` commits batch by batch, so a long rotation holds
    # no lock for long and an interrupted one keeps what it did
    for report in rotate(session, cipher, rt.clock.now(), batch_size):
        click.echo(f"{report.label}: {report.rotated} re-encrypted, "
                   f"{report.current} already under the newest key")
        if report.unreadable:     # written meanwhile under a key this process does not have
            failed = True
            click.echo(f"{report.label}: left unchanged, cannot be decrypted: ids "
                       f"{', '.join(map(str, report.unreadable))}", err=True)
    if failed:
        raise click.ClickException("Some values were left unchanged; run again once "
                                   "every process uses the same NOTES_KEY.")
