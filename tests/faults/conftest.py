"""Fault-suite helpers: a real server process, real HTTP webhooks signed like Twilio's."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from twilio.request_validator import RequestValidator

from tests.conftest import AUTH_TOKEN

HELPLINE = str(Path(sys.executable).with_name("helpline"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class HttpTwilio:
    """Posts webhooks over real HTTP, signed exactly as Twilio signs them."""

    def __init__(self, base_url: str, token: str = AUTH_TOKEN) -> None:
        self.base_url = base_url
        self.validator = RequestValidator(token)

    def post(self, url: str, params: dict[str, str]) -> tuple[int, str]:
        full = url if url.startswith("http") else self.base_url + url
        signature = self.validator.compute_signature(full, params)
        request = urllib.request.Request(full, data=urllib.parse.urlencode(params).encode(),
                                         headers={"X-Twilio-Signature": signature}, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310 - loopback
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def twiml(self, url: str, params: dict[str, str]) -> ET.Element:
        status, body = self.post(url, params)
        assert status == 200, body
        return ET.fromstring(body)  # noqa: S314 - our own TwiML


class ServerProcess:
    """``helpline run`` as a separate process on a free port, on a given instance folder."""

    def __init__(self, instance: Path, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.env = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/root"),
                    "PYTHONPATH": os.environ.get("PYTHONPATH", ""),
                    "HELPLINE_INSTANCE_PATH": str(instance), "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
                    "PUBLIC_BASE_URL": self.base_url, "LOG_LEVEL": "WARNING", **(env or {})}
        self.process: subprocess.Popen | None = None
        self.log = instance.parent / "server.log"

    def command(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([HELPLINE, *args], env=self.env, capture_output=True, text=True,
                              timeout=120, check=True)

    def start(self) -> ServerProcess:
        with open(self.log, "a") as log:
            self.process = subprocess.Popen(
                [HELPLINE, "run", "--port", str(self.port)], env=self.env, stdout=log,
                stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.base_url + "/login", timeout=2):  # noqa: S310
                    return self
            except OSError:
                if self.process.poll() is not None:
                    raise AssertionError(self.log.read_text()) from None
                time.sleep(0.2)
        raise AssertionError("the server did not start: " + self.log.read_text())

    def kill(self) -> None:
        """SIGKILL: no clean-up of any kind, as when a machine or a process dies."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def server_process(tmp_path, backend):
    made: list[ServerProcess] = []

    def make(env: dict[str, str] | None = None) -> ServerProcess:
        server = ServerProcess(tmp_path / "instance", {**backend.environ, **(env or {})})
        made.append(server)
        return server

    yield make
    for server in made:
        server.stop()


def reconcile(app) -> str:
    """One run of the scheduler's reconciliation job (spool, ghosts, the carrier's word)."""
    from helpline.extensions import db
    from scheduling.jobs import reconcile_calls

    rt = app.extensions["helpline"]
    with app.app_context():
        try:
            return reconcile_calls(db.session, rt.clock.now(), rt)
        finally:
            db.session.remove()
