"""Probes for the service manager and the load balancer, and metrics for Prometheus.

``/healthz``: the process answers (no database: a slow database must not get healthy
processes restarted). ``/readyz``: this process can serve calls (database reachable, Redis
reachable when configured, schema at head); 503 otherwise, naming what is not ready.
``/metrics``: Prometheus text, to ``METRICS_ALLOWED`` addresses only (403 otherwise).
"""

from __future__ import annotations

import logging
import time

from flask import Blueprint, Flask, Response, abort, current_app, g, jsonify, request

from helpline import metrics
from helpline.runtime import current_runtime

logger = logging.getLogger(__name__)

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    return jsonify(status="ok")


def readiness(app: Flask) -> dict[str, str]:
    """Each dependency's state: ``ok`` or a short reason (no connection string, no secret)."""
    from sqlalchemy import text
    from sqlalchemy.exc import SQLAlchemyError

    from helpline.extensions import db
    from helpline.schema import current_revision, head_revision

    checks: dict[str, str] = {}
    try:
        db.session.execute(text("SELECT 1"))
        current = current_revision(db.engine)
        checks["database"] = "ok"
        checks["schema"] = "ok" if current == head_revision() else "not at the code's revision"
    except SQLAlchemyError as exc:
        logger.warning("Readiness: database unreachable (%s)", type(exc).__name__)
        checks["database"] = "unreachable"
    finally:
        db.session.remove()
    redis_url = app.extensions["helpline"].settings.redis_url
    if redis_url:
        checks["redis"] = "ok" if _redis_answers(app, redis_url) else "unreachable"
    return checks


def _redis_answers(app: Flask, url: str) -> bool:
    import redis
    from redis.exceptions import RedisError

    client = app.extensions.get("health_redis")
    if client is None:
        client = app.extensions["health_redis"] = redis.Redis.from_url(
            url, socket_timeout=0.5, socket_connect_timeout=0.5)
    try:
        return bool(client.ping())
    except RedisError:
        return False


@bp.get("/readyz")
def readyz():
    checks = readiness(current_app)
    ready = all(value == "ok" for value in checks.values())
    return jsonify(status="ready" if ready else "not ready", checks=checks), 200 if ready else 503


@bp.get("/metrics")
def prometheus_metrics():
    if not metrics.address_allowed(request.remote_addr, current_runtime().settings.metrics_allowed):
        abort(403, "Metrics are not served to this address (METRICS_ALLOWED).")
    return Response(metrics.exposition(current_app._get_current_object()),
                    content_type=metrics.CONTENT_TYPE)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)

    @app.before_request
    def start_webhook_timer():
        if request.blueprint == "ivr":
            g.webhook_started = time.perf_counter()

    @app.teardown_request
    def observe_webhook(_exc):
        started = g.pop("webhook_started", None)
        if started is not None:      # labelled by route name only: never a token or a number
            metrics.WEBHOOK_SECONDS.labels(request.endpoint or "unknown").observe(
                time.perf_counter() - started)
