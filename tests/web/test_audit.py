"""The audit log: each audited action leaves an event; events cannot be changed or removed."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from helpline.extensions import db
from helpline.models import AuditEvent
from tests.conftest import csrf_from, sign_in
from tests.web.test_record_and_escalation import RECORD, answered_call
from tests.web.test_rota_web import add, form_token


def actions(app) -> list[str]:
    with app.app_context():
        found = [e.action for e in db.session.query(AuditEvent).order_by(AuditEvent.id)]
        db.session.remove()
        return found


def test_audited_actions_leave_events(app, make_user, staff_client, phone, clock, helpline_cli):
    make_user("saule")
    sup = make_user("sup.almaty", role="supervisor", centre_id=2)
    make_user("root", role="administrator", centre_id=None)
    assert sign_in(app.test_client(), "saule", "wrong password!").status_code == 401
    http, headers, call_id, _sio = answered_call(app, phone, staff_client, clock)
    http.post(f"/console/calls/{call_id}/record", json=RECORD, headers=headers)
    http.get(f"/console/calls/{call_id}/record")
    http.post(f"/console/calls/{call_id}/escalate", headers=headers)
    sup_http, _ = staff_client("sup.almaty")
    add(sup_http, form_token(sup_http), sup, "2026-03-03", "08:00", "20:00", duty="supervisor")
    admin, _ = staff_client("root")
    token = csrf_from(admin.get("/admin/users").get_data(as_text=True))
    admin.post("/admin/users", data={"csrf_token": token, "username": "new.one",
                                     "password": "long enough pw", "role": "psychologist",
                                     "centre_id": "1", "languages": ["kk"], "ui_language": "kk"})
    helpline_cli("calls", "export")
    got = actions(app)
    for expected in ("sign_in.refused", "sign_in", "contact_record.change", "contact_record.open",
                     "escalation.raise", "rota.change", "user.create", "export.calls"):
        assert expected in got, expected
    page = admin.get("/admin/audit?action=contact_record").get_data(as_text=True)
    assert "contact_record.open" in page and "user.create" not in page
    assert admin.get("/admin/audit?actor=saule").status_code == 200
    assert admin.get("/admin/audit?from=someday").status_code == 400
    assert http.get("/admin/audit").status_code == 403


def test_the_audit_log_is_append_only(app, make_user, client):
    make_user("saule")
    sign_in(client, "saule")
    with app.app_context():
        for statement in ("UPDATE audit_events SET action = 'nothing'", "DELETE FROM audit_events"):
            with pytest.raises(DatabaseError, match="append-only"):
                db.session.execute(text(statement))
            db.session.rollback()
        assert db.session.query(AuditEvent).count() == 1
