"""A year's national volume (241,869 calls) replayed through the real app on PostgreSQL + Redis.

Each call walks the whole way: the incoming-call webhook, the language and caller-type menus,
the queue and its hold music (routing offers it to a console), a psychologist accepting it on her console (the
Socket.IO test client), the caller hanging up, the contact record saved through the console's
HTTP endpoint, and the psychologist Available again.  Webhooks are signed as Twilio signs them
and go through the whole WSGI stack; the clock is the app's own fixed clock, moved on by hand
(about two minutes a call, as a year's volume spreads them), so no step waits.

``--calls`` calls are replayed (default 241869); the run prints calls per second and the time
the whole year would take at that rate (said to be projected when fewer calls were replayed).
With ``--baseline COMMIT`` the same replay runs first on that commit (a temporary git worktree),
then on this tree, against the same PostgreSQL and Redis.

    .venv/bin/python bench/year_replay.py --calls 5000 --baseline 2577276
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from stack import Servers, source_tree

YEAR = 241_869
AGENTS = 4
RECORD = {"caller_type": "child", "age_band": "14_15", "gender": "not_said", "topics": ["bullying"],
          "risk_level": "low", "consent": "not_required", "referrals": [], "notes": "replayed"}


def replay(database_url: str, redis_url: str, calls: int) -> float:
    """Seconds the replay of ``calls`` calls took (run with the measured tree first on the path)."""

    from sqlalchemy import create_engine

    from helpline import create_app
    from helpline.clock import FixedClock
    from helpline.extensions import db, socketio
    from helpline.schema import upgrade
    from helpline.services.accounts import NewUser, create_user
    from helpline.services.demo import load_demo_data
    from tests.conftest import (
        ALMATY,
        AUTH_TOKEN,
        BASE_URL,
        START,
        PhoneCall,
        TwilioDouble,
        csrf_from,
        sign_in,
    )

    engine = create_engine(database_url)      # migrated by the code measured, to its own head
    upgrade(engine)
    engine.dispose()
    clock = FixedClock(START)
    with tempfile.TemporaryDirectory() as instance:
        app = create_app({"database_url": database_url, "redis_url": redis_url,
                          "socketio_message_queue": False, "helpline_instance_path": instance,
                          "public_base_url": BASE_URL, "twilio_auth_token": AUTH_TOKEN,
                          "log_level": "WARNING"}, environ={}, clock=clock)
        with app.app_context():
            load_demo_data(db.session, clock.now(), with_users=False)
            for i in range(AGENTS):
                create_user(db.session, NewUser(f"agent{i}", "bench password 1", "psychologist", 2,
                                                ("kk", "ru", "en"), "en"), clock.now())
            db.session.commit()
        consoles = []
        for i in range(AGENTS):
            http = app.test_client()
            sign_in(http, f"agent{i}", "bench password 1")
            headers = {"X-CSRFToken": csrf_from(http.get("/console").get_data(as_text=True))}
            sio = socketio.test_client(app, namespace="/console", flask_test_client=http)
            sio.emit("set_state", {"state": "available"}, namespace="/console", callback=True)
            consoles.append((http, headers, sio))
        carrier = TwilioDouble(app.test_client())
        started, failed = time.perf_counter(), 0
        for _ in range(calls):
            clock.advance(seconds=20)
            for _http, _headers, sio in consoles:        # the consoles' heartbeats
                sio.emit("heartbeat", {}, namespace="/console", callback=True)
            phone = PhoneCall(carrier, ALMATY)
            phone.dial()
            phone.press("3")
            phone.press("1")
            phone.wait()                                  # the hold music, asked for at once
            offer = next(((c, e["args"][0]) for c in consoles for e in c[2].get_received("/console")
                          if e["name"] == "offer"), None)
            if offer is None:
                raise SystemExit("a call was not offered to any console")
            (http, headers, sio), payload = offer
            clock.advance(seconds=5)
            reply = sio.emit("accept", {"offer_id": payload["offer_id"]}, namespace="/console",
                             callback=True)
            if not reply["ok"]:      # e.g. Redis too slow to answer on a loaded machine
                failed += 1
                phone.completed()
                sio.get_received("/console")
                continue
            clock.advance(seconds=100)
            phone.completed()
            saved = http.post(f"/console/calls/{reply['call_id']}/record", json=RECORD, headers=headers)
            assert saved.status_code == 200, saved.get_data(as_text=True)
            clock.advance(seconds=10)
            sio.emit("set_state", {"state": "available"}, namespace="/console", callback=True)
            sio.get_received("/console")
        if failed:
            print(f"{failed} calls could not be answered", file=sys.stderr)
        return time.perf_counter() - started


def measure(tree: Path, servers: Servers, calls: int) -> float:
    """Calls per second of ``tree``, replayed in a process of its own."""
    with tempfile.TemporaryDirectory() as folder:
        settings = servers.fresh(Path(folder))
        result = subprocess.run(
            [sys.executable, __file__, "--replay", json.dumps({**settings, "calls": calls})],
            env={"PATH": "/usr/bin:/bin", "PYTHONPATH": f"{tree}:{Path(__file__).parent}"},
            capture_output=True, text=True, check=False)
    if result.returncode:
        raise SystemExit(f"the replay failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    for line in result.stderr.splitlines():
        if "could not be answered" in line:
            print(f"({line})")
    return calls / float(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=YEAR)
    parser.add_argument("--baseline", default="", metavar="COMMIT",
                        help="also replay on this commit first, in the same run")
    parser.add_argument("--replay", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.replay:
        job = json.loads(args.replay)
        print(replay(job["database_url"], job["redis_url"], job["calls"]))
        return
    print(f"a year's calls replayed, whole IVR walk, PostgreSQL + Redis, one process: {args.calls} "
          f"calls each{f'; before = {args.baseline}' if args.baseline else ''}")
    with Servers("postgres") as servers:
        for name, commit in (("before", args.baseline), ("after", "")):
            if name == "before" and not commit:
                continue
            with source_tree(commit) as tree:
                rate = measure(tree, servers, args.calls)
            minutes = YEAR / rate / 60
            said = "projected" if args.calls < YEAR else "measured"
            print(f"{name:7} {rate:6.1f} calls/s   {YEAR:,} calls: {minutes:5.1f} min ({said})",
                  flush=True)


if __name__ == "__main__":
    main()
