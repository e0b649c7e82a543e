"""Database migrations (Alembic) shipped inside the package, and the schema-version check."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class OutdatedSchema(RuntimeError):
    """The database is not at the schema this code needs."""


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database to ``revision`` (a deploy step, never a side effect of serving)."""
    command.upgrade(alembic_config(engine), revision)


def head_revision() -> str:
    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


@contextmanager
def _quietly() -> Iterator[None]:
    """Alembic's set-up lines (its plugins, "Context impl SQLiteImpl") say nothing to an operator
    when the schema is only being read; a migration still logs each step it runs."""
    loggers = [logging.getLogger(name) for name in ("alembic.runtime.migration", "alembic.runtime.plugins")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def current_revision(engine: Engine) -> str | None:
    with _quietly(), engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def check_schema(engine: Engine) -> None:
    """Raise ``OutdatedSchema`` with what to run when the database is not at head."""
    current, head = current_revision(engine), head_revision()
    if current != head:
        where = f"at revision {current}" if current else "empty (never migrated)"
        raise OutdatedSchema(
            f"The database is {where}, but this version needs revision {head}. "
            "Run `helpline db upgrade` first."
        )
