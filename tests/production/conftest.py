"""Production-shape helpers: a throw-away PostgreSQL cluster and ``helpline`` subprocesses."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.conftest import AUTH_TOKEN, wait_until
from tests.faults.conftest import HELPLINE, free_port

PG_BIN = Path("/usr/lib/postgresql/15/bin")
RUNUSER = "/usr/sbin/runuser"


class PostgresCluster:
    """``initdb`` + ``pg_ctl`` as user postgres in a fresh folder, on a free loopback port."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="senim-pg-"))
        self.port = free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/senim"

    def _as_postgres(self, *args: str, check: bool = True) -> None:
        command = [*args] if os.getuid() != 0 else [RUNUSER, "-u", "postgres", "--", *args]
        subprocess.run(command, check=check, capture_output=True, timeout=120)

    def start(self) -> PostgresCluster:
        if os.getuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        data = self.folder / "data"
        self._as_postgres(str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
                          "--no-sync", "-E", "UTF8")
        self._as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(self.folder / "log"),
                          "-w", "-o", f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
                          "-c fsync=off -c full_page_writes=off", "start")
        self._as_postgres(str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(self.port),
                          "-U", "postgres", "senim")
        return self

    def stop(self) -> None:
        self._as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.folder / "data"), "-m",
                          "immediate", "stop", check=False)
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture
def postgres_cluster():
    """A running, empty PostgreSQL; fails (never skips) when Debian's PostgreSQL is missing."""
    if not (PG_BIN / "initdb").exists():
        pytest.fail(f"{PG_BIN}/initdb is missing: install Debian's postgresql "
                    "(`make test` does)")
    cluster = PostgresCluster()
    try:
        yield cluster.start()
    finally:
        cluster.stop()


class Helpline:
    """``helpline`` commands and long-running processes on one instance folder and environment."""

    def __init__(self, instance: Path, env: dict[str, str]) -> None:
        instance.mkdir(parents=True, exist_ok=True)
        self.instance = instance
        self.env = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/root"),
                    "PYTHONPATH": os.environ.get("PYTHONPATH", ""), "PYTHONUNBUFFERED": "1",
                    "HELPLINE_INSTANCE_PATH": str(instance), "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
                    "LOG_LEVEL": "WARNING", **env}
        self.processes: list[tuple[subprocess.Popen, Path]] = []

    def command(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([HELPLINE, *args], env=self.env, capture_output=True, text=True,
                              timeout=120, check=False)

    def start(self, name: str, *args: str) -> tuple[subprocess.Popen, Path]:
        log = self.instance.parent / f"{name}.log"
        with open(log, "w") as out:
            process = subprocess.Popen([HELPLINE, *args], env=self.env, stdout=out,  # noqa: S603
                                       stderr=subprocess.STDOUT, start_new_session=True)
        self.processes.append((process, log))
        return process, log

    @staticmethod
    def kill(process: subprocess.Popen) -> None:
        """SIGKILL to the process and its children (gunicorn's worker): no clean-up of any
        kind, as when a machine dies."""
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        for process, _log in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process, _log in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def helpline_env(tmp_path):
    made: list[Helpline] = []

    def make(env: dict[str, str], name: str = "instance") -> Helpline:
        helpline = Helpline(tmp_path / name, env)
        made.append(helpline)
        return helpline

    yield make
    for helpline in made:
        helpline.stop_all()


def wait_for_text(log: Path, text: str, timeout: float) -> bool:
    """True as soon as ``text`` appears in ``log`` (a process's output)."""
    return wait_until(lambda: text in log.read_text(), timeout)
