"""Probes and metrics: /healthz, /readyz and /metrics as the service manager, the load
balancer and Prometheus see them."""

from __future__ import annotations

import re

import pytest

from helpline import create_app
from helpline.config import ConfigError
from helpline.extensions import db
from tests.conftest import ALMATY
from tests.faults.conftest import free_port

LOOPBACK = {"REMOTE_ADDR": "127.0.0.1"}
OUTSIDE = {"REMOTE_ADDR": "203.0.113.9"}


def _metric(text: str, name: str, labels: str = "") -> float:
    match = re.search(rf"^{re.escape(name)}{re.escape(labels)} (\S+)$", text, re.MULTILINE)
    assert match, f"{name}{labels} not in:\n{text}"
    return float(match.group(1))


def test_a_migrated_app_is_healthy_and_ready(client, backend):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    answer = client.get("/readyz")
    assert answer.status_code == 200
    redis = {"redis": "ok"} if backend.overrides.get("redis_url") else {}
    assert answer.get_json()["checks"] == {"database": "ok", "schema": "ok", **redis}


def test_an_unreachable_database_leaves_the_process_healthy_but_not_ready(settings_overrides, tmp_path):
    app = create_app({**settings_overrides,
                      "database_url": f"sqlite:///{tmp_path}/no/such/folder/db.sqlite3"}, environ={})
    client = app.test_client()
    assert client.get("/healthz").status_code == 200          # no restart for a database outage
    answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.get_json()["checks"]["database"] == "unreachable"
    assert "no/such/folder" not in answer.get_data(as_text=True)


@pytest.mark.empty_database
def test_a_database_behind_the_code_is_not_ready(settings_overrides):
    app = create_app(settings_overrides, environ={})           # never migrated
    answer = app.test_client().get("/readyz")
    assert answer.status_code == 503
    assert answer.get_json()["checks"]["schema"] == "not at the code's revision"


def test_configured_redis_that_does_not_answer_makes_the_process_not_ready(make_app):
    app = make_app(redis_url=f"redis://127.0.0.1:{free_port()}/0", socketio_message_queue=False)
    answer = app.test_client().get("/readyz")
    assert answer.status_code == 503
    assert answer.get_json()["checks"] == {"database": "ok", "schema": "ok", "redis": "unreachable"}


def test_configured_redis_that_answers_is_ready(make_app, redis_server):
    app = make_app(redis_url=redis_server.url, socketio_message_queue=False)
    answer = app.test_client().get("/readyz")
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["checks"]["redis"] == "ok"


def test_metrics_are_refused_to_addresses_outside_metrics_allowed(client):
    answer = client.get("/metrics", environ_base=OUTSIDE)
    assert answer.status_code == 403
    assert "senim_" not in answer.get_data(as_text=True)
    assert client.get("/metrics", environ_base=LOOPBACK).status_code == 200


def test_metrics_allowed_opens_them_to_a_configured_network(make_app):
    app = make_app(metrics_allowed=("203.0.113.0/24",))
    assert app.test_client().get("/metrics", environ_base=OUTSIDE).status_code == 200
    assert app.test_client().get("/metrics", environ_base=LOOPBACK).status_code == 403


def test_a_bad_metrics_allowed_value_stops_start_up_naming_the_variable(settings_overrides):
    with pytest.raises(ConfigError, match="METRICS_ALLOWED"):
        create_app(settings_overrides, environ={"METRICS_ALLOWED": "10.0.0.0/8,not-a-network"})


def test_metrics_show_the_waiting_call_and_the_webhooks_but_no_caller_data(client, phone, clock, app):
    before = client.get("/metrics", environ_base=LOOPBACK).get_data(as_text=True)
    answered = 'senim_webhook_duration_seconds_count{endpoint="ivr.incoming_call"}'
    voice_before = _metric(before, answered) if answered in before else 0.0
    caller = "+77051234567"
    call = phone(ALMATY, caller=caller)
    call.dial()
    call.press("3")
    call.press("1")                                 # now in the queue
    clock.advance(seconds=42)
    text = client.get("/metrics", environ_base=LOOPBACK).get_data(as_text=True)

    assert _metric(text, "senim_calls_waiting", '{centre="2"}') == 1
    assert _metric(text, "senim_longest_wait_seconds", '{centre="2"}') == 42
    assert _metric(text, answered) == voice_before + 1
    assert _metric(text, "senim_agents", '{state="available"}') == 0
    assert _metric(text, "senim_spool_calls") == 0
    assert _metric(text, "senim_purge_backlog") == 0
    with app.app_context():
        call_ids = db.session.execute(db.text("SELECT id FROM calls")).scalars().all()
    for secret in (caller, caller[1:], caller[-7:], call.sid, *call_ids):
        assert secret not in text
