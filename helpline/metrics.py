"""Prometheus metrics: how the line is doing, never who is calling.

Counts, durations and states only: no number, no CallSid, no call id, no name appears in a
label or a value. Served at ``/metrics`` by every web process and by the scheduler
(``helpline scheduler --metrics-bind``), to the networks in ``METRICS_ALLOWED`` only.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from pathlib import Path

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily

#: Seconds from a carrier webhook's arrival to its answer (the caller hears nothing meanwhile).
WEBHOOK_SECONDS = Histogram(
    "senim_webhook_duration_seconds", "Time to answer a carrier webhook.", ["endpoint"],
    buckets=(0.05, 0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0), registry=None)
#: Seconds one routing tick takes (offers, ring timeouts, wrap-up ends).
ROUTING_TICK_SECONDS = Histogram(
    "senim_routing_tick_duration_seconds", "Time one routing tick takes.",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5), registry=None)
JOB_RUNS = Counter("senim_job_runs", "Scheduled job runs.", ["job"], registry=None)
JOB_FAILURES = Counter("senim_job_failures", "Scheduled job runs that failed.", ["job"],
                       registry=None)
PROCESS_METRICS = (WEBHOOK_SECONDS, ROUTING_TICK_SECONDS, JOB_RUNS, JOB_FAILURES)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def parse_networks(values: Iterable[str]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """``METRICS_ALLOWED``: CIDRs (or single addresses); ValueError names a bad one."""
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value, strict=False))
        except ValueError as exc:
            raise ValueError(f"METRICS_ALLOWED: {value!r} is not an address or network") from exc
    return tuple(networks)


def address_allowed(address: str | None, allowed: Iterable[str]) -> bool:
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address.split("%")[0])
    except ValueError:
        return False
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return any(ip in network for network in parse_networks(allowed))


class LineCollector:
    """What the line looks like now, read from the database at scrape time."""

    def __init__(self, app) -> None:
        self.app = app

    def collect(self):
        from helpline.extensions import db

        runtime = self.app.extensions["helpline"]
        with self.app.app_context():
            try:
                yield from self._from_database(db.session, runtime.clock.now())
            finally:
                db.session.remove()
        spool = GaugeMetricFamily("senim_spool_calls",
                                  "Calls kept in the spool until the database answers again.")
        spool.add_metric([], _spool_size(Path(runtime.settings.helpline_instance_path) / "spool"))
        yield spool

    @staticmethod
    def _from_database(session, now):
        from sqlalchemy import func, select

        from helpline.models import AgentPresence, AgentState, Call, CallState, ProviderPurgeRun

        waiting = GaugeMetricFamily("senim_calls_waiting", "Calls in the queue now, per centre.",
                                    labels=["centre"])
        longest = GaugeMetricFamily("senim_longest_wait_seconds",
                                    "Longest current wait in the queue, per centre.", labels=["centre"])
        for centre_id, count, first in session.execute(
                select(Call.centre_id, func.count(), func.min(Call.queued_at))
                .where(Call.state == CallState.QUEUED.value).group_by(Call.centre_id)):
            label = str(centre_id or "none")
            waiting.add_metric([label], count)
            longest.add_metric([label], max(0.0, (now - first).total_seconds()) if first else 0.0)
        agents = GaugeMetricFamily("senim_agents", "Psychologists by console state.", labels=["state"])
        counts = dict(session.execute(select(AgentPresence.state, func.count())
                                      .group_by(AgentPresence.state)).all())
        for state in AgentState:
            agents.add_metric([state.value], counts.get(state.value, 0))
        backlog = GaugeMetricFamily("senim_purge_backlog",
                                    "Ended calls still held by the voice provider after the last sweep.")
        last = session.scalars(select(ProviderPurgeRun).order_by(ProviderPurgeRun.id.desc())
                               .limit(1)).first()
        backlog.add_metric([], (last.calls_not_final + last.calls_failed) if last else 0)
        return [waiting, longest, agents, backlog]


def _spool_size(folder: Path) -> int:
    try:
        return sum(1 for path in folder.iterdir()
                   if path.suffix == ".json" and not path.name.startswith("."))
    except FileNotFoundError:
        return 0


def exposition(app=None, extra: Iterable = ()) -> bytes:
    """The text Prometheus scrapes: this process's counters, plus the line's state from ``app``."""
    registry = CollectorRegistry(auto_describe=False)
    for metric in (*PROCESS_METRICS, *extra):
        registry.register(metric)
    if app is not None:
        registry.register(LineCollector(app))
    return generate_latest(registry)



def serve_in_background(bind: str, allowed: Iterable[str], app=None, extra: Iterable = ()):
    """``/metrics`` on its own small HTTP server (the scheduler, which serves nothing else);
    the same address check as the web processes'. Returns the server (``shutdown()`` stops it)."""
    import threading
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    allowed = tuple(allowed)
    extra = tuple(extra)

    def wsgi(environ, start_response):
        if environ.get("PATH_INFO") != "/metrics":
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"Not found\n"]
        if not address_allowed(environ.get("REMOTE_ADDR"), allowed):
            start_response("403 Forbidden", [("Content-Type", "text/plain")])
            return [b"Metrics are not served to this address (METRICS_ALLOWED).\n"]
        start_response("200 OK", [("Content-Type", CONTENT_TYPE)])
        return [exposition(app, extra)]

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, *_args) -> None:   # scrapes every 15 s would fill the log
            pass

    host, _, port = bind.rpartition(":")
    server = make_server(host.strip("[]") or "127.0.0.1", int(port), wsgi, handler_class=QuietHandler)
    threading.Thread(target=server.serve_forever, name="metrics", daemon=True).start()
    return server
