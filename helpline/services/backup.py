"""Backups of the register and their restore.

SQLite: the online backup API (a consistent copy while the line keeps answering calls).
PostgreSQL: ``pg_dump`` in its custom format, restored with ``pg_restore``. The password is
passed in the environment, never on a command line another user could read.

A backup holds what the database holds: notes and follow-up details stay encrypted under
``NOTES_KEY`` (keep the key apart from the backups), and no caller number or CallSid is in it,
because none is in the database.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import URL, make_url


class BackupError(RuntimeError):
    """The backup or restore could not be done; the message says why and what to do."""


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("An in-memory SQLite database cannot be backed up.")
    return Path(url.database)


def _private_file(path: Path) -> None:
    path.touch(mode=0o600, exist_ok=False)


def backup(database_url: str, target: Path) -> str:
    """Write a consistent copy of the database to ``target`` (a new file, mode 0600)."""
    url = make_url(database_url)
    if target.exists():
        raise BackupError(f"{target} already exists: choose a new file name.")
    if not target.parent.is_dir():
        raise BackupError(f"{target.parent} is not a folder.")
    if url.get_backend_name() == "sqlite":
        source_path = _sqlite_path(url)
        if not source_path.exists():
            raise BackupError(f"There is no database at {source_path}.")
        _private_file(target)
        _sqlite_copy(source_path, target)
        return "sqlite"
    if url.get_backend_name() == "postgresql":
        _private_file(target)
        try:
            _run_pg("pg_dump", url, "--format=custom", "--no-owner", "--no-privileges",
                    f"--file={target}")
        except BackupError:
            target.unlink(missing_ok=True)
            raise
        return "postgresql"
    raise BackupError(f"No backup for {url.get_backend_name()} databases.")


def restore(database_url: str, source: Path) -> str:
    """Replace the database's content with the backup ``source``. Stop every Senim process first."""
    url = make_url(database_url)
    if not source.is_file():
        raise BackupError(f"There is no backup at {source}.")
    if url.get_backend_name() == "sqlite":
        _check_sqlite_backup(source)
        target = _sqlite_path(url)
        target.parent.mkdir(parents=True, exist_ok=True)
        _sqlite_copy(source, target)
        return "sqlite"
    if url.get_backend_name() == "postgresql":
        with source.open("rb") as archive:
            if archive.read(5) != b"PGDMP":       # pg_dump's custom format starts so
                raise BackupError(f"{source} is not a Senim PostgreSQL backup (pg_dump's custom format).")
        _run_pg("pg_restore", url, "--clean", "--if-exists", "--no-owner", "--no-privileges",
                "--single-transaction", "--exit-on-error", str(source))
        return "postgresql"
    raise BackupError(f"No restore for {url.get_backend_name()} databases.")


def _sqlite_copy(source: Path, target: Path) -> None:
    """SQLite's online backup: a consistent copy even while other connections write."""
    with sqlite3.connect(source) as reader, sqlite3.connect(target) as writer:
        reader.backup(writer)
    reader.close()      # the context manager commits; it does not close
    writer.close()


def _check_sqlite_backup(source: Path) -> None:
    try:
        with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as copy:
            copy.execute("SELECT version_num FROM alembic_version").fetchone()
        copy.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{source} is not a Senim SQLite backup ({exc}).") from exc


def _run_pg(tool: str, url: URL, *args: str) -> None:
    program = shutil.which(tool)
    if program is None:
        raise BackupError(f"{tool} is missing: install PostgreSQL's client programs "
                          "(Debian: postgresql-client) in the server's major version.")
    env = {**os.environ, "PGPASSWORD": url.password or "", "PGCONNECT_TIMEOUT": "10"}
    # a Unix-socket URL names its folder as ``?host=/run/postgresql`` (libpq's form)
    host = url.host or url.query.get("host") or "localhost"
    command = [program, f"--host={host}", f"--port={url.port or url.query.get('port') or 5432}",
               f"--username={url.username or ''}", f"--dbname={url.database}", *args]
    result = subprocess.run(command, env=env, capture_output=True, text=True,  # noqa: S603
                            timeout=3600, check=False)
    if result.returncode != 0:
        raise BackupError(f"{tool} failed: {result.stderr.strip()[-500:]}")
