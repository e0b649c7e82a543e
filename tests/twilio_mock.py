"""A Twilio REST API on 127.0.0.1 driven by Twilio's OpenAPI description (``tests.twilio_openapi``).

    with SpecTwilio(clock=clock.now) as twilio:
        twilio.adopt(simulated_call)        # a leg of the simulated carrier is a call here too
        twilio.add_call(status="completed", to="+7727...", ended_at=...)
        twilio.not_final_deletes(2)         # the next two deletes: Twilio error 20009
        ...TwilioCarrierControl / TwilioPurge(..., api_base=twilio.base_url)...
        twilio.requests                     # every request, with the spec operation it matched
        twilio.undeleted_ended_calls()      # what the line should have deleted and has not

Each request is matched against the spec's paths and validated (``Match.problems``): a request
that matches no operation answers 404, one that breaks the operation's schema answers 400 with a
message naming the problem; both are recorded, so a test asserts that none happened.
Answers are shaped after the operation's response schema.  The calls it serves are its own
(``add_call``) or the simulated carrier's legs (``adopt``): then a redirect is the leg's REST
redirect, ``Status=completed`` ends the leg, and the leg's state is the call's status.
"""

from __future__ import annotations

import json
import secrets
import threading
import urllib.parse
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.fake_twilio import _basic, _error
from tests.twilio_openapi import Match, TwilioSpec, parse_date_time

ENDED = {"completed", "busy", "failed", "no-answer", "canceled"}
MOCK_TOKEN = "mock-auth-token"
MOCK_API_KEY = "SK" + "d" * 32
MOCK_API_SECRET = "mock-api-secret"


@dataclass(frozen=True)
class SpecRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    form: dict[str, list[str]]
    username: str
    #: The spec operation it matched (None: none did) and what was wrong with it.
    operation_id: str | None
    problems: tuple[str, ...]
    status: int


@dataclass
class MockCall:
    sid: str
    to: str
    from_: str
    started_at: datetime
    status: str = "in-progress"
    ended_at: datetime | None = None
    deleted: bool = False
    #: The simulated carrier's leg behind this call, if any.
    leg: object | None = None
    redirects: list[str] = field(default_factory=list)


class SpecTwilio:
    """The Calls and Alerts resources of Twilio, validated against the spec, on a free port."""

    def __init__(self, account_sid: str = "AC" + "c" * 32, auth_token: str = MOCK_TOKEN,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.account_sid = account_sid
        self.credentials = {account_sid: auth_token, MOCK_API_KEY: MOCK_API_SECRET}
        self.spec = TwilioSpec.load()
        self.clock = clock
        self.requests: list[SpecRequest] = []
        self.calls: dict[str, MockCall] = {}
        self.alerts: list[str] = []
        self._not_final: deque[int] = deque()
        self._lock = threading.RLock()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.mock = self
        self._thread = threading.Thread(target=self._server.serve_forever, name="spec-twilio",
                                        kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> SpecTwilio:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> SpecTwilio:
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.stop()

    # ------------------------------------------------------------ what tests arrange and read

    def add_call(self, status: str = "in-progress", to: str = "+77273555150",
                 from_: str = "+77015550101", ended_at: datetime | None = None) -> str:
        sid = "CA" + secrets.token_hex(16)
        with self._lock:
            self.calls[sid] = MockCall(sid, to, from_, self.clock(), status,
                                       ended_at if status in ENDED else None)
        return sid

    def adopt(self, leg) -> None:
        """A leg of the simulated carrier (caller's or psychologist's) is a call here too."""
        with self._lock:
            self.calls[leg.sid] = MockCall(leg.sid, leg._to, leg._from, self.clock(), leg=leg)

    def adopt_all(self, carrier) -> None:
        """Every leg the simulated carrier has placed so far."""
        for leg in carrier.calls():
            if leg.sid not in self.calls:
                self.adopt(leg)

    def add_alert(self) -> str:
        sid = "NO" + secrets.token_hex(16)
        with self._lock:
            self.alerts.append(sid)
        return sid

    def not_final_deletes(self, count: int) -> None:
        """The next ``count`` deletes are refused: Twilio has not finalised the call (20009)."""
        with self._lock:
            self._not_final.extend([20009] * count)

    def ended_calls(self) -> list[MockCall]:
        with self._lock:
            self._settle()
            return [c for c in self.calls.values() if c.status in ENDED]

    def undeleted_ended_calls(self) -> list[MockCall]:
        return [c for c in self.ended_calls() if not c.deleted]

    def off_spec(self) -> list[SpecRequest]:
        """Requests that matched no spec operation or broke its schema."""
        return [r for r in self.requests if r.operation_id is None or r.problems]

    # ------------------------------------------------------------ serving (handler threads)

    def answer(self, method: str, raw_path: str, form: dict[str, list[str]],
               auth: str | None) -> tuple[int, dict | None]:
        parts = urllib.parse.urlsplit(raw_path)
        query = urllib.parse.parse_qs(parts.query, keep_blank_values=True)
        username, password = _basic(auth)
        match = self.spec.match(method, parts.path)
        problems = tuple(match.problems(query, form)) if match else ("no operation in the spec",)
        status, payload = self._serve(match, problems, query, form, username, password)
        with self._lock:
            self.requests.append(SpecRequest(
                method, parts.path, query, form, username,
                match.operation.operation_id if match else None, problems, status))
        return status, payload

    def _serve(self, match: Match | None, problems, query, form, username, password):
        if self.credentials.get(username) != password or not password:
            return 401, _error(20003, "Authenticate", 401)
        if match is None:
            return 404, _error(20404, "The requested resource was not found", 404)
        if problems:
            return 400, _error(21602, "; ".join(problems), 400)
        if match.path_values.get("AccountSid", self.account_sid) != self.account_sid:
            return 404, _error(20404, "The requested resource was not found", 404)
        serve = getattr(self, "_" + match.operation.operation_id, None)
        assert serve is not None, f"the mock does not serve {match.operation.operation_id}"
        with self._lock:
            self._settle()
            return serve(match, query, {k: v[0] for k, v in form.items()})

    def _settle(self) -> None:
        """Simulated legs that have finished are completed calls, ended now."""
        for call in self.calls.values():
            if call.leg is not None and call.leg.finished and call.status not in ENDED:
                call.status, call.ended_at = "completed", self.clock()

    def _call(self, match: Match) -> MockCall | None:
        call = self.calls.get(match.path_values["Sid"])
        return None if call is None or call.deleted else call

    def _FetchCall(self, match, _query, _form):
        call = self._call(match)
        if call is None:
            return 404, _error(20404, "The requested resource was not found", 404)
        return 200, self._resource(match, call)

    def _UpdateCall(self, match, _query, form):
        call = self._call(match)
        if call is None:
            return 404, _error(20404, "The requested resource was not found", 404)
        if call.status in ENDED:
            return 400, _error(21220, "Call is not in-progress. Cannot redirect.", 400)
        if form.get("Status") in {"completed", "canceled"}:
            if call.leg is not None:
                call.leg.terminate()
            else:
                call.status, call.ended_at = form["Status"], self.clock()
        if form.get("Url"):
            call.redirects.append(form["Url"])
            if call.leg is not None:
                call.leg.redirect(form["Url"])
        return 200, self._resource(match, call)

    def _DeleteCall(self, match, _query, _form):
        call = self._call(match)
        if call is None:
            return 404, _error(20404, "The requested resource was not found", 404)
        if call.status not in ENDED or self._not_final:
            if self._not_final:
                self._not_final.popleft()
            return 400, _error(20009, "Cannot delete this resource before it is complete", 400)
        call.deleted = True
        return 204, None

    def _ListCall(self, match, query, _form):
        def wanted(call: MockCall) -> bool:
            if call.deleted:
                return False
            for name, value in (("To", call.to), ("From", call.from_), ("Status", call.status)):
                if name in query and query[name][0] != value:
                    return False
            if "EndTime<" in query and (call.ended_at is None
                                        or call.ended_at > parse_date_time(query["EndTime<"][0])):
                return False
            return "EndTime>" not in query or (
                call.ended_at is not None and call.ended_at >= parse_date_time(query["EndTime>"][0]))

        found = [self._resource(match, c) for c in self.calls.values() if wanted(c)]
        page, size, items = _page(query, found)
        uri = f"/2010-04-01/Accounts/{self.account_sid}/Calls.json"
        later = (page + 1) * size < len(found)
        return 200, match.operation.render(match.operation.success()[1], {
            "calls": items, "page": page, "page_size": size, "start": page * size,
            "end": page * size + len(items) - 1, "uri": f"{uri}?PageSize={size}&Page={page}",
            "first_page_uri": f"{uri}?PageSize={size}&Page=0", "previous_page_uri": None,
            "next_page_uri": f"{uri}?PageSize={size}&Page={page + 1}&PageToken=PT{page + 1}"
            if later else None})

    def _ListAlert(self, match, query, _form):
        alert = self.spec.operation("FetchAlert")
        schema = alert.success()[1]
        found = [alert.render(schema, {"sid": sid, "account_sid": self.account_sid, "log_level": "error",
                                       "error_code": "11200"}) for sid in self.alerts]
        page, size, items = _page(query, found)
        url = f"{self.base_url}/v1/Alerts"
        later = (page + 1) * size < len(found)
        return 200, match.operation.render(match.operation.success()[1], {
            "alerts": items, "meta": {
                "page": page, "page_size": size, "first_page_url": f"{url}?PageSize={size}&Page=0",
                "previous_page_url": None, "url": f"{url}?PageSize={size}&Page={page}", "key": "alerts",
                "next_page_url": f"{url}?PageSize={size}&Page={page + 1}&PageToken=PT{page + 1}"
                if later else None}})

    def _resource(self, match: Match, call: MockCall) -> dict:
        operation = self.spec.operation("FetchCall")
        rfc2822 = lambda at: format_datetime(at, usegmt=False) if at else None  # noqa: E731
        return operation.render(operation.success()[1], {
            "sid": call.sid, "account_sid": self.account_sid, "status": call.status,
            "direction": "inbound", "api_version": "2010-04-01", "to": call.to, "from": call.from_,
            "date_created": rfc2822(call.started_at), "start_time": rfc2822(call.started_at),
            "end_time": rfc2822(call.ended_at),
            "uri": f"/2010-04-01/Accounts/{self.account_sid}/Calls/{call.sid}.json"})


def _page(query: dict[str, list[str]], found: list) -> tuple[int, int, list]:
    size = int(query.get("PageSize", ["50"])[0])
    page = int(query.get("Page", ["0"])[0])
    return page, size, found[page * size:(page + 1) * size]


class _Server(ThreadingHTTPServer):
    daemon_threads = False
    block_on_close = True
    mock: SpecTwilio

    def handle_error(self, request, client_address) -> None:
        """A client that gave up closed its end: nothing to report."""


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    timeout = 5

    def do_GET(self) -> None:
        self._respond("GET")

    def do_POST(self) -> None:
        self._respond("POST")

    def do_DELETE(self) -> None:
        self._respond("DELETE")

    def _respond(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        form = urllib.parse.parse_qs(body, keep_blank_values=True)
        status, payload = self.server.mock.answer(method, self.path, form,
                                                  self.headers.get("Authorization"))
        self.send_response(status)
        if payload is None:
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        data = json.dumps(payload).encode()
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format, *args) -> None:
        return None



def real_carrier_settings(mock: SpecTwilio) -> dict[str, object]:
    """Settings overrides: the real carrier's code (API key, no retries wait), REST to ``mock``."""
    return {"twilio_account_sid": mock.account_sid, "twilio_api_base": mock.base_url,
            "twilio_api_key": MOCK_API_KEY, "twilio_api_secret": MOCK_API_SECRET,
            "twilio_timeout_seconds": 2, "twilio_purge_grace_seconds": 300}


def sweep(app) -> str:
    """One run of the scheduler's provider-purge job."""
    from helpline.extensions import db
    from scheduling.jobs import provider_purge

    runtime = app.extensions["helpline"]
    with app.app_context():
        try:
            return provider_purge(db.session, runtime.clock.now(), runtime)
        finally:
            db.session.remove()


@pytest.fixture
def spec_twilio(clock):
    """A stand-in Twilio driven by the OpenAPI description, on its own port for the test
    (``tests/conftest.py`` loads this module as a plugin)."""
    from tests.conftest import AUTH_TOKEN

    with SpecTwilio(auth_token=AUTH_TOKEN, clock=clock.now) as mock:
        yield mock
