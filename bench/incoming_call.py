"""Time of the incoming-call webhook (POST /ivr/voice): signed requests, database writes included.

Runs the real app on a fresh SQLite file in a temporary instance folder and posts N signed
incoming-call webhooks through the WSGI stack (signature check, centre lookup, register insert,
live-call state, TwiML).  Prints p50 / p90 / p99 / max in milliseconds.

    .venv/bin/python bench/incoming_call.py [--calls 2000]
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import tempfile
import time

from twilio.request_validator import RequestValidator

from helpline import create_app
from helpline.extensions import db
from helpline.schema import upgrade
from helpline.services.demo import load_demo_data

TOKEN = "bench-token"
BASE = "http://127.0.0.1:5000"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as instance:
        app = create_app({"helpline_instance_path": instance, "public_base_url": BASE,
                          "twilio_auth_token": TOKEN, "log_level": "WARNING"}, environ={})
        with app.app_context():
            upgrade(db.engine)
            load_demo_data(db.session, app.extensions["helpline"].clock.now(), with_users=False)
            db.session.commit()
        client = app.test_client()
        validator = RequestValidator(TOKEN)
        url = f"{BASE}/ivr/voice"
        timings = []
        for _ in range(args.calls + 50):
            params = {"CallSid": "CA" + secrets.token_hex(16), "AccountSid": "AC" + "0" * 32,
                      "From": f"+7701{secrets.randbelow(10**7):07d}", "To": "+77273555150",
                      "CallStatus": "ringing", "Direction": "inbound", "ApiVersion": "2010-04-01"}
            headers = {"X-Twilio-Signature": validator.compute_signature(url, params)}
            started = time.perf_counter()
            response = client.post("/ivr/voice", data=params, headers=headers)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200 and b"<Gather" in response.data
        timings = sorted(timings[50:])  # the first requests warm caches and are not counted
        cuts = statistics.quantiles(timings, n=100)
        print(f"POST /ivr/voice, {len(timings)} signed calls, SQLite file, one process")
        print(f"p50 {cuts[49]:.2f} ms   p90 {cuts[89]:.2f} ms   p99 {cuts[98]:.2f} ms   "
              f"max {timings[-1]:.2f} ms")


if __name__ == "__main__":
    main()
