"""No caller identity at rest: calls placed through the simulated carrier leave no trace of the
caller's number or the carrier's call id in the database file, the logs or the export."""

from __future__ import annotations

import csv
import io
import logging
from urllib.parse import urlsplit

import pytest

from helpline.carrier import SimulatedCarrier
from tests.conftest import ALMATY, ASTANA, AUTH_TOKEN, BASE_URL, all_calls

CALLERS = ["+77011234567", "+77775550199", "+77470001122"]


class WsgiTransport:
    """Carries the simulated carrier's HTTP through the Flask test client."""

    def __init__(self, client) -> None:
        self.client = client

    def _path(self, url: str) -> str:
        parts = urlsplit(url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def post(self, url, params, headers):
        response = self.client.post(self._path(url), data=params, headers=headers)
        return response.status_code, response.get_data(as_text=True)

    def get(self, url):
        response = self.client.get(self._path(url))
        body = response.get_data()
        response.close()
        return response.status_code, body


def _place_calls(app, clock, keys_per_call):
    carrier = SimulatedCarrier(BASE_URL, AUTH_TOKEN, speed=0.05,
                               transport=WsgiTransport(app.test_client()))
    sids = []
    for caller, (to, keys, hang_up_in_queue) in zip(CALLERS, keys_per_call, strict=True):
        clock.advance(seconds=1)
        call = carrier.dial(to, start=False)
        call._from = caller  # this test's known numbers, to search for afterwards
        sids.append(call.sid)
        call.start()
        for key in keys:
            assert call.wait_for(lambda c: c.listening or c.finished), call.events
            seen = len(call.events)
            call.press(key)
            # wait until the carrier has posted the answer to the menu
            assert call.wait_for(lambda c, n=seen: any(e.kind == "http" for e in c.events[n:]))
        assert call.wait_for(lambda c: c.status == "queued" or c.finished)
        if hang_up_in_queue:
            call.hang_up()
        else:
            clock.advance(seconds=120)  # nobody signed in: the caller is told where to get help
        assert call.wait_for(lambda c: c.finished, timeout=20), [e.as_dict() for e in call.events]
    return sids


@pytest.fixture
def caller_token_enabled() -> bool:
    return False


@pytest.fixture
def settings_overrides(settings_overrides, caller_token_enabled):
    if not caller_token_enabled:
        return settings_overrides
    return {**settings_overrides, "caller_token_enabled": True, "caller_token_secret": "a-rotating-secret"}


# the opt-in keyed token must not reveal the number either
@pytest.mark.parametrize("caller_token_enabled", [False, True])
def test_database_logs_and_export_hold_no_caller_number_or_call_sid(
    app, clock, backend, caplog, helpline_cli, caller_token_enabled
):
    caplog.set_level(logging.DEBUG)
    sids = _place_calls(app, clock, [
        (ALMATY, "31", True),     # queued, hangs up
        (ASTANA, "2", False),     # never chooses a caller type: defaults, queued, no one available
        (ALMATY, "39", True),     # urgent
    ])

    rows = all_calls(app)
    assert len(rows) == 3 and all(row.state == "ended" for row in rows)
    assert [row.outcome for row in rows] == [
        "abandoned_in_queue", "no_one_available", "abandoned_in_queue"]
    assert rows[2].is_urgent
    if caller_token_enabled:
        assert all(row.caller_token and len(row.caller_token) == 32 for row in rows)
        assert len({row.caller_token for row in rows}) == 3

    export = helpline_cli("calls", "export")
    db_bytes = backend.stored_bytes(app)   # the SQLite file, or a pg_dump of PostgreSQL
    logs = caplog.text
    secrets_to_find = [number.lstrip("+") for number in CALLERS]
    secrets_to_find += [number[-10:] for number in CALLERS] + sids
    for secret in secrets_to_find:
        assert secret.encode() not in db_bytes, secret
        assert secret not in logs, secret
        assert secret not in export.output, secret
    assert export.exit_code == 0
    exported = list(csv.DictReader(io.StringIO(export.stdout)))
    assert [row["call_id"] for row in exported] == [row.id for row in rows]


def test_log_lines_that_mention_a_number_are_scrubbed(caplog, app):
    caplog.set_level(logging.INFO)
    logging.getLogger("anything").info("caller %s with sid %s", "+7 701 123 45 67",
                                       "CA" + "ab" * 16)
    try:
        raise ValueError("From=+77011234567")
    except ValueError:
        logging.getLogger("anything").exception("failure")
    assert "701 123 45 67" not in caplog.text and "77011234567" not in caplog.text
    assert "abababab" not in caplog.text
    assert "[number]" in caplog.text and "[sid]" in caplog.text
