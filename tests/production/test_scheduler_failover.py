"""One scheduler per deployment: two ``helpline scheduler`` processes, one active, one standby;
SIGKILL the active one and the standby runs the jobs within 10 s."""

from __future__ import annotations

import time
import urllib.request

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from tests.conftest import wait_until
from tests.faults.conftest import free_port
from tests.production.conftest import wait_for_text

ACTIVE = "Scheduler active"
STANDBY = "Scheduler standby"


def _routing_tick_due(url: str) -> float | None:
    """When the routing tick is next due in the shared job store (it moves every second while
    some scheduler runs the jobs)."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return connection.execute(text(
                "SELECT next_run_time FROM scheduler_jobs WHERE id = 'routing_tick'")).scalar()
    finally:
        engine.dispose()


def _jobs_running(url: str) -> bool:
    first = _routing_tick_due(url)
    return wait_until(lambda: _routing_tick_due(url) not in (None, first), timeout=5)


def _scheduler_metrics(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as answer:  # noqa: S310
        return answer.read().decode()


def _failover(helpline, database_url: str) -> None:
    assert helpline.command("db", "upgrade").returncode == 0
    ports = free_port(), free_port()
    one, one_log = helpline.start("scheduler-1", "scheduler", "--metrics-bind", f"127.0.0.1:{ports[0]}")
    assert wait_for_text(one_log, ACTIVE, 30), one_log.read_text()
    two, two_log = helpline.start("scheduler-2", "scheduler", "--metrics-bind", f"127.0.0.1:{ports[1]}")
    assert wait_for_text(two_log, STANDBY, 30), two_log.read_text()
    assert _jobs_running(database_url)
    assert ACTIVE not in two_log.read_text()          # never two active
    assert "senim_scheduler_active 1.0" in _scheduler_metrics(ports[0])
    standby = _scheduler_metrics(ports[1])
    assert "senim_scheduler_active 0.0" in standby
    assert 'senim_job_runs_total{job="routing_tick"}' not in standby

    helpline.kill(one)
    killed_at = time.monotonic()
    assert wait_for_text(two_log, ACTIVE, 10), two_log.read_text()
    assert time.monotonic() - killed_at < 10
    assert _jobs_running(database_url), "the standby took the lock but runs no jobs"
    assert two.poll() is None
    assert "senim_scheduler_active 1.0" in _scheduler_metrics(ports[1])
    assert wait_until(lambda: 'senim_job_runs_total{job="routing_tick"}' in _scheduler_metrics(ports[1]),
                      timeout=10)


def test_on_sqlite_and_redis_the_standby_takes_over_when_the_active_one_is_killed(
        redis_server, helpline_env, tmp_path):
    url = f"sqlite:///{tmp_path / 'senim.sqlite3'}"
    helpline = helpline_env({"DATABASE_URL": url, "REDIS_URL": redis_server.url})
    _failover(helpline, url)


def test_on_postgresql_the_standby_takes_over_when_the_active_one_is_killed(
        postgres_cluster, helpline_env):
    helpline = helpline_env({"DATABASE_URL": postgres_cluster.url})
    _failover(helpline, postgres_cluster.url)


def test_a_second_scheduler_started_alone_on_sqlite_becomes_active_only_after_the_first_stops(
        helpline_env):
    helpline = helpline_env({})
    url = f"sqlite:///{helpline.instance / 'helpline.sqlite3'}"
    _failover(helpline, url)

