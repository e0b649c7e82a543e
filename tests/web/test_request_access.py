"""Follow-up details are for the request's author, the centre's supervisors and administrators;
the team sees that the work exists; every read of a request is in the audit log."""

from __future__ import annotations

import re

from helpline.extensions import db
from helpline.models import Request
from tests.web.test_record_and_escalation import request_with_follow_up

DETAIL = "Mother agreed to a meeting on Friday"


def _request_with_follow_up(app, make_user, staff_client, phone, clock):
    http, _headers, _call_id, request_id = request_with_follow_up(
        app, make_user, staff_client, phone, clock, DETAIL)
    return http, request_id


def _audit_rows(admin, action: str) -> list[str]:
    page = admin.get(f"/admin/audit?action={action}").get_data(as_text=True)
    return re.findall(r"<tr><td>[^<]*</td><td>([^<]*)</td><td><code>" + re.escape(action) + r"</code></td>",
                      page)


def test_another_psychologist_of_the_centre_is_refused_the_details_in_words(
        app, make_user, staff_client, phone, clock):
    _author, request_id = _request_with_follow_up(app, make_user, staff_client, phone, clock)
    make_user("aliya")                                       # a psychologist of the same centre
    colleague, headers = staff_client("aliya")
    page = colleague.get(f"/requests/{request_id}")
    assert page.status_code == 403
    text = page.get_data(as_text=True)
    assert "registered it and the centre&#39;s supervisors" in text and DETAIL not in text
    token = headers["X-CSRFToken"]
    refused = colleague.post(f"/requests/{request_id}", data={
        "csrf_token": token, "action": "other", "detail": "written by someone else"})
    assert refused.status_code == 403
    with app.app_context():
        assert len(db.session.get(Request, request_id).follow_ups) == 1
        db.session.remove()
    # The list tells the team the work is pending (number, status, deadline), not what it is about
    listing = colleague.get("/requests?view=open").get_data(as_text=True)
    assert f"<td>{request_id}</td>" in listing and "<td>in progress</td>" in listing
    assert "<td>Bullying, Cyberbullying</td>" not in listing
    assert f'href="/requests/{request_id}"' not in listing
    assert "Details: its author and supervisors only" in listing
    # Filtering by a detail does not reveal it either
    assert f"<td>{request_id}</td>" not in colleague.get(
        "/requests?view=open&topic=bullying").get_data(as_text=True)
    assert f"<td>{request_id}</td>" not in colleague.get(
        "/requests?view=open&risk=medium").get_data(as_text=True)


def test_author_supervisor_and_administrator_read_and_each_read_is_audited(
        app, make_user, staff_client, phone, clock):
    author, request_id = _request_with_follow_up(app, make_user, staff_client, phone, clock)
    make_user("sup.almaty", role="supervisor", centre_id=2)
    make_user("aliya")
    make_user("root", role="administrator", centre_id=None)
    supervisor, _ = staff_client("sup.almaty")
    admin, _ = staff_client("root")
    for reader in (author, supervisor, admin):
        page = reader.get(f"/requests/{request_id}")
        assert page.status_code == 200 and DETAIL in page.get_data(as_text=True)
    assert f'href="/requests/{request_id}"' in supervisor.get("/requests").get_data(as_text=True)
    staff_client("aliya")[0].get(f"/requests/{request_id}")
    opened = _audit_rows(admin, "request.open")
    # the author twice (once to add the follow-up), the supervisor, the administrator
    assert sorted(opened) == ["root", "saule", "saule", "sup.almaty"]
    assert _audit_rows(admin, "request.open_refused") == ["aliya"]
    assert "sup.almaty" in _audit_rows(admin, "request.list")
    assert DETAIL not in admin.get("/admin/audit").get_data(as_text=True)
