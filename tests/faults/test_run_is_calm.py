"""``make run`` prints what a person needs when it starts, not the set-up lines of its libraries."""

from __future__ import annotations


def test_helpline_run_starts_without_the_migration_tools_set_up_lines(server_process):
    server = server_process({"LOG_LEVEL": "INFO"})          # the level `make run` logs at
    server.command("db", "upgrade")
    server.start()
    server.stop()
    started = server.log.read_text()
    assert "Senim is serving on" in started
    assert "alembic" not in started, started
