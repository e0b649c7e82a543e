"""Transfers and supervisor interventions in the register's export and the period reports."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from helpline.extensions import db
from helpline.models import Call, CallParticipant, Offer
from helpline.services import audit
from helpline.services.calls import new_call_id

T0 = datetime(2026, 3, 2, 4, tzinfo=UTC)      # 09:00 in Almaty


def seed(app, make_user):
    """Three calls in March: one transferred from Almaty to Astana (answered by saule, then
    aigerim, with help asked and a supervisor joining), one to Almaty, one to Astana in April."""
    saule, aigerim = make_user("saule", centre_id=2), make_user("aigerim", centre_id=1)
    boss = make_user("sup.almaty", role="supervisor", centre_id=2)
    ids = [new_call_id() for _ in range(3)]
    with app.app_context():
        for call_id, centre, start, transfers in ((ids[0], 1, T0, 1), (ids[1], 2, T0, 0),
                                                  (ids[2], 1, T0 + timedelta(days=31), 0)):
            db.session.add(Call(id=call_id, centre_id=centre, state="ended", started_at=start,
                                ended_at=start + timedelta(minutes=9), is_urgent=False, menu_path="",
                                outcome="answered", answered_at=start, transfer_count=transfers))
        db.session.flush()
        for user, minutes in ((saule, 1), (aigerim, 5)):
            at = T0 + timedelta(minutes=minutes)
            db.session.add(Offer(call_id=ids[0], user_id=user, offered_at=at, state="failed", accepted_at=at,
                                 expires_at=at + timedelta(seconds=20)))
        db.session.add(CallParticipant(call_id=ids[0], user_id=saule, part="transferred",
                                       at=T0 + timedelta(minutes=4)))
        audit.record(db.session, T0 + timedelta(minutes=2), "call.help_request", None, "call", ids[0])
        audit.record(db.session, T0 + timedelta(minutes=3), "on_the_line.join", None, "call", ids[1])
        audit.record(db.session, T0 + timedelta(minutes=3), "call.help_ack", None, "call", ids[1])
        audit.record(db.session, T0 + timedelta(days=31), "call.help_request", None, "call", ids[2])
        db.session.commit()
    return ids, boss


def kpis(helpline_cli, *centre):
    out = helpline_cli("reports", "period", *centre, "--from", "2026-03-01", "--to", "2026-03-31").output
    return {r[0]: r[1] for r in csv.reader(io.StringIO(out)) if len(r) == 2}


def test_the_period_report_counts_transfers_and_supervisor_interventions(app, make_user, helpline_cli):
    seed(app, make_user)
    everywhere = kpis(helpline_cli)
    assert (everywhere["transfers"], everywhere["supervisor_interventions"]) == ("1", "2")
    astana = kpis(helpline_cli, "--centre", "1")
    assert (astana["transfers"], astana["supervisor_interventions"]) == ("1", "1")
    almaty = kpis(helpline_cli, "--centre", "2")
    assert (almaty["transfers"], almaty["supervisor_interventions"]) == ("0", "1")
    outside = helpline_cli("reports", "period", "--from", "2026-03-01", "--to", "2026-03-31",
                           "--outside").output
    assert "transfers" not in outside and "supervisor_interventions" not in outside


def test_the_register_export_names_the_transfer_count_and_the_staff_only(app, make_user, helpline_cli):
    ids, _boss = seed(app, make_user)
    out = helpline_cli("calls", "export", "--since", "2026-03-01", "--until", "2026-03-31").output
    table = out[out.index("call_id,"):]              # after what the command says on stderr
    rows = {row["call_id"]: row for row in csv.DictReader(io.StringIO(table))}
    assert (rows[ids[0]]["transfers"], rows[ids[0]]["staff"]) == ("1", "saule aigerim")
    assert (rows[ids[1]]["transfers"], rows[ids[1]]["staff"]) == ("0", "")
