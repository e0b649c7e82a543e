"""A year's national volume (241,869 calls) replayed through the real app on PostgreSQL + Redis.

Two walks (``--walk``):

* ``ivr`` (the default; what the issue's row "whole IVR walk" measures): the caller's whole way
  through the IVR, as ``bench/run_load.py`` walks it: the incoming call (``/ivr/voice``), the
  language menu (the number's centre's English, or Russian where it has no English), the
  caller-type menu (a child), the queue (``<Enqueue waitUrl>``: one hold loop), the caller
  hanging up (the Enqueue action with ``QueueResult=hangup``) and the status callback
  (``CallStatus=completed``).  Nobody is Available, so routing finds no one (most night calls
  wait so).
* ``full`` (the walk this bench had before): the incoming call, both menus, the queue's hold
  loop (which routes the call to a console), the call accepted by a psychologist on her console
  (the Socket.IO test client), the caller hanging up (the status callback), the contact record
  saved through the console's HTTP endpoint, and the psychologist Available again.

Webhooks are signed as Twilio signs them and go through the whole WSGI stack; the clock is the
app's own fixed clock, moved on by hand (about two minutes a call, as a year's volume spreads
them), so no step waits.

``--processes N`` (default 2, the cores here; production runs several web processes) replay at
once against the same PostgreSQL and Redis, each with its own app (its own ``create_app`` and
clock) and ``--calls // N`` calls; process ``p`` dials the number of its own centre (the demo
centres, then centres added for the bench), and in the full walk its own psychologists of that
centre answer on its consoles (the replay runs without the Socket.IO message queue, and the
centres pass no calls to each other as national backup).  Every process routes every waiting
call, so a ring another process made to one of its consoles is read from the database (counted
"rung elsewhere"), as the message queue would have carried it.  The processes' clocks are their
own, so the bench's settings (:data:`APART`) keep one from expiring another's rings or sessions.
The database is migrated and seeded first; every process then signs its consoles in and waits for
the same "go", so the rate is the calls of all processes over the time from the first start to
the last end.  It prints calls per second and the time the whole year would take at that rate
(said to be projected when fewer calls were replayed).  With ``--baseline COMMIT`` the same
replay runs first on that commit (a temporary git worktree), then on this tree, against the
same PostgreSQL and Redis; each replay process checks it imported the tree it measures.

    .venv/bin/python bench/year_replay.py --calls 5000 --baseline 2577276
    .venv/bin/python bench/year_replay.py --walk full --calls 2000 --processes 2 --baseline 2577276
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from stack import PASSWORD, Servers, source_tree

YEAR = 241_869
AGENTS = 4
WALKS = {"ivr": "whole IVR walk",
         "full": "full walk (IVR, accepted on a console, contact record, Available again)"}
#: The demo centres: (name, number, the digit of the language chosen in its language menu).
DEMO_CENTRES = (("Almaty PSC (demo)", "+77273555150", "3"), ("Astana PSC (demo)", "+77172555150", "2"))
#: Each process's clock is its own, so one process's "now" may be minutes past another's: its
#: routing must not expire the other's rings, nor take back its calls not yet bridged.  And the
#: clocks run at about two minutes a call: the consoles' sessions must outlive a replayed year
#: (and a psychologist that routing passes over for half an hour of it, heartbeats only).
APART = {"ring_timeout_seconds": 10**7, "bridge_timeout_seconds": 10**7,
         "idle_logout_minutes": 10**7, "session_max_hours": 10**6}
#: What a replay process saw happen, printed at its end ("not answered", "rung elsewhere").
TALLY: Counter[str] = Counter()
RECORD = {"caller_type": "child", "age_band": "14_15", "gender": "not_said", "topics": ["bullying"],
          "risk_level": "low", "consent": "not_required", "referrals": [], "notes": "replayed"}


def centre_of(process: int) -> tuple[str, str, str]:
    """Process ``process``'s centre: a demo centre, or one the bench adds (kk, ru, en: English)."""
    if process < len(DEMO_CENTRES):
        return DEMO_CENTRES[process]
    return f"Bench PSC {process}", f"+7721255{5150 + process}", "3"


def bench_app(job: dict, instance: str, clock):
    from helpline import create_app
    from tests.conftest import AUTH_TOKEN, BASE_URL

    return create_app({"database_url": job["database_url"], "redis_url": job["redis_url"],
                       "socketio_message_queue": False, "helpline_instance_path": instance,
                       "public_base_url": BASE_URL, "twilio_auth_token": AUTH_TOKEN,
                       "log_level": "WARNING", **APART}, environ={}, clock=clock)


def seed(job: dict) -> None:
    """Migrate (by the code measured, to its own head), then the centres and, for the full walk,
    each process's psychologists in its centre."""
    from sqlalchemy import create_engine, select

    from helpline.clock import FixedClock
    from helpline.extensions import db
    from helpline.models import Centre
    from helpline.schema import upgrade
    from helpline.services.accounts import NewUser, create_user
    from helpline.services.centres import CentreInput, add_centre
    from helpline.services.demo import load_demo_data
    from tests.conftest import START

    engine = create_engine(job["database_url"])
    upgrade(engine)
    engine.dispose()
    with tempfile.TemporaryDirectory() as instance:
        app = bench_app(job, instance, FixedClock(START))
        with app.app_context():
            load_demo_data(db.session, START, with_users=False)
            for process in range(len(DEMO_CENTRES), job["processes"]):
                name, number, _digit = centre_of(process)
                add_centre(db.session, CentreInput(name, "Karaganda", (number,),
                                                   languages=("kk", "ru", "en")), START)
            ids = {}
            for centre in db.session.scalars(select(Centre)):
                ids[centre.name] = centre.id
                centre.max_wait_seconds = 10**7     # no national backup: see full_walk
            for process in range(job["processes"] if job["walk"] == "full" else 0):
                for i in range(AGENTS):
                    create_user(db.session, NewUser(f"agent{process}.{i}", PASSWORD, "psychologist",
                                                    ids[centre_of(process)[0]], ("kk", "ru", "en"),
                                                    "en"), START)
            db.session.commit()
            db.engine.dispose()


def ivr_walk(app, clock, process: int) -> Callable[[], None]:
    """One call's whole IVR walk; nobody Available."""
    from tests.conftest import PhoneCall, TwilioDouble

    _name, number, digit = centre_of(process)
    carrier = TwilioDouble(app.test_client())

    def call() -> bool:
        clock.advance(seconds=20)
        phone = PhoneCall(carrier, number)
        phone.dial()
        clock.advance(seconds=5)
        phone.press(digit)
        clock.advance(seconds=5)
        phone.press("1")
        phone.wait()                                      # one hold loop, asked for at once
        clock.advance(seconds=90)
        phone.queue_result("hangup")
        clock.advance(seconds=1)
        phone.completed()

    return call


def full_walk(app, clock, process: int) -> Callable[[], None]:
    """One call walked to the contact record on this process's consoles; counted "not answered"
    when the psychologist's accept did not go through (e.g. Redis too slow on a loaded machine)."""
    from helpline.extensions import socketio
    from tests.conftest import PhoneCall, TwilioDouble, csrf_from, sign_in

    _name, number, digit = centre_of(process)
    consoles = {}
    for i in range(AGENTS):
        http = app.test_client()
        sign_in(http, f"agent{process}.{i}", PASSWORD)
        headers = {"X-CSRFToken": csrf_from(http.get("/console").get_data(as_text=True))}
        sio = socketio.test_client(app, namespace="/console", flask_test_client=http)
        sio.emit("set_state", {"state": "available"}, namespace="/console", callback=True)
        consoles[f"agent{process}.{i}"] = (http, headers, sio)
    ring_elsewhere = offered_elsewhere(app, consoles)
    carrier = TwilioDouble(app.test_client())

    def call() -> None:
        clock.advance(seconds=20)
        for _http, _headers, sio in consoles.values():   # the consoles' heartbeats
            sio.emit("heartbeat", {}, namespace="/console", callback=True)
        phone = PhoneCall(carrier, number)
        phone.dial()
        phone.press(digit)
        phone.press("1")
        phone.wait()                                      # the hold music, asked for at once
        offer = next(((c, e["args"][0]) for c in consoles.values()
                      for e in c[2].get_received("/console") if e["name"] == "offer"), None)
        if offer is None:
            offer = ring_elsewhere()
        (http, headers, sio), payload = offer
        clock.advance(seconds=5)
        reply = sio.emit("accept", {"offer_id": payload["offer_id"]}, namespace="/console",
                         callback=True)
        if not reply["ok"]:
            TALLY["not answered"] += 1
            phone.completed()
            sio.get_received("/console")
            return
        clock.advance(seconds=100)
        phone.completed()
        saved = http.post(f"/console/calls/{reply['call_id']}/record", json=RECORD, headers=headers)
        assert saved.status_code == 200, saved.get_data(as_text=True)
        clock.advance(seconds=10)
        sio.emit("set_state", {"state": "available"}, namespace="/console", callback=True)
        sio.get_received("/console")

    return call


def offered_elsewhere(app, consoles: dict) -> Callable[[], tuple]:
    """The ring another process's routing made to one of these consoles (every process routes
    every waiting call; in production the Socket.IO message queue would carry the offer to the
    console, the replay runs without it): (console, {"offer_id": ...}), read from the database."""
    from sqlalchemy import select

    from helpline.extensions import db
    from helpline.models import Offer, User

    with app.app_context():
        users = dict(db.session.execute(select(User.id, User.username)
                                        .where(User.username.in_(consoles))).all())
        db.session.remove()

    def find() -> tuple:
        deadline = time.monotonic() + 10        # the other process may not have committed yet
        while time.monotonic() < deadline:
            with app.app_context():
                ringing = db.session.execute(select(Offer.id, Offer.user_id).where(
                    Offer.state == "ringing", Offer.user_id.in_(users))).first()
                db.session.remove()
            if ringing is not None:
                TALLY["rung elsewhere"] += 1
                return consoles[users[ringing.user_id]], {"offer_id": ringing.id}
            time.sleep(0.01)
        raise SystemExit("a call was not offered to any console")

    return find


def replay(job: dict) -> None:
    """Set up, say "ready", wait for "go" on stdin, replay; print when it started and ended
    (the system-wide monotonic clock) and its :data:`TALLY`."""
    from helpline.clock import FixedClock
    from tests.conftest import START

    clock = FixedClock(START)
    with tempfile.TemporaryDirectory() as instance:
        app = bench_app(job, instance, clock)
        assert Path(sys.modules["helpline"].__file__).is_relative_to(job["tree"])
        call = (full_walk if job["walk"] == "full" else ivr_walk)(app, clock, job["process"])
        print("ready", flush=True)
        sys.stdin.readline()
        started = time.monotonic()
        for _ in range(job["calls"]):
            call()
        ended = time.monotonic()
    print(json.dumps({"started": started, "ended": ended, **TALLY}), flush=True)


def child(tree: Path, mode: str, job: dict, **streams) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 - this very script
        [sys.executable, __file__, mode, json.dumps(job)], text=True,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": f"{tree}:{Path(__file__).parent}"}, **streams)


def measure(tree: Path, servers: Servers, calls: int, walk: str, processes: int) -> float:
    """Calls per second of ``tree``: ``processes`` replay processes at once."""
    each = calls // processes
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        job = {**servers.fresh(folder), "walk": walk, "processes": processes, "tree": str(tree)}
        seeding = child(tree, "--seed", job, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        said = seeding.communicate()[0]
        if seeding.returncode:
            raise SystemExit(f"the seed failed:\n{said[-3000:]}")
        logs = [folder / f"replay-{p}.log" for p in range(processes)]
        running = []
        try:
            for p, log in enumerate(logs):
                with open(log, "w") as err:
                    running.append(child(tree, "--replay", {**job, "calls": each, "process": p},
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err))
            for p, process in enumerate(running):
                while (line := process.stdout.readline()) and line.strip() != "ready":
                    pass
                if not line:
                    raise SystemExit(f"replay {p} failed:\n{logs[p].read_text()[-3000:]}")
            for process in running:
                process.stdin.write("go\n")
                process.stdin.flush()
            results = []
            for p, process in enumerate(running):
                out, _ = process.communicate()
                if process.returncode:
                    raise SystemExit(f"replay {p} failed:\n{out[-2000:]}\n"
                                     f"{logs[p].read_text()[-3000:]}")
                results.append(json.loads(out.strip().splitlines()[-1]))
        finally:
            for process in running:
                if process.poll() is None:
                    process.kill()
                    process.wait()
    tally = sum((Counter({k: v for k, v in r.items() if k not in ("started", "ended")})
                 for r in results), Counter())
    if tally:
        print(f"({', '.join(f'{what}: {count}' for what, count in sorted(tally.items()))})")
    seconds = max(r["ended"] for r in results) - min(r["started"] for r in results)
    return each * processes / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=YEAR, help="calls of all processes together")
    parser.add_argument("--walk", choices=sorted(WALKS), default="ivr")
    parser.add_argument("--processes", type=int, default=2, help="replay processes at once")
    parser.add_argument("--baseline", default="", metavar="COMMIT",
                        help="also replay on this commit first, in the same run")
    parser.add_argument("--replay", help=argparse.SUPPRESS)
    parser.add_argument("--seed", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.replay or args.seed:
        job = json.loads(args.replay or args.seed)
        sys.path.insert(0, job["tree"])     # before this tree, which importing stack put first
        (replay if args.replay else seed)(job)
        return
    processes = max(1, args.processes)
    calls = args.calls // processes * processes
    who = (f"{processes} processes at once: {calls} calls each run ({calls // processes} a process)"
           if processes > 1 else f"one process: {calls} calls each run")
    print(f"a year's calls replayed, {WALKS[args.walk]}, PostgreSQL + Redis, {who}"
          f"{f'; before = {args.baseline}' if args.baseline else ''}", flush=True)
    with Servers("postgres") as servers:
        for name, commit in (("before", args.baseline), ("after", "")):
            if name == "before" and not commit:
                continue
            with source_tree(commit) as tree:
                rate = measure(tree, servers, calls, args.walk, processes)
            minutes = YEAR / rate / 60
            said = "projected" if calls < YEAR else "measured"
            print(f"{name:7} {rate:6.1f} calls/s   {YEAR:,} calls: {minutes:5.1f} min ({said})",
                  flush=True)


if __name__ == "__main__":
    main()
