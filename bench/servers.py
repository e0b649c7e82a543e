"""What the HTTP benchmarks share: a code tree (this one, or a baseline commit unpacked with
``git archive``), a throw-away instance folder migrated with the demo data, ``helpline`` commands
run as subprocesses of that tree, and a Twilio stand-in posting signed webhooks over one
keep-alive HTTP connection per thread, timing each request.
"""

from __future__ import annotations

import http.client
import io
import os
import socket
import statistics
import subprocess
import sys
import tarfile
import time
import urllib.parse
from pathlib import Path

from twilio.request_validator import RequestValidator

TOKEN = "bench-token"
HERE = Path(__file__).resolve().parent
THIS_TREE = HERE.parent
HELPLINE = str(Path(sys.executable).with_name("helpline"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def unpack_commit(commit: str, into: Path) -> Path:
    """The code of ``commit`` (e.g. the baseline) in a plain folder: no worktree, no checkout."""
    archive = subprocess.run(["git", "-C", str(THIS_TREE), "archive", "--format=tar", commit],
                             capture_output=True, check=True).stdout
    into.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


class Instance:
    """One code tree serving one instance folder (SQLite, simulated carrier, demo centres)."""

    def __init__(self, tree: Path, folder: Path, **environ: str) -> None:
        self.tree = tree
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.env = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/root"),
                    "PYTHONPATH": str(tree), "HELPLINE_INSTANCE_PATH": str(folder),
                    "TWILIO_AUTH_TOKEN": TOKEN, "PUBLIC_BASE_URL": self.base_url, **environ}
        self.log = folder.parent / f"{folder.name}.log"
        self.process: subprocess.Popen | None = None
        folder.mkdir(parents=True, exist_ok=True)

    def prepare(self) -> Instance:
        for command in (["db", "upgrade"], ["demo-data"]):
            subprocess.run([HELPLINE, *command], env=self.env, cwd=self.tree, check=True,
                           capture_output=True, timeout=300)
        return self

    def start(self, *command: str, ready: str = "/healthz") -> Instance:
        """``command`` (e.g. ``run --port P``) in the background; returns once it answers."""
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(command, env=self.env, cwd=self.tree, stdout=log,
                                            stderr=subprocess.STDOUT)
        wait_for(self.base_url + ready, self.process, self.log)
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)


def wait_for(url: str, process: subprocess.Popen, log: Path) -> None:
    parts = urllib.parse.urlsplit(url)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server stopped:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=2)
            connection.request("GET", parts.path)
            if connection.getresponse().status < 500:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"the server did not start:\n{log.read_text(errors='replace')[-3000:]}")


class Carrier:
    """Posts webhooks signed as Twilio signs them, over one keep-alive connection."""

    def __init__(self, base_url: str, token: str = TOKEN, signed: bool = True) -> None:
        self.base_url = base_url
        self.validator = RequestValidator(token) if signed else None
        parts = urllib.parse.urlsplit(base_url)
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)

    def post(self, url: str, params: dict[str, str]) -> tuple[int, str, float]:
        """Status, body and the request's milliseconds (sending to the last byte read)."""
        full = url if url.startswith("http") else self.base_url + url
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if self.validator is not None:
            headers["X-Twilio-Signature"] = self.validator.compute_signature(full, params)
        parts = urllib.parse.urlsplit(full)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        body = urllib.parse.urlencode(params)
        started = time.perf_counter()
        try:
            self.connection.request("POST", target, body=body, headers=headers)
            response = self.connection.getresponse()
            data = response.read()
        except (http.client.HTTPException, OSError):   # the server closed a kept-alive connection
            self.connection.close()
            self.connection.request("POST", target, body=body, headers=headers)
            response = self.connection.getresponse()
            data = response.read()
        return response.status, data.decode(), (time.perf_counter() - started) * 1000


def figures(timings: list[float]) -> dict[str, float]:
    ordered = sorted(timings)
    cuts = statistics.quantiles(ordered, n=100)
    return {"p50": cuts[49], "p90": cuts[89], "p99": cuts[98], "max": ordered[-1]}


def table(rows: dict[str, dict[str, float]], extra: dict[str, str] | None = None) -> str:
    """Rows of p50 / p90 / p99 / max in milliseconds, side by side."""
    lines = [f"{'':34} {'p50':>9} {'p90':>9} {'p99':>9} {'max':>9}   (ms)"]
    for name, row in rows.items():
        lines.append(f"{name:34} " + " ".join(f"{row[k]:9.2f}" for k in ("p50", "p90", "p99", "max"))
                     + (f"   {extra[name]}" if extra and name in extra else ""))
    return "\n".join(lines)
