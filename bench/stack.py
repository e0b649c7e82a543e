"""What the production benchmarks run on, and the baseline they are compared with.

A throw-away PostgreSQL cluster and redis-server, started as the tests start them
(``tests/fixtures_backend.py``), or a SQLite file; ``helpline serve`` processes and ``helpline
scheduler`` running the code of a given source tree; and that tree at an older commit (the
baseline) checked out in a temporary ``git worktree``, so before and after run in the same run,
on the same machine, against the same servers.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:      # ``python bench/x.py``: the tests' fixtures live in this tree
    sys.path.insert(0, str(ROOT))

HELPLINE = str(Path(sys.executable).with_name("helpline"))
TOKEN = "bench-token"
PASSWORD = "bench password 1"  # noqa: S105 - a throw-away database


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def source_tree(commit: str) -> Iterator[Path]:
    """This tree (``commit`` empty) or ``commit`` checked out in a temporary worktree."""
    if not commit:
        yield ROOT
        return
    folder = tempfile.mkdtemp(prefix="senim-baseline-")
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", folder, commit],
                   check=True, capture_output=True)
    try:
        yield Path(folder)
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", folder],
                       check=False, capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


class Servers:
    """PostgreSQL and Redis (``postgres``), or nothing (``sqlite``): one fresh database per run."""

    def __init__(self, backend: str) -> None:
        self.backend = backend
        self._cluster = self._redis = None
        self._folder = Path(tempfile.mkdtemp(prefix="senim-bench-"))

    def __enter__(self) -> Servers:
        if self.backend == "postgres":
            from tests.fixtures_backend import PostgresCluster
            from tests.fixtures_redis import RedisServer

            self._cluster = PostgresCluster()
            self._cluster.start()
            self._redis = RedisServer(free_port(), self._folder)
            self._redis.start()
        return self

    def __exit__(self, *exc) -> None:
        if self._redis is not None:
            self._redis.stop()
        if self._cluster is not None:
            self._cluster.stop()
        shutil.rmtree(self._folder, ignore_errors=True)

    def fresh(self, instance: Path) -> dict[str, str]:
        """Settings of a new, empty database, not migrated (and an emptied Redis): the tree
        measured migrates it (:func:`seed_with`)."""
        if self._cluster is None:
            return {"database_url": f"sqlite:///{instance / 'helpline.sqlite3'}", "redis_url": ""}
        from tests.fixtures_backend import flush_redis

        flush_redis(self._redis.url)
        return {"database_url": self._cluster.url(self._cluster.new_database(migrated=False)),
                "redis_url": self._redis.url}


def seed_with(tree: Path, settings: dict[str, str], agents: int, instance: Path) -> None:
    """:func:`seed` run by ``tree``'s own code (a child process with that tree first on the path),
    so the database is migrated to the revision that tree's ``helpline serve`` expects."""
    code = ("import json, sys; from pathlib import Path; from sqlalchemy import create_engine; "
            "from helpline.schema import upgrade; import agent_console, ivr, scheduling; "
            "from stack import seed; "   # stack puts this tree on the path: the measured one first
            "settings = json.loads(sys.argv[1]); engine = create_engine(settings['database_url']); "
            "upgrade(engine); engine.dispose(); "
            "seed(settings, int(sys.argv[2]), Path(sys.argv[3]))")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join((str(tree), str(ROOT / "bench")))}
    subprocess.run([sys.executable, "-c", code, json.dumps(settings), str(agents), str(instance)],
                   check=True, env=env, cwd=str(tree))


def seed(settings: dict[str, str], agents: int, instance: Path) -> None:
    """The demo centres and numbers, and ``agents`` psychologists speaking kk, ru and en."""
    from helpline import create_app
    from helpline.extensions import db
    from helpline.services.accounts import NewUser, create_user
    from helpline.services.demo import load_demo_data

    app = create_app({**settings, "helpline_instance_path": str(instance), "log_level": "WARNING",
                      "socketio_message_queue": False}, environ={})
    with app.app_context():
        now = app.extensions["helpline"].clock.now()
        load_demo_data(db.session, now, with_users=False)
        for i in range(agents):
            create_user(db.session, NewUser(f"agent{i:03d}", PASSWORD, "psychologist", 2,
                                            ("kk", "ru", "en"), "en"), now)
        db.session.commit()
        db.engine.dispose()


class Processes:
    """``helpline serve`` and ``helpline scheduler`` of one source tree on one instance folder."""

    def __init__(self, tree: Path, instance: Path, settings: dict[str, str],
                 extra_env: dict[str, str] | None = None) -> None:
        self.instance = instance
        self.env = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/root"),
                    "PYTHONPATH": str(tree), "PYTHONUNBUFFERED": "1", "LOG_LEVEL": "WARNING",
                    "HELPLINE_INSTANCE_PATH": str(instance), "TWILIO_AUTH_TOKEN": TOKEN,
                    "SECRET_KEY": secrets.token_hex(16), "RING_TIMEOUT_SECONDS": "600",
                    **{key.upper(): value for key, value in settings.items() if value},
                    **(extra_env or {})}
        self._running: list[subprocess.Popen] = []

    def _start(self, name: str, *args: str) -> None:
        with open(self.instance / f"{name}.log", "w") as out:
            self._running.append(subprocess.Popen(  # noqa: S603 - our own command
                [HELPLINE, *args], env=self.env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True))

    def serve(self, ports: list[int], threads: int) -> list[str]:
        """One ``helpline serve`` per port; returns their base URLs once they answer."""
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        for port in ports:
            self._start(f"web-{port}", "serve", "--bind", f"127.0.0.1:{port}", "--threads",
                        str(threads))
        for base in bases:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if requests.get(f"{base}/healthz", timeout=1).ok:
                        break
                except requests.ConnectionError:
                    pass
                if time.monotonic() > deadline:
                    logs = "".join(f"--- {log.name}\n{log.read_text(errors='replace')[-2000:]}\n"
                                   for log in sorted(self.instance.glob("web-*.log")))
                    raise SystemExit(f"{base} did not start within 60 s:\n{logs}")
                time.sleep(0.1)
        return bases

    def scheduler(self) -> None:
        self._start("scheduler", "scheduler")

    def stop(self) -> None:
        for process in self._running:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self._running:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
