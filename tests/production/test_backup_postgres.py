"""The restore drill on PostgreSQL: pg_dump while running, the schema lost, pg_restore."""

from __future__ import annotations

import stat

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool


def test_a_postgresql_backup_restores_a_lost_database(postgres_cluster, helpline_env, tmp_path):
    helpline = helpline_env({"DATABASE_URL": postgres_cluster.url})
    for args in (("db", "upgrade"), ("demo-data",),
                 ("centres", "add", "--name", "Drill PSC", "--region", "Turkistan",
                  "--number", "+77252555150")):
        assert helpline.command(*args).returncode == 0
    target = tmp_path / "senim.dump"
    result = helpline.command("db", "backup", str(target))
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(target.stat().st_mode) == 0o600

    engine = create_engine(postgres_cluster.url, poolclass=NullPool)
    with engine.begin() as connection:                  # the disaster
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    assert "Drill PSC" not in helpline.command("centres", "list").stdout

    result = helpline.command("db", "restore", str(target), "--yes")
    assert result.returncode == 0, result.stderr
    assert "Drill PSC" in helpline.command("centres", "list").stdout
    current = helpline.command("db", "current").stdout
    database, code = current.split()[1], current.split()[3]
    assert database == code
