"""TwilioCarrierControl against a local stand-in for Twilio's REST API: the right requests,
bounded retries only when they can help, timeouts, and "the caller is gone" as an answer."""

from __future__ import annotations

import logging
import time
import traceback

import pytest

from helpline.carrier import CallStatus, CarrierError, TwilioCarrierControl
from helpline.live import MemoryLiveCallStore
from tests.fake_twilio import FAKE_API_SECRET, FAKE_TOKEN, FakeTwilio

BASE_URL = "https://helpline.example"


@pytest.fixture
def twilio():
    fake = FakeTwilio().start()
    yield fake
    fake.stop()


@pytest.fixture
def live() -> MemoryLiveCallStore:
    return MemoryLiveCallStore(ttl_seconds=3600)


@pytest.fixture
def control(twilio, live):
    made = []

    def make(timeout: float = 1.0, attempts: int = 3, api_key: bool = False) -> TwilioCarrierControl:
        keys = {"api_key": "SK" + "e" * 32, "api_secret": FAKE_API_SECRET} if api_key else {}
        control = TwilioCarrierControl(twilio.account_sid, FAKE_TOKEN, live, BASE_URL,
                                       api_base=twilio.base_url, timeout=timeout, attempts=attempts,
                                       backoff_seconds=0.01, **keys)
        made.append(control)
        return control

    yield make
    for control in made:
        control.close()


def on_the_line(twilio, live, status: str = "in-progress", call_id: str = "call-1"):
    """A caller's leg Twilio knows, mapped in the live store; returns (sid, leg token)."""
    sid = twilio.add_call(status=status)
    leg, _created = live.begin(sid, call_id)
    return sid, leg.leg


def test_redirect_posts_url_and_method_to_the_calls_resource(twilio, live, control):
    sid, leg = on_the_line(twilio, live)
    control().redirect("call-1", "/ivr/connect")
    (request,) = twilio.requests
    assert request.method == "POST"
    assert request.path == f"/2010-04-01/Accounts/{twilio.account_sid}/Calls/{sid}.json"
    assert request.form == {"Url": f"{BASE_URL}/ivr/connect?leg={leg}", "Method": "POST"}
    assert request.username == twilio.account_sid           # the auth token, by default
    assert twilio.calls[sid]["url"] == f"{BASE_URL}/ivr/connect?leg={leg}"


def test_the_api_key_is_used_when_it_is_set(twilio, live, control):
    sid, _leg = on_the_line(twilio, live)
    control(api_key=True).redirect("call-1", "/ivr/requeue")
    (request,) = twilio.requests
    assert request.username == "SK" + "e" * 32
    assert request.path.endswith(f"/Accounts/{twilio.account_sid}/Calls/{sid}.json")


def test_end_call_completes_the_leg(twilio, live, control):
    sid, _leg = on_the_line(twilio, live)
    assert control().end_call("call-1") is True
    assert twilio.requests[-1].form == {"Status": "completed"}
    assert twilio.calls[sid]["status"] == "completed"
    assert control().end_call("no-such-call") is False       # no live leg: nothing asked
    assert len(twilio.requests) == 1


def test_two_server_errors_then_success_takes_three_attempts(twilio, live, control):
    sid, _leg = on_the_line(twilio, live)
    twilio.fail_next(2, status=500)
    control().redirect("call-1", "/ivr/connect")
    assert len(twilio.requests_to(sid)) == 3
    assert twilio.calls[sid]["url"].startswith(f"{BASE_URL}/ivr/connect?leg=")


def test_rate_limited_is_retried_too(twilio, live, control):
    sid, _leg = on_the_line(twilio, live)
    twilio.fail_next(1, status=429)
    assert control().end_call("call-1") is True
    assert len(twilio.requests_to(sid)) == 2


def test_a_carrier_that_always_fails_gives_up_after_three_attempts(twilio, live, control, caplog):
    sid, _leg = on_the_line(twilio, live)
    twilio.fail_always(500)
    caplog.set_level(logging.DEBUG)
    started = time.monotonic()
    with pytest.raises(CarrierError, match="after 3 attempts") as raised:
        control().redirect("call-1", "/ivr/connect")
    assert time.monotonic() - started < 2.0
    assert len(twilio.requests_to(sid)) == 3
    traceback_text = "".join(traceback.format_exception(raised.value))
    assert sid not in traceback_text and sid not in caplog.text          # never a SID in a log line
    with pytest.raises(CarrierError):
        control().end_call("call-1")
    assert len(twilio.requests_to(sid)) == 6


def test_a_carrier_that_does_not_answer_times_out_within_attempts_times_timeout(twilio, live, control):
    sid, _leg = on_the_line(twilio, live)
    twilio.delay_seconds = 3.0
    started = time.monotonic()
    with pytest.raises(CarrierError, match="no answer in time"):
        control(timeout=0.3, attempts=3).redirect("call-1", "/ivr/connect")
    elapsed = time.monotonic() - started
    assert 0.85 <= elapsed < 1.6, elapsed
    assert len(twilio.requests_to(sid)) == 3
    assert control(timeout=0.3, attempts=2).call_status("call-1") is CallStatus.UNREACHABLE


def test_a_call_twilio_does_not_know_is_gone_without_a_retry(twilio, live, control):
    sid, _leg = on_the_line(twilio, live)
    del twilio.calls[sid]                                       # Twilio answers 404
    with pytest.raises(CarrierError, match="the caller is no longer on the line"):
        control().redirect("call-1", "/ivr/connect")
    assert len(twilio.requests_to(sid)) == 1
    assert control().call_status("call-1") is CallStatus.ENDED
    assert control().end_call("call-1") is False
    assert len(twilio.requests_to(sid)) == 3                   # one request each, no retries


def test_a_404_from_the_api_is_not_retried(twilio, live, control):
    sid, _leg = on_the_line(twilio, live)
    twilio.fail_always(404)
    with pytest.raises(CarrierError, match="no longer on the line"):
        control().redirect("call-1", "/ivr/agent-lost")
    assert control().call_status("call-1") is CallStatus.ENDED
    assert len(twilio.requests_to(sid)) == 2


def test_updating_a_call_that_has_ended_is_an_answer_not_a_failure(twilio, live, control):
    sid, _leg = on_the_line(twilio, live, status="completed")
    assert control().end_call("call-1") is False
    with pytest.raises(CarrierError, match="no longer on the line"):
        control().redirect("call-1", "/ivr/connect")
    assert len(twilio.requests_to(sid)) == 2


def test_other_client_errors_are_not_retried(twilio, live, control):
    sid, _leg = on_the_line(twilio, live)
    twilio.fail_next(1, status=400)
    with pytest.raises(CarrierError, match="HTTP 400"):
        control().redirect("call-1", "/ivr/connect")
    assert len(twilio.requests_to(sid)) == 1


@pytest.mark.parametrize(("twilio_status", "expected"), [
    ("queued", CallStatus.LIVE), ("ringing", CallStatus.LIVE), ("in-progress", CallStatus.LIVE),
    ("completed", CallStatus.ENDED), ("busy", CallStatus.ENDED), ("failed", CallStatus.ENDED),
    ("no-answer", CallStatus.ENDED), ("canceled", CallStatus.ENDED),
])
def test_call_status_maps_twilio_statuses(twilio, live, control, twilio_status, expected):
    sid, _leg = on_the_line(twilio, live, status=twilio_status)
    assert control().call_status("call-1") is expected
    (request,) = twilio.requests
    assert (request.method, request.path) == (
        "GET", f"/2010-04-01/Accounts/{twilio.account_sid}/Calls/{sid}.json")


def test_call_status_of_a_call_the_live_store_does_not_know_is_lost(twilio, live, control):
    assert control().call_status("never-seen") is CallStatus.LOST
    sid, _leg = on_the_line(twilio, live)
    live.end(live.by_sid(sid))
    assert control().call_status("call-1") in {CallStatus.LOST, CallStatus.ENDED}
    assert twilio.requests == []                                # the carrier was not asked


def test_call_status_after_retries_is_unreachable_and_never_raises(twilio, live, control):
    sid, _leg = on_the_line(twilio, live)
    twilio.fail_always(503)
    assert control().call_status("call-1") is CallStatus.UNREACHABLE
    assert len(twilio.requests_to(sid)) == 3


def test_a_live_store_that_fails_is_unreachable_for_status_and_an_error_for_actions(twilio, control):
    class BrokenStore:
        healthy = False

        def by_call(self, call_id):
            raise ConnectionError("redis down")

    broken = TwilioCarrierControl(twilio.account_sid, FAKE_TOKEN, BrokenStore(), BASE_URL,
                                  api_base=twilio.base_url, timeout=1.0)
    try:
        assert broken.call_status("call-1") is CallStatus.UNREACHABLE
        with pytest.raises(CarrierError, match="live-call store"):
            broken.redirect("call-1", "/ivr/connect")
    finally:
        broken.close()
    assert twilio.requests == []


def test_the_psychologists_leg_is_the_browsers_own(twilio, live, control):
    on_the_line(twilio, live)
    control().connect_agent("call-1", "join-token")        # the browser dials: nothing here
    assert twilio.requests == []


def test_unauthenticated_requests_are_refused_by_the_fake(twilio, live):
    sid, _leg = on_the_line(twilio, live)
    wrong = TwilioCarrierControl(twilio.account_sid, "wrong-token", live, BASE_URL,
                                 api_base=twilio.base_url, timeout=1.0)
    try:
        with pytest.raises(CarrierError, match="HTTP 401"):
            wrong.redirect("call-1", "/ivr/connect")
    finally:
        wrong.close()
    assert twilio.calls[sid]["url"] == ""
