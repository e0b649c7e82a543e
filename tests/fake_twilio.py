"""A stand-in for Twilio's REST API (the Calls resource) on 127.0.0.1, for carrier-control tests.

    with FakeTwilio() as twilio:
        sid = twilio.add_call(status="in-progress")
        twilio.fail_next(2)                 # the next two requests answer HTTP 500
        ...TwilioCarrierControl(..., api_base=twilio.base_url)...
        twilio.requests                     # every request: method, path, form

Serves ``POST`` and ``GET /2010-04-01/Accounts/{AccountSid}/Calls/{Sid}.json`` as Twilio does
(form ``Url``, ``Method``, ``Status``; JSON call resource back; 404 for an unknown call; 400 with
code 21220 when a call that has ended is updated), checks HTTP basic auth, and can fail requests
(``fail_next``, ``fail_always``) or delay each one (``delay_seconds``).  ``stop()`` wakes delayed
requests and waits for every handler thread.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import threading
import urllib.parse
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CALL_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<account>AC\w+)/Calls/(?P<sid>CA\w+)\.json$")
ENDED = {"completed", "busy", "failed", "no-answer", "canceled"}
FAKE_TOKEN = "fake-auth-token"
FAKE_API_SECRET = "fake-api-secret"


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    form: dict[str, str]
    username: str


class FakeTwilio:
    """Twilio's Calls REST resource, in a thread, on a free local port."""

    def __init__(self, account_sid: str = "AC" + "f" * 32, auth_token: str = FAKE_TOKEN,
                 api_key: str = "SK" + "e" * 32, api_secret: str = FAKE_API_SECRET) -> None:
        self.account_sid = account_sid
        self.credentials = {account_sid: auth_token, api_key: api_secret}
        self.requests: list[RecordedRequest] = []
        self.calls: dict[str, dict[str, str]] = {}
        #: Seconds each request waits before it is answered.
        self.delay_seconds = 0.0
        self._failures: deque[int] = deque()
        self._always: int | None = None
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = self
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-twilio",
                                        kwargs={"poll_interval": 0.05}, daemon=True)

    # ------------------------------------------------------------ life

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeTwilio:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()       # joins the handler threads (none is left waiting)
        self._thread.join(timeout=5)

    def __enter__(self) -> FakeTwilio:
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.stop()

    # ------------------------------------------------------------ what tests arrange

    def add_call(self, status: str = "in-progress", sid: str | None = None) -> str:
        sid = sid or "CA" + secrets.token_hex(16)
        with self._lock:
            self.calls[sid] = {"status": status, "url": "", "method": ""}
        return sid

    def set_status(self, sid: str, status: str) -> None:
        with self._lock:
            self.calls[sid]["status"] = status

    def fail_next(self, count: int, status: int = 500) -> None:
        """The next ``count`` requests answer ``status`` (500, 503, 429, 404...)."""
        with self._lock:
            self._failures.extend([status] * count)

    def fail_always(self, status: int | None) -> None:
        """Every request answers ``status`` until called with None."""
        with self._lock:
            self._always = status

    def requests_to(self, sid: str) -> list[RecordedRequest]:
        return [r for r in self.requests if f"/Calls/{sid}.json" in r.path]

    # ------------------------------------------------------------ serving (handler threads)

    def _answer(self, method: str, path: str, form: dict[str, str], auth: str | None) -> tuple[int, dict]:
        username, password = _basic(auth)
        with self._lock:
            self.requests.append(RecordedRequest(method, path, form, username))
        if self.delay_seconds:
            self._stopping.wait(self.delay_seconds)
        if self.credentials.get(username) != password or not password:
            return 401, _error(20003, "Authenticate", 401)
        match = CALL_PATH.match(path)
        with self._lock:
            injected = self._failures.popleft() if self._failures else self._always
            if injected is not None:
                return injected, _error(20000 + injected, "Injected failure", injected)
            if match is None or match["account"] != self.account_sid:
                return 404, _error(20404, "The requested resource was not found", 404)
            call = self.calls.get(match["sid"])
            if call is None:
                return 404, _error(20404, f"The requested resource {path} was not found", 404)
            if method == "POST":
                if call["status"] in ENDED:
                    return 400, _error(21220, "Call is not in-progress. Cannot redirect.", 400)
                if form.get("Status") in {"completed", "canceled"}:
                    call["status"] = form["Status"]
                if form.get("Url"):
                    call["url"], call["method"] = form["Url"], form.get("Method", "POST")
            return 200, self._resource(match["sid"], call)

    def _resource(self, sid: str, call: dict[str, str]) -> dict:
        return {
            "sid": sid, "account_sid": self.account_sid, "status": call["status"],
            "direction": "inbound", "api_version": "2010-04-01", "from": "+15005550006",
            "to": "+77273555150", "parent_call_sid": None, "duration": None,
            "uri": f"/2010-04-01/Accounts/{self.account_sid}/Calls/{sid}.json",
        }


class _Server(ThreadingHTTPServer):
    daemon_threads = False
    block_on_close = True
    fake: FakeTwilio

    def handle_error(self, request, client_address) -> None:
        """A client that gave up (timeout) closed its end: nothing to report."""


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    timeout = 5

    def do_GET(self) -> None:
        self._respond("GET", {})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode()
        self._respond("POST", dict(urllib.parse.parse_qsl(body, keep_blank_values=True)))

    def _respond(self, method: str, form: dict[str, str]) -> None:
        status, payload = self.server.fake._answer(method, self.path, form,
                                                   self.headers.get("Authorization"))
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args) -> None:
        return None


def _basic(header: str | None) -> tuple[str, str]:
    if not header or not header.startswith("Basic "):
        return "", ""
    try:
        username, _, password = base64.b64decode(header[6:]).decode().partition(":")
    except ValueError:
        return "", ""
    return username, password


def _error(code: int, message: str, status: int) -> dict:
    return {"code": code, "message": message, "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status}
