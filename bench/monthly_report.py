"""Time of the monthly report to the child-rights authority over 1,000,000 calls in SQLite.

Generates a throw-away SQLite database with 20 centres, 1,000,000 calls and 250,000 requests in
one month (bulk inserts), then times `helpline reports monthly` (all centres, suppression
included) and the public statistics page's figures. Prints the figures.

    .venv/bin/python bench/monthly_report.py [--calls 1000000]
"""

from __future__ import annotations

import argparse
import random
import secrets
import tempfile
import time
from datetime import UTC, date, datetime, timedelta

from click.testing import CliRunner
from sqlalchemy import insert

from helpline import create_app
from helpline.cli import _State, cli
from helpline.extensions import db
from helpline.models import Call, Request
from helpline.schema import upgrade
from helpline.services.centres import CentreInput, add_centre
from helpline.services.figures import monthly_tables

OUTCOMES = ["answered"] * 6 + ["abandoned_in_menu", "abandoned_in_queue", "no_one_available", "failed"]
TOPICS = ["bullying", "cyberbullying", "suicidal", "self_harm", "divorce", "parenting", "relationships"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1_000_000)
    args = parser.parse_args()
    rng = random.Random(1)
    with tempfile.TemporaryDirectory() as instance:
        app = create_app({"helpline_instance_path": instance, "log_level": "WARNING"}, environ={})
        with app.app_context():
            upgrade(db.engine)
            now = datetime.now(UTC)
            ids = [add_centre(db.session, CentreInput(f"Centre {c:02d}", f"Region {c:02d}",
                                                      (f"+7 7172 {c:02d} 00 00",)), now).id
                   for c in range(20)]
            db.session.commit()
            start = datetime(2026, 2, 28, 19, tzinfo=UTC)
            began = time.perf_counter()
            batch = []
            for i in range(args.calls):
                at = start + timedelta(seconds=rng.randrange(31 * 86400))
                batch.append({"id": secrets.token_hex(16), "centre_id": rng.choice(ids),
                              "state": "ended", "started_at": at, "ended_at": at,
                              "is_urgent": False, "menu_path": "", "outcome": rng.choice(OUTCOMES),
                              "language": rng.choice(["kk", "ru"])})
                if len(batch) == 50_000 or i == args.calls - 1:
                    db.session.execute(insert(Call), batch)
                    batch = []
            requests = []
            for _ in range(args.calls // 4):
                at = start + timedelta(seconds=rng.randrange(31 * 86400))
                requests.append({"centre_id": rng.choice(ids), "channel": "phone", "received_at": at,
                                 "due_at": at, "status": "closed",
                                 "caller_type": rng.choice(["child", "parent", "specialist", None]),
                                 "age_band": rng.choice(["10_13", "14_15", "16_17", None]),
                                 "risk_level": rng.choice(["none", "low", "medium", "high", "immediate"]),
                                 "topics": ",".join(rng.sample(TOPICS, rng.randint(1, 2))),
                                 "updated_at": at})
            db.session.execute(insert(Request), requests)
            db.session.commit()
            print(f"generated {args.calls:,} calls and {len(requests):,} requests in "
                  f"{time.perf_counter() - began:.1f} s")
            began = time.perf_counter()
            monthly_tables(db.session, date(2026, 3, 1))
            print(f"figures for the public page (suppression included): {time.perf_counter() - began:.2f} s")
        state = _State()
        state.app = app
        began = time.perf_counter()
        result = CliRunner().invoke(cli, ["reports", "monthly", "--month", "2026-03"], obj=state)
        took = time.perf_counter() - began
        print(f"helpline reports monthly --month 2026-03 (all centres): {took:.2f} s, "
              f"{len(result.output.splitlines())} lines, exit {result.exit_code}")


if __name__ == "__main__":
    main()
