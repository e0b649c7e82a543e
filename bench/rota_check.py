"""Time of `helpline rota check` for 20 centres x 40 staff x 31 days.

Builds a throw-away SQLite database with 20 centres, 40 psychologists and 2 supervisors each,
and a month of 2 x 12 h shifts (line duty rotating over the staff, supervisors on call), then
times the real command (`helpline rota check`) for each centre over the whole month, in-process
and as a separate process for one centre. Prints the figures.

    .venv/bin/python bench/rota_check.py
"""

from __future__ import annotations

import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from click.testing import CliRunner
from werkzeug.security import generate_password_hash

from helpline import create_app
from helpline.cli import CommandLine, cli
from helpline.extensions import db
from helpline.models import Shift, User
from helpline.schema import upgrade
from helpline.services.centres import CentreInput, add_centre
from scheduling.rota import LINE, SUPERVISOR
from scheduling.service import TEMPLATES

CENTRES, STAFF, DAYS = 20, 40, 31
FIRST = date(2026, 3, 1)


_HASH = generate_password_hash("bench password 1")


def _person(username: str, role: str, centre_id: int, now) -> User:
    """A staff account (one shared password hash: hashing 840 passwords is not what is timed)."""
    user = User(public_id=secrets.token_hex(16), username=username, password_hash=_HASH, role=role,
                centre_id=centre_id, languages="kk,ru", ui_language="kk", is_enabled=True,
                created_at=now)
    db.session.add(user)
    db.session.flush()
    return user


def build(app) -> None:
    from datetime import UTC, datetime
    from datetime import time as dtime
    from zoneinfo import ZoneInfo

    zone = ZoneInfo("Asia/Almaty")
    now = datetime.now(UTC)
    with app.app_context():
        for c in range(CENTRES):
            centre = add_centre(db.session, CentreInput(
                name=f"Centre {c:02d}", region=f"Region {c:02d}",
                numbers=(f"+7 7172 {c:02d} 00 00",)), now)
            staff = [_person(f"c{c:02d}p{i:02d}", "psychologist", centre.id, now)
                     for i in range(STAFF)]
            sups = [_person(f"c{c:02d}s{i}", "supervisor", centre.id, now) for i in range(2)]
            turn = 0
            for d in range(DAYS):
                day = FIRST + timedelta(days=d)
                for offset, hours in TEMPLATES["2x12"]:
                    start = datetime.combine(day, dtime(8), zone) + timedelta(hours=offset)
                    for _ in range(3):          # three people per shift: 2 needed by day
                        person = staff[turn % STAFF]
                        turn += 1
                        db.session.add(Shift(centre_id=centre.id, user_id=person.id, duty=LINE,
                                             starts_at=start.astimezone(UTC),
                                             ends_at=(start + timedelta(hours=hours)).astimezone(UTC),
                                             created_at=now))
                    db.session.add(Shift(centre_id=centre.id, user_id=sups[d % 2].id, duty=SUPERVISOR,
                                         starts_at=start.astimezone(UTC),
                                         ends_at=(start + timedelta(hours=hours)).astimezone(UTC),
                                         created_at=now))
        db.session.commit()
        print(f"built: {CENTRES} centres, {CENTRES * (STAFF + 2)} staff, "
              f"{db.session.query(Shift).count()} shifts over {DAYS} days")


def main() -> None:
    with tempfile.TemporaryDirectory() as instance:
        app = create_app({"helpline_instance_path": instance, "log_level": "WARNING"}, environ={})
        with app.app_context():
            upgrade(db.engine)
        started = time.perf_counter()
        build(app)
        print(f"build {time.perf_counter() - started:.1f} s")
        last = (FIRST + timedelta(days=DAYS - 1)).isoformat()
        timings = []
        for c in range(CENTRES):
            state = CommandLine(app)
            begun = time.perf_counter()
            result = CliRunner().invoke(cli, ["rota", "check", "--centre", f"Centre {c:02d}",
                                              "--from", FIRST.isoformat(), "--to", last], obj=state)
            timings.append(time.perf_counter() - begun)
            if c == 0:
                print("centre 00:", result.output.strip().splitlines()[-1])
        print(f"helpline rota check, one centre x {DAYS} days, in-process: "
              f"median {statistics.median(timings) * 1000:.0f} ms, max {max(timings) * 1000:.0f} ms; "
              f"all {CENTRES} centres {sum(timings):.2f} s")
        env = {**os.environ, "HELPLINE_INSTANCE_PATH": instance}
        helpline = Path(sys.executable).with_name("helpline")
        begun = time.perf_counter()
        subprocess.run([str(helpline), "rota", "check", "--centre", "Centre 07", "--from",
                        FIRST.isoformat(), "--to", last], env=env, capture_output=True, check=False)
        print(f"helpline rota check as a new process (start-up included): "
              f"{time.perf_counter() - begun:.2f} s")


if __name__ == "__main__":
    main()
