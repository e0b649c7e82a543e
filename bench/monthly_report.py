"""The monthly report and the public statistics page over 1,000,000 calls in SQLite, before
and after, on the same generated database in the same run.

Generates a throw-away SQLite database with 20 centres, 1,000,000 calls and 250,000 requests in
one month (bulk inserts) at the schema of the baseline commit, and times there, with the
baseline's code (a temporary ``git worktree`` of ``--baseline``, run in a child process):
the monthly report (``figures.monthly_csv``, all centres, suppression included) and ``/stats``
through Flask's test client. Then migrates the same database to this tree's head and times the
same with this tree's code: the report, ``/stats`` cold (no published figures stored yet) and
cached (served from the stored figures). Prints one row per measure.

    .venv/bin/python bench/monthly_report.py [--calls 1000000] [--baseline 2577276]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

OUTCOMES = ["answered"] * 6 + ["abandoned_in_menu", "abandoned_in_queue", "no_one_available", "failed"]
TOPICS = ["bullying", "cyberbullying", "suicidal", "self_harm", "divorce", "parenting", "relationships"]
MONTH = date(2026, 3, 1)
ROOT = Path(__file__).resolve().parent.parent

#: Run in a child process with one tree's code first on the path: times the report and /stats,
#: prints them as JSON. Only names both trees have (``monthly_csv``, ``create_app``).
MEASURE = """
import json, sys, time
from datetime import date
from helpline import create_app
from helpline.extensions import db
from helpline.services.figures import monthly_csv

instance, runs = sys.argv[1], int(sys.argv[2])
app = create_app({"helpline_instance_path": instance, "log_level": "WARNING"}, environ={})
out = {}
with app.app_context():
    began, cpu = time.perf_counter(), time.process_time()
    lines = len(monthly_csv(db.session, date(2026, 3, 1)).splitlines())
    out["report"] = (time.perf_counter() - began, time.process_time() - cpu)
    out["report_lines"] = lines
client = app.test_client()
for n in range(runs):
    began, cpu = time.perf_counter(), time.process_time()
    response = client.get("/stats?month=2026-03&lang=en")
    out[f"stats_{n}"] = (time.perf_counter() - began, time.process_time() - cpu)
    out[f"stats_{n}_status"] = response.status_code
print(json.dumps(out))
"""


def generate(instance: str, calls: int, revision: str) -> str:
    """The database at ``revision`` with ``calls`` calls in March 2026; returns a summary."""
    from sqlalchemy import MetaData, Table, insert

    from helpline import create_app
    from helpline.extensions import db
    from helpline.models import Call, Request
    from helpline.schema import upgrade
    from helpline.services.centres import CentreInput, add_centre

    def defaults(model, table) -> dict:
        """The model's plain default of each column the table at ``revision`` has."""
        return {c.name: c.default.arg for c in model.__table__.columns
                if c.name in table.c and c.default is not None and c.default.is_scalar}

    rng = random.Random(1)
    app = create_app({"helpline_instance_path": instance, "log_level": "WARNING"}, environ={})
    with app.app_context():
        upgrade(db.engine, revision)
        now = datetime.now(UTC)
        ids = [add_centre(db.session, CentreInput(f"Centre {c:02d}", f"Region {c:02d}",
                                                  (f"+7 7172 {c:02d} 00 00",)), now).id for c in range(20)]
        db.session.commit()
        # The tables as they are at ``revision`` (read from the database), so no column a later
        # revision adds is written.
        tables = MetaData()
        calls_table = Table("calls", tables, autoload_with=db.engine)
        requests_table = Table("requests", tables, autoload_with=db.engine)
        call_defaults, request_defaults = defaults(Call, calls_table), defaults(Request, requests_table)
        start = datetime(2026, 2, 28, 19, tzinfo=UTC)
        batch = []
        for i in range(calls):
            at = start + timedelta(seconds=rng.randrange(31 * 86400))
            outcome = rng.choice(OUTCOMES)
            queued = outcome not in ("abandoned_in_menu", "failed")
            wait = rng.randrange(90) if queued else None
            batch.append({**call_defaults, "id": secrets.token_hex(16), "centre_id": rng.choice(ids),
                          "state": "ended",
                          "started_at": at, "ended_at": at + timedelta(seconds=600),
                          "queued_at": at if queued else None,
                          "dequeued_at": at + timedelta(seconds=wait) if queued else None,
                          "answered_at": at + timedelta(seconds=wait) if outcome == "answered" else None,
                          "wait_seconds": wait, "talk_seconds": rng.randrange(60, 900)
                          if outcome == "answered" else None,
                          "is_urgent": False, "menu_path": "", "outcome": outcome,
                          "language": rng.choice(["kk", "ru"])})
            if len(batch) == 50_000 or i == calls - 1:
                db.session.execute(insert(calls_table), batch)
                batch = []
        requests = []
        for _ in range(calls // 4):
            at = start + timedelta(seconds=rng.randrange(31 * 86400))
            requests.append({**request_defaults, "centre_id": rng.choice(ids), "channel": "phone",
                             "received_at": at,
                             "due_at": at, "status": "closed",
                             "caller_type": rng.choice(["child", "parent", "specialist", None]),
                             "age_band": rng.choice(["10_13", "14_15", "16_17", None]),
                             "risk_level": rng.choice(["none", "low", "medium", "high", "immediate"]),
                             "topics": ",".join(rng.sample(TOPICS, rng.randint(1, 2))), "updated_at": at})
        db.session.execute(insert(requests_table), requests)
        db.session.commit()
        db.engine.dispose()
    return f"{calls:,} calls and {len(requests):,} requests"


def measure(tree: Path, instance: str, runs: int) -> dict:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    done = subprocess.run([sys.executable, "-c", MEASURE, instance, str(runs)], cwd=tree, env=env,
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def migrate(instance: str, stamp: str | None = None) -> float:
    """Stamp the database as ``stamp`` (the schema is unchanged), or migrate it to head."""
    from alembic import command

    from helpline import create_app
    from helpline.extensions import db
    from helpline.schema import alembic_config, upgrade

    app = create_app({"helpline_instance_path": instance, "log_level": "WARNING"}, environ={})
    with app.app_context():
        began = time.perf_counter()
        if stamp:
            command.stamp(alembic_config(db.engine), stamp, purge=True)
        else:
            upgrade(db.engine)
        took = time.perf_counter() - began
        db.engine.dispose()
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--baseline", default="2577276", help="commit measured as BEFORE")
    parser.add_argument("--from-revision", default="0014", help="the last migration both trees share")
    parser.add_argument("--baseline-head", default="0016",
                        help="the baseline's head (its migrations after --from-revision are empty slots)")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory() as instance, tempfile.TemporaryDirectory() as scratch:
        baseline = Path(scratch) / "baseline"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(baseline), args.baseline],
                       check=True, capture_output=True)
        try:
            began = time.perf_counter()
            summary = generate(instance, args.calls, args.from_revision)
            print(f"generated {summary} in {time.perf_counter() - began:.1f} s")
            migrate(instance, stamp=args.baseline_head)
            before = measure(baseline, instance, 2)
            migrate(instance, stamp=args.from_revision)
            print(f"migrated to head (indexes, published figures) in {migrate(instance):.1f} s")
            after = measure(ROOT, instance, 3)
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(baseline)],
                           check=True, capture_output=True)
    rows = [("monthly report, all centres (monthly_csv)", "report", "report"),
            ("/stats?month=2026-03, first request (cold)", "stats_0", "stats_0"),
            ("/stats?month=2026-03, second request", "stats_1", "stats_1"),
            ("/stats?month=2026-03, third request", None, "stats_2")]
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; wall time (CPU time)")
    print(f"{'measure':<46} {'BEFORE':>18} {'AFTER':>18}")
    for name, was, now in rows:
        shown = f"{before[was][0]:>8.3f}s ({before[was][1]:.3f}s)" if was else f"{'':>18}"
        print(f"{name:<46} {shown} {after[now][0]:>8.3f}s ({after[now][1]:.3f}s)")
    print(f"report lines {before['report_lines']} / {after['report_lines']}; /stats status "
          f"{before['stats_0_status']} / {after['stats_0_status']}")


if __name__ == "__main__":
    main()
