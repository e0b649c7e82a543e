"""``make run`` stays readable: the jobs that run every second or minute log a line only when
they did something, and that line names no caller."""

from __future__ import annotations

import logging

import pytest

from scheduling import jobs
from tests.web.test_console_flow import console, queued_call, two_available  # noqa: F401 (fixture)


@pytest.fixture
def job_log(app, caplog):
    jobs._app = app
    caplog.set_level(logging.INFO)
    yield lambda: [r.getMessage() for r in caplog.records
                   if r.name.startswith(("scheduling", "apscheduler"))]
    jobs._app = None


def test_routing_ticks_and_minute_checks_with_nothing_to_do_write_no_line(job_log):
    for _ in range(5):
        jobs.run("routing_tick")
    jobs.run("shift_start_check")
    jobs.run("shift_reminders")
    assert job_log() == []


def test_a_routing_tick_that_offers_a_call_says_so_without_naming_the_caller(
        app, make_user, console, phone, clock, job_log):  # noqa: F811 (fixture)
    first, second = two_available(console, make_user, clock)
    call = queued_call(phone)
    assert first.events("offer")                          # offered on arrival, nothing logged
    clock.advance(seconds=21)                             # the first does not answer in time
    first.emit("heartbeat")
    second.emit("heartbeat")
    jobs.run("routing_tick")
    assert second.events("offer")
    lines = job_log()
    assert lines == ["Job routing_tick: calls offered: 1"]
    assert call.params["From"] not in lines[0] and call.sid not in lines[0]
