"""``helpline run`` (``make run``) beside a ``helpline scheduler``: never two active schedulers.

``helpline run`` serves and schedules in one process; it takes the same scheduler lock as
``helpline scheduler``, so when one already runs the jobs the demo server waits as its standby,
and takes the jobs over when that scheduler stops.
"""

from __future__ import annotations

import signal
import subprocess

from tests.conftest import wait_until
from tests.faults.conftest import HELPLINE


def test_helpline_run_waits_as_standby_while_a_scheduler_holds_the_lock(server_process, tmp_path):
    server = server_process({"RECONCILE_INTERVAL_SECONDS": "1"})
    server.command("db", "upgrade")
    server.command("demo-data")
    scheduler_log = tmp_path / "scheduler.log"
    with open(scheduler_log, "w") as log:
        scheduler = subprocess.Popen([HELPLINE, "scheduler"], env=server.env, stdout=log,
                                     stderr=subprocess.STDOUT)
    try:
        assert wait_until(lambda: "Scheduler active" in scheduler_log.read_text(), timeout=60)
        server.start()
        assert wait_until(lambda: "Scheduler standby" in server.log.read_text(), timeout=30)
        assert "Scheduler active" not in server.log.read_text()

        scheduler.send_signal(signal.SIGTERM)          # the scheduler stops: the lock is free
        scheduler.wait(timeout=30)
        assert wait_until(lambda: "Scheduler active" in server.log.read_text(), timeout=20)
    finally:
        if scheduler.poll() is None:
            scheduler.kill()
            scheduler.wait(timeout=10)
