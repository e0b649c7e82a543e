"""A real Redis for tests: Debian's redis-server on a free loopback port, persistence off.

The tests stop and restart it to check that the live-call store survives an outage; a restart
comes back empty, as a Redis without persistence does in production.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path

import pytest

REDIS_SERVER = "/usr/bin/redis-server"

#: Seconds to wait for a starting server to answer PING.
START_SECONDS = 10.0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class RedisServer:
    """One redis-server process on a fixed port; ``stop`` kills it, ``start`` brings up an empty one."""

    def __init__(self, port: int, workdir: Path) -> None:
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self._workdir = workdir
        self._log = workdir / "redis.log"
        self._process: subprocess.Popen | None = None

    @property
    def running(self) -> bool:
        return self._process is not None

    def start(self) -> None:
        if self._process is not None:
            raise RuntimeError("redis-server is already running")
        self._process = subprocess.Popen(  # noqa: S603 (fixed binary, our own arguments)
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self._workdir), "--logfile", str(self._log)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_SECONDS
        while not _answers_ping(self.port):
            if self._process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                log = self._log.read_text(errors="replace") if self._log.exists() else ""
                pytest.fail(f"redis-server did not answer PING on port {self.port}:\n{log[-2000:]}")
            time.sleep(0.01)

    def stop(self) -> None:
        if self._process is None:
            return
        self._process.kill()
        self._process.wait()
        self._process = None


@pytest.fixture
def redis_server(tmp_path):
    """A running, empty redis-server; fails (never skips) if Debian's redis-server is missing."""
    if not os.access(REDIS_SERVER, os.X_OK):
        pytest.fail(f"{REDIS_SERVER} is missing: install Debian's redis-server "
                    "(`make test` does: apt-get install redis-server)")
    workdir = tmp_path / "redis"
    workdir.mkdir()
    server = RedisServer(_free_port(), workdir)
    server.start()
    try:
        yield server
    finally:
        server.stop()
