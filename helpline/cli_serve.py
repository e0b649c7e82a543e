"""``helpline serve``: the production web server (gunicorn, threaded, WebSocket through
simple-websocket), one process per port; ``helpline run``: the development server.

Flask-SocketIO in threading mode runs under gunicorn's threaded worker (``gthread``) with one
worker per gunicorn: gunicorn's own balancer does not keep a Socket.IO client on the process that
holds its session, so more capacity means more ``helpline serve`` processes on more ports
(``deploy/systemd/senim-web@.service``), nginx routing each client to the same one (sticky) and
Redis (``REDIS_URL``) carrying events between them.
"""

from __future__ import annotations

import os

import click

from helpline.cli_support import pass_state


def gunicorn_options(bind: tuple[str, ...], threads: int, timeout: int, access_log: bool) -> dict:
    """What gunicorn is told: threaded worker, one process, graceful stop within ``timeout``."""
    return {
        "bind": list(bind),
        "workers": 1,
        "worker_class": "gthread",
        "threads": threads,
        # a WebSocket occupies its thread for the whole shift: gthread's heartbeat runs apart
        # from request threads, so ``timeout`` only catches a stuck worker, never a long socket
        "timeout": timeout,
        "graceful_timeout": timeout,
        "keepalive": 5,
        # access lines carry no query strings (a join token could be in one) and no body
        "accesslog": "-" if access_log else None,
        "access_log_format": '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms',
        "errorlog": "-",
        "preload_app": False,       # the app (threads, Redis, database pools) is built per worker
        "forwarded_allow_ips": "127.0.0.1,::1",
    }


def build_server(app_factory, options: dict):
    """A gunicorn application whose worker builds the Flask app itself (never forked with
    live threads or connections)."""
    from gunicorn.app.base import BaseApplication

    class HelplineServer(BaseApplication):
        def load_config(self) -> None:
            for key, value in options.items():
                if value is not None:
                    self.cfg.set(key, value)

        def load(self):
            return app_factory()

    return HelplineServer()


@click.command("serve")
@click.option("--bind", "-b", multiple=True, default=("127.0.0.1:8001",), show_default=True,
              help="Address to listen on (host:port or unix:/path); may be repeated.")
@click.option("--workers", "-w", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Processes; Socket.IO needs 1 per port: start more `helpline serve` instead.")
@click.option("--threads", default=64, show_default=True, type=click.IntRange(2, 1000),
              help="Threads of the process: each open console holds one.")
@click.option("--timeout", default=30, show_default=True, type=click.IntRange(5, 600),
              help="Seconds a stuck worker is given, and a graceful stop lasts at most.")
@click.option("--access-log/--no-access-log", default=False, show_default=True)
@pass_state
def serve(state, bind: tuple[str, ...], workers: int, threads: int, timeout: int,
          access_log: bool) -> None:
    """Serve HTTP and Socket.IO in production (gunicorn). Refuses an outdated schema.

    Run the scheduler apart (`helpline scheduler`): this process runs no jobs.
    """
    if workers != 1:
        raise click.ClickException(
            "Socket.IO needs one worker per process (gunicorn cannot keep a console on the process "
            "holding its session). Run several `helpline serve` on different ports behind nginx "
            "(deploy/systemd/senim-web@.service), with REDIS_URL set.")
    from helpline.extensions import db
    from helpline.schema import OutdatedSchema, check_schema

    app = state.get_app()      # configuration and schema checked before gunicorn starts;
    # each worker then builds its own app (no threads or connections carried over a fork)
    with app.app_context():
        try:
            check_schema(db.engine)
        except OutdatedSchema as exc:
            raise click.ClickException(str(exc)) from exc
        db.engine.dispose()    # the worker opens its own connections
    click.echo(f"Senim serving on {', '.join(bind)} (gthread, {threads} threads)")

    def worker_app():
        from helpline import create_app

        return create_app(state.overrides)

    build_server(worker_app, gunicorn_options(bind, threads, timeout, access_log)).run()


@click.command("run")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@pass_state
def run(state, host: str, port: int) -> None:
    """Serve the app (HTTP and Socket.IO). Refuses to serve an outdated schema."""
    from helpline.extensions import db as database
    from helpline.extensions import socketio
    from helpline.schema import OutdatedSchema, check_schema

    if not os.environ.get("PUBLIC_BASE_URL"):
        shown = "127.0.0.1" if host in {"0.0.0.0", "::"} else host  # noqa: S104
        state.overrides["public_base_url"] = f"http://{shown}:{port}"
    app = state.get_app()
    with app.app_context():
        try:
            check_schema(database.engine)
        except OutdatedSchema as exc:
            raise click.ClickException(str(exc)) from exc
    settings = app.extensions["helpline"].settings
    base = settings.public_base_url
    click.echo(f"Senim is serving on http://{host}:{port} (public URL {base})")
    click.echo(f"  Carrier: {settings.carrier}")
    if "carrier" in app.extensions:
        click.echo(f"  Simulated phone: {base}/simulator")
    click.echo(f"  Twilio voice URL: {base}/ivr/voice   status callback: {base}/ivr/status"
               f"   fallback: {base}/ivr/fallback")
    from scheduling.leader import schedule_in_background

    schedule_in_background(app, echo=click.echo)   # unless a `helpline scheduler` holds the lock
    socketio.run(app, host=host, port=port, allow_unsafe_werkzeug=True, use_reloader=False)


COMMANDS = (run, serve)
