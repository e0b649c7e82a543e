"""Time from a call entering the queue to the offer reaching a connected psychologist's console.

Starts the real app on loopback (threaded server, Socket.IO over WebSocket), signs in N
psychologists with real Socket.IO clients, all Available, then places calls one after another
through signed webhooks. For each call it measures from the moment the caller's last menu key
is posted (the call enters the queue) to the moment an ``offer`` event arrives at a console;
the caller then hangs up so every agent stays free. Prints p50 / p90 / p99 / max in ms.

    .venv/bin/python bench/queue_to_offer.py [--agents 50] [--calls 200]
"""

from __future__ import annotations

import argparse
import logging
import re
import secrets
import socket
import statistics
import tempfile
import threading
import time

import requests
import socketio
from twilio.request_validator import RequestValidator

from helpline import create_app
from helpline.extensions import db
from helpline.extensions import socketio as socketio_server
from helpline.schema import upgrade
from helpline.services.accounts import NewUser, create_user
from helpline.services.demo import load_demo_data

TOKEN = "bench-token"
TRANSPORT = "websocket"
logging.getLogger("werkzeug").setLevel(logging.CRITICAL)
PASSWORD = "bench password 1"  # noqa: S105 - a throw-away database


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=50)
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as instance:
        app = create_app({"helpline_instance_path": instance, "public_base_url": base,
                          "twilio_auth_token": TOKEN, "log_level": "WARNING",
                          "ring_timeout_seconds": 600}, environ={})
        with app.app_context():
            upgrade(db.engine)
            now = app.extensions["helpline"].clock.now()
            load_demo_data(db.session, now, with_users=False)
            for i in range(args.agents):
                create_user(db.session, NewUser(f"agent{i:02d}", PASSWORD, "psychologist", 2,
                                                ("kk", "ru", "en"), "en"), now)
            db.session.commit()
        threading.Thread(target=socketio_server.run, args=(app,), daemon=True, kwargs={
            "host": "127.0.0.1", "port": port, "allow_unsafe_werkzeug": True,
            "use_reloader": False, "log_output": False}).start()
        for _ in range(100):
            try:
                requests.get(f"{base}/login", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.05)

        offers: dict[str, float] = {}
        got_offer = threading.Event()
        clients = []
        for i in range(args.agents):
            http = requests.Session()
            page = http.get(f"{base}/login?lang=en").text
            csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
            http.post(f"{base}/login", data={"username": f"agent{i:02d}", "password": PASSWORD,
                                             "csrf_token": csrf}, allow_redirects=False)
            client = socketio.Client(http_session=http)

            def on_offer(data, _client=client):
                offers[data["call_id"]] = time.perf_counter()
                got_offer.set()

            client.on("offer", on_offer, namespace="/console")
            client.connect(base, namespaces=["/console"], transports=[TRANSPORT],
                           headers={"User-Agent": http.headers["User-Agent"]})
            client.call("set_state", {"state": "available"}, namespace="/console")
            clients.append(client)

        validator = RequestValidator(TOKEN)

        def post(path: str, params: dict[str, str]) -> str:
            url = base + path
            return requests.post(url, data=params, headers={
                "X-Twilio-Signature": validator.compute_signature(url, params)}, timeout=10).text

        latencies = []
        for _ in range(args.calls):
            params = {"CallSid": "CA" + secrets.token_hex(16), "From": "+77011234567",
                      "To": "+77273555150", "CallStatus": "in-progress"}
            doc = post("/ivr/voice", params)
            action = re.search(r'action="([^"]+)"', doc).group(1).replace("&amp;", "&")
            doc = post(action.removeprefix(base), {**params, "Digits": "3"})
            action = re.search(r'action="([^"]+)"', doc).group(1).replace("&amp;", "&")
            got_offer.clear()
            before = len(offers)
            started = time.perf_counter()
            doc = post(action.removeprefix(base), {**params, "Digits": "1"})   # enters the queue
            if not got_offer.wait(5) or len(offers) == before:
                raise SystemExit("no offer arrived within 5 s")
            latencies.append((max(offers.values()) - started) * 1000)
            queue_action = re.search(r'<Enqueue action="([^"]+)"', doc).group(1).replace("&amp;", "&")
            post(queue_action.removeprefix(base), {**params, "QueueResult": "hangup"})
            post("/ivr/status", {**params, "CallStatus": "completed"})

        for client in clients:
            client.disconnect()
        latencies.sort()
        cuts = statistics.quantiles(latencies, n=100)
        print(f"queue -> offer at a console, {args.agents} connected agents, {len(latencies)} calls, "
              "SQLite, one threaded process, Socket.IO over WebSocket on loopback")
        print(f"p50 {cuts[49]:.1f} ms   p90 {cuts[89]:.1f} ms   p99 {cuts[98]:.1f} ms   "
              f"max {latencies[-1]:.1f} ms")


if __name__ == "__main__":
    main()
