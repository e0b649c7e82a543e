"""Case 4: the carrier retries.  Concurrent identical webhooks over real HTTP, and replays of a
captured signed voice + status pair after the call ended, make exactly one register entry."""

from __future__ import annotations

import secrets
import threading

import pytest
from werkzeug.serving import make_server

from helpline.extensions import db
from tests.conftest import ALMATY, all_calls
from tests.faults.conftest import HttpTwilio


class _Late:
    """A WSGI app set after the server has its port (the app must know its public URL)."""

    app = None

    def __call__(self, environ, start_response):
        return self.app(environ, start_response)


@pytest.fixture(params=["memory", "redis"])
def served(request, settings_overrides, clock):
    """The app behind a real threaded HTTP server, its live state in memory or in Redis."""
    from helpline import create_app
    from helpline.schema import upgrade
    from helpline.services.demo import load_demo_data

    late = _Late()
    server = make_server("127.0.0.1", 0, late, threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    overrides = {**settings_overrides, "public_base_url": base}
    if request.param == "redis":
        overrides["redis_url"] = request.getfixturevalue("redis_server").url
    late.app = app = create_app(overrides, environ={}, clock=clock)
    with app.app_context():
        upgrade(db.engine)
        load_demo_data(db.session, clock.now(), with_users=False)
        db.session.commit()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield app, HttpTwilio(base)
    server.shutdown()
    with app.app_context():
        db.engine.dispose()


def test_six_simultaneous_identical_webhooks_make_one_entry(served):
    app, twilio = served
    params = {"AccountSid": "AC" + "0" * 32, "CallSid": "CA" + secrets.token_hex(16),
              "From": "+77051234567", "To": ALMATY, "CallStatus": "ringing", "Direction": "inbound"}
    start = threading.Barrier(6)
    answers: list[tuple[int, str]] = []

    def post() -> None:
        start.wait()
        answers.append(twilio.post("/ivr/voice", params))

    threads = [threading.Thread(target=post) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(answers) == 6 and all(status == 200 and "<Gather" in body for status, body in answers)
    assert len(all_calls(app)) == 1
    legs = {body.split("leg=")[1].split("&")[0] for _status, body in answers}
    assert len(legs) == 1                       # every retry was told the same leg


def test_replaying_a_captured_voice_and_status_pair_after_the_end_adds_nothing(served):
    app, twilio = served
    params = {"AccountSid": "AC" + "0" * 32, "CallSid": "CA" + secrets.token_hex(16),
              "From": "+77051234567", "To": ALMATY, "CallStatus": "ringing", "Direction": "inbound"}
    status = {**params, "CallStatus": "completed", "CallDuration": "4"}
    assert "<Gather" in twilio.post("/ivr/voice", params)[1]
    twilio.post("/ivr/status", status)
    for _ in range(3):
        code, body = twilio.post("/ivr/voice", params)
        assert code == 200 and "<Hangup" in body and "<Gather" not in body
        twilio.post("/ivr/status", status)
    (row,) = all_calls(app)
    assert (row.state, row.outcome) == ("ended", "abandoned_in_menu")
