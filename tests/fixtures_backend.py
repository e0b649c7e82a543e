"""The database and live store the tests run on: ``HELPLINE_TEST_BACKEND``.

``sqlite`` (the default): the embedded defaults, a SQLite file in each test's instance folder
and the in-process live store.  ``postgres``: what production runs, Debian's PostgreSQL and
redis-server. One throw-away cluster (owned by ``postgres`` when we are root, fsync off) and
one redis-server serve the whole session; each test gets its own database, copied from a
migrated template, and an empty Redis, for the live store and the Socket.IO message queue.
"""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import count
from pathlib import Path

import pytest

from tests.fixtures_redis import REDIS_SERVER, RedisServer, _free_port

BACKENDS = ("sqlite", "postgres")
BACKEND = os.environ.get("HELPLINE_TEST_BACKEND", "sqlite").strip() or "sqlite"
if BACKEND not in BACKENDS:
    raise pytest.UsageError(f"HELPLINE_TEST_BACKEND must be one of {', '.join(BACKENDS)}, not {BACKEND!r}")

TEMPLATE = "senim_template"
#: Databases of finished tests kept before they are dropped.
RETIRED_KEPT = 5
#: PostgreSQL settings for a cluster whose data is thrown away: speed over durability.
SERVER_OPTIONS = ("-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                  "-c max_connections=300 -c listen_addresses='' -c shared_buffers=64MB")


def postgres_bin(name: str) -> str:
    """A program of Debian's newest installed PostgreSQL (its wrappers in /usr/bin pick clusters)."""
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                   key=lambda p: int(Path(p).parts[-3]))
    if not found:
        pytest.fail("PostgreSQL is missing: install Debian's postgresql "
                    "(`make test` does: apt-get install postgresql)")
    return found[-1]


class PostgresCluster:
    """``initdb`` into a temporary folder and ``pg_ctl start`` on a Unix socket there."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="senim-pg-"))   # short: a socket path is limited
        self.data = self.root / "data"
        self._as_owner: list[str] = []
        self._numbers = count(1)
        self._retired: deque[str] = deque()

    def _run(self, *args: str) -> None:
        result = subprocess.run([*self._as_owner, *args], capture_output=True, text=True,
                                timeout=120, check=False)
        if result.returncode:
            pytest.fail(f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")

    def start(self) -> None:
        if os.geteuid() == 0:     # PostgreSQL refuses to run as root
            shutil.chown(self.root, "postgres", "postgres")
            self._as_owner = ["runuser", "-u", "postgres", "--"]
        self._run(postgres_bin("initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
                  "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")
        self._run(postgres_bin("pg_ctl"), "start", "-w", "-t", "60", "-D", str(self.data),
                  "-l", str(self.root / "server.log"),
                  "-o", f"{SERVER_OPTIONS} -k {self.root}")
        self.admin(f"CREATE DATABASE {TEMPLATE}")
        from sqlalchemy import create_engine

        from helpline.schema import upgrade

        engine = create_engine(self.url(TEMPLATE))
        upgrade(engine)
        engine.dispose()

    def stop(self) -> None:
        if self.data.exists():
            subprocess.run([*self._as_owner, postgres_bin("pg_ctl"), "stop", "-m", "immediate",
                            "-D", str(self.data)], capture_output=True, timeout=60, check=False)
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@/{database}?host={self.root}"

    def admin(self, *statements: str) -> None:
        import psycopg

        with psycopg.connect(host=str(self.root), user="postgres", dbname="postgres",
                             autocommit=True) as connection:
            for statement in statements:
                connection.execute(statement)

    def new_database(self, migrated: bool = True) -> str:
        """A fresh database, migrated (a copy of the template) or empty; returns its name."""
        name = f"senim_test_{next(self._numbers)}"
        template = TEMPLATE if migrated else "template0"
        self.admin(f"CREATE DATABASE {name} TEMPLATE {template} STRATEGY FILE_COPY")
        return name

    def retire_database(self, name: str) -> None:
        """Drop a test's database a few tests later: threads its app left (a socket closing,
        a background publish) may still use it for a moment after the test."""
        self._retired.append(name)
        while len(self._retired) > RETIRED_KEPT:
            self.admin(f"DROP DATABASE IF EXISTS {self._retired.popleft()} WITH (FORCE)")

    def stored_bytes(self, name: str) -> bytes:
        """The database as ``pg_dump`` writes it (every row of every table, as text), then its
        files on disk after a checkpoint (with the rows updated or deleted but not yet vacuumed)."""
        dump = subprocess.run([postgres_bin("pg_dump"), "-h", str(self.root), "-U", "postgres",
                               "--no-owner", name], capture_output=True, check=True, timeout=120).stdout
        import psycopg

        with psycopg.connect(host=str(self.root), user="postgres", dbname="postgres",
                             autocommit=True) as connection:
            connection.execute("CHECKPOINT")
            (oid,) = connection.execute("SELECT oid FROM pg_database WHERE datname = %s",
                                        (name,)).fetchone()
        files = sorted(p for p in (self.data / "base" / str(oid)).iterdir() if p.is_file())
        return dump + b"".join(p.read_bytes() for p in files)


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", "empty_database: the test's database starts never migrated "
                            "(on SQLite every test's does; on PostgreSQL others start migrated)")


@pytest.fixture(scope="session")
def postgres_cluster():
    cluster = PostgresCluster()
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def backend_redis(tmp_path_factory):
    if not os.access(REDIS_SERVER, os.X_OK):
        pytest.fail(f"{REDIS_SERVER} is missing: install Debian's redis-server")
    server = RedisServer(_free_port(), tmp_path_factory.mktemp("backend-redis"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


def flush_redis(url: str) -> None:
    import redis as redis_client

    connection = redis_client.Redis.from_url(url)
    try:
        connection.flushall()
    finally:
        connection.close()


class Backend:
    """One test's database and live store: ``overrides`` go into every app's settings,
    ``environ`` into every ``helpline`` process's environment."""

    def __init__(self, name: str, cluster: PostgresCluster | None = None, database: str = "",
                 redis_url: str = "") -> None:
        self.name = name
        self.cluster = cluster
        self.database = database
        #: for apps served to real clients (browsers, ``helpline run``): Redis also carries
        #: Socket.IO between processes
        self.served_overrides: dict[str, object] = {}
        if cluster is not None:
            self.served_overrides = {"database_url": cluster.url(database), "redis_url": redis_url}
        self.environ = {key.upper(): str(value) for key, value in self.served_overrides.items()}
        #: for apps the tests drive in-process: Redis keeps live state only, since Flask-SocketIO's
        #: test client receives what the message queue carries later, on another thread
        self.overrides = {**self.served_overrides, "socketio_message_queue": False} if cluster else {}

    def flush_live_state(self) -> None:
        """Empty the Redis that holds live-call state (as a Redis restarted without persistence)."""
        if self.cluster is not None:
            flush_redis(str(self.served_overrides["redis_url"]))

    def lose_live_state(self, app) -> None:
        """The app's live-call state is gone: its process restarted (the in-memory store), or
        its Redis restarted empty."""
        if self.cluster is not None:
            self.flush_live_state()
            return
        from helpline.live import MemoryLiveCallStore

        live = app.extensions["helpline"].live
        live.__dict__.update(MemoryLiveCallStore(3600).__dict__)

    def database_url(self, instance: Path) -> str:
        """The URL of the database an app (or ``helpline`` process) on ``instance`` uses."""
        return str(self.overrides.get("database_url") or f"sqlite:///{instance / 'helpline.sqlite3'}")

    @contextmanager
    def other_process(self, instance: Path):
        """A connection of another process's to the same database, committed at the end."""
        from sqlalchemy import create_engine
        from sqlalchemy.pool import NullPool

        engine = create_engine(self.database_url(instance), poolclass=NullPool)
        try:
            with engine.begin() as connection:
                yield connection
        finally:
            engine.dispose()

    @contextmanager
    def locked(self, instance: Path) -> Iterator[None]:
        """Another process holds the whole database until it lets go: SQLite's ``BEGIN
        EXCLUSIVE`` (no one else writes; in write-ahead-log mode readers still read), or an
        ``ACCESS EXCLUSIVE`` lock on every table (no one else reads or writes)."""
        if self.cluster is None:
            holder = sqlite3.connect(instance / "helpline.sqlite3", isolation_level=None, timeout=0.1)
            holder.execute("BEGIN EXCLUSIVE")
            try:
                yield
            finally:
                holder.execute("ROLLBACK")
                holder.close()
            return
        import psycopg

        with psycopg.connect(host=str(self.cluster.root), user="postgres", dbname=self.database) as holder:
            holder.execute("SET lock_timeout = '10s'")    # an open transaction elsewhere: fail, not hang
            tables = [row[0] for row in holder.execute(
                "SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = 'public'")]
            holder.execute(f"LOCK TABLE {', '.join(tables)} IN ACCESS EXCLUSIVE MODE")
            try:
                yield
            finally:
                holder.rollback()

    def stored_bytes(self, app) -> bytes:
        """Everything the database holds at rest: the SQLite file (with its journal and WAL),
        or a ``pg_dump`` of the PostgreSQL database and its files."""
        if self.cluster is not None:
            return self.cluster.stored_bytes(self.database)
        database = Path(app.extensions["helpline"].settings.database_url.removeprefix("sqlite:///"))
        return b"".join(p.read_bytes() for p in sorted(database.parent.glob(database.name + "*")))


@pytest.fixture
def backend(request):
    if BACKEND == "sqlite":
        yield Backend("sqlite")
        return
    cluster = request.getfixturevalue("postgres_cluster")
    redis = request.getfixturevalue("backend_redis")
    flush_redis(redis.url)
    database = cluster.new_database(migrated=request.node.get_closest_marker("empty_database") is None)
    try:
        yield Backend("postgres", cluster, database, redis.url)
    finally:
        cluster.retire_database(database)
