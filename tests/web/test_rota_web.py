"""Rota pages, the calendar feed, and routing that follows the rota."""

from __future__ import annotations

import pytest

from helpline.extensions import db, socketio
from helpline.models import AuditEvent, Shift, User
from tests.conftest import ALMATY, csrf_from

NS = "/console"


@pytest.fixture
def almaty(make_user):
    return {name: make_user(name, centre_id=2) for name in ("saule", "timur")} | {
        "sup": make_user("sup", role="supervisor", centre_id=2)}


def form_token(http, path="/rota?centre=2&start=2026-03-02"):
    return csrf_from(http.get(path).get_data(as_text=True))


def feed_address(http) -> str:
    """Ask for the person's calendar address on "My shifts" and read it off the page."""
    page = http.get("/my-shifts").get_data(as_text=True)
    response = http.post("/my-shifts/calendar-feed", data={"csrf_token": csrf_from(page)})
    page = http.get(response.location).get_data(as_text=True)
    return page.split('<code id="feed">')[1].split("</code>")[0].replace("http://localhost", "")


def add(http, token, user_id, day, start, end, duty="line", reason=""):
    return http.post("/rota/shifts", data={"csrf_token": token, "centre": "2", "user_id": user_id,
                                           "duty": duty, "day": day, "from": start, "to": end,
                                           "reason": reason, "start_view": "2026-03-02"})


def test_supervisor_sees_gaps_adds_shifts_and_violations_need_a_reason(app, almaty, staff_client):
    http, _ = staff_client("sup")
    page = http.get("/rota?centre=2&start=2026-03-02").get_data(as_text=True)
    assert page.count('class="gap"') == 7                 # nobody planned: every day has gaps
    token = form_token(http)
    assert add(http, token, almaty["saule"], "2026-03-02", "08:00", "20:00").status_code == 303
    night = add(http, token, almaty["saule"], "2026-03-02", "20:00", "08:00")   # back to back
    assert night.status_code == 409
    text = night.get_data(as_text=True)
    assert "no rest between shifts" in text and "back_to_back" not in text and "give a reason" in text
    assert add(http, token, almaty["saule"], "2026-03-02", "20:00", "08:00",
               reason="only one free person").status_code == 303
    with app.app_context():
        shifts = db.session.query(Shift).order_by(Shift.id).all()
        assert [s.override_reason for s in shifts] == [None, "only one free person"]
        db.session.remove()
    assert add(http, token, 99999, "2026-03-02", "08:00", "20:00").status_code == 400
    assert add(http, token, almaty["saule"], "tuesday", "08:00", "20:00").status_code == 400
    printed = http.get("/rota?centre=2&start=2026-03-02&print=1").get_data(as_text=True)
    assert "Save shift" not in printed and "08:00–20:00" in printed


def test_template_applied_to_a_week_from_the_page(app, almaty, staff_client, make_user):
    others = [make_user(n, centre_id=2) for n in ("aru", "dias", "ermek")]
    http, _ = staff_client("sup")
    token = form_token(http)
    response = http.post("/rota/template", data={
        "csrf_token": token, "centre": "2", "pattern": "2x12", "duty": "line",
        "people": [almaty["saule"], almaty["timur"], *others], "first": "2026-03-02",
        "last": "2026-03-08", "start_hour": "8"})
    assert response.status_code == 303
    with app.app_context():
        assert db.session.query(Shift).count() == 14
        db.session.remove()
    bad = http.post("/rota/template", data={"csrf_token": token, "centre": "2", "pattern": "5x5",
                                            "people": [almaty["saule"]], "first": "2026-03-02",
                                            "last": "2026-03-08", "start_hour": "8"})
    assert bad.status_code == 400 and "template: one of" in bad.get_data(as_text=True)


def test_psychologists_cannot_edit_the_rota_but_see_their_shifts_and_feed(app, almaty, staff_client):
    sup, _ = staff_client("sup")
    add(sup, form_token(sup), almaty["saule"], "2026-03-03", "08:00", "20:00")
    http, _ = staff_client("saule")
    assert http.get("/rota").status_code == 403
    page = http.get("/my-shifts").get_data(as_text=True)
    assert "08:00" in page and "20:00" in page
    ics = app.test_client().get(feed_address(http))
    assert ics.status_code == 200 and ics.mimetype == "text/calendar"
    body = ics.get_data(as_text=True)
    assert "DTSTART:20260303T030000Z" in body and "DTEND:20260303T150000Z" in body
    assert "saule" not in body and "+7" not in body
    assert app.test_client().get("/calendar/guess.ics").status_code == 404


def test_swap_asked_accepted_and_approved_in_the_pages(app, almaty, staff_client):
    sup, _ = staff_client("sup")
    add(sup, form_token(sup), almaty["saule"], "2026-03-04", "08:00", "20:00")
    with app.app_context():
        shift_id = db.session.query(Shift.id).scalar()
    saule, _ = staff_client("saule")
    token = csrf_from(saule.get("/my-shifts").get_data(as_text=True))
    assert saule.post(f"/my-shifts/{shift_id}/swap", data={"csrf_token": token,
                                                          "colleague_id": almaty["timur"]}).status_code == 303
    timur, _ = staff_client("timur")
    token = csrf_from(timur.get("/my-shifts").get_data(as_text=True))
    assert timur.post("/my-shifts/swaps/1/accept", data={"csrf_token": token}).status_code == 303
    assert sup.post("/rota/swaps/1/approve", data={"csrf_token": form_token(sup)}).status_code == 303
    with app.app_context():
        current = db.session.query(Shift).filter(Shift.superseded_at.is_(None)).one()
        assert current.user_id == almaty["timur"]
        db.session.remove()


def _console(app, staff_client, username):
    http, _ = staff_client(username)
    sio = socketio.test_client(app, namespace=NS, flask_test_client=http)
    sio.emit("set_state", {"state": "available"}, namespace=NS, callback=True)
    sio.get_received(NS)
    return sio


def _offers(sio):
    return [e["args"][0] for e in sio.get_received(NS) if e["name"] == "offer"]


def test_a_simulated_call_rings_only_who_is_on_duty(app, almaty, staff_client, phone, clock):
    sup, _ = staff_client("sup")
    add(sup, form_token(sup), almaty["timur"], "2026-03-02", "14:00", "20:00")  # 09:00 UTC -> 15:00
    saule = _console(app, staff_client, "saule")        # idle longer, but not on duty
    timur = _console(app, staff_client, "timur")
    call = phone(ALMATY)
    call.dial()
    call.press("3")
    call.press("1")
    assert _offers(saule) == [] and len(_offers(timur)) == 1


def test_a_gap_now_sends_calls_to_other_centres_and_alerts_the_supervisor(
        app, almaty, staff_client, phone, make_user):
    sup, _ = staff_client("sup")
    add(sup, form_token(sup), almaty["timur"], "2026-03-03", "08:00", "20:00")   # tomorrow only
    board = socketio.test_client(app, namespace=NS, flask_test_client=sup)
    board.get_received(NS)
    make_user("astana.agent", centre_id=1, languages=("kk", "ru", "en"))
    backup = _console(app, staff_client, "astana.agent")
    call = phone(ALMATY)
    call.dial()
    call.press("3")
    call.press("1")
    (offer,) = _offers(backup)
    assert offer["is_backup"] is True                    # at once, not after the maximum wait
    alerts = [e["args"][0] for e in board.get_received(NS) if e["name"] == "coverage_gap"]
    assert alerts == [{"centre": "Almaty PSC (demo)"}]
    with app.app_context():
        assert db.session.get(User, almaty["timur"]).username == "timur"
        db.session.remove()


def test_escalations_go_to_the_supervisor_on_call(app, almaty, staff_client, make_user, phone):
    other_sup = make_user("sup.off", role="supervisor", centre_id=2)
    sup, _ = staff_client("sup")
    token = form_token(sup)
    add(sup, token, almaty["saule"], "2026-03-02", "14:00", "20:00")
    add(sup, token, almaty["sup"], "2026-03-02", "14:00", "20:00", duty="supervisor")
    on_call = socketio.test_client(app, namespace=NS, flask_test_client=sup)
    off_http, _ = staff_client("sup.off")
    off = socketio.test_client(app, namespace=NS, flask_test_client=off_http)
    agent = _console(app, staff_client, "saule")
    call = phone(ALMATY)
    call.dial()
    call.press("3")
    call.press("1")
    (offer,) = _offers(agent)
    agent.emit("accept", {"offer_id": offer["offer_id"]}, namespace=NS, callback=True)
    on_call.get_received(NS)
    off.get_received(NS)
    http, headers = staff_client("saule")
    assert http.post(f"/console/calls/{offer['call_id']}/escalate", headers=headers).status_code == 200
    assert [e["name"] for e in on_call.get_received(NS)].count("escalation") == 1
    assert "escalation" not in [e["name"] for e in off.get_received(NS)]
    assert other_sup


def test_editing_a_shift_in_the_page_keeps_the_earlier_version(app, almaty, staff_client):
    sup, _ = staff_client("sup")
    token = form_token(sup)
    add(sup, token, almaty["saule"], "2026-03-05", "08:00", "20:00")
    with app.app_context():
        shift_id = db.session.query(Shift.id).scalar()
    page = sup.get("/rota?centre=2&start=2026-03-02").get_data(as_text=True)
    assert f"/rota/shifts/{shift_id}/edit" in page
    response = sup.post(f"/rota/shifts/{shift_id}/edit", data={
        "csrf_token": token, "day": "2026-03-05", "from": "09:00", "to": "21:00",
        "user_id": almaty["timur"]})
    assert response.status_code == 303
    with app.app_context():
        rows = db.session.query(Shift).order_by(Shift.id).all()
        assert [(r.user_id, r.is_current) for r in rows] == [(almaty["saule"], False),
                                                              (almaty["timur"], True)]
        db.session.remove()
    assert "09:00–21:00" in sup.get("/rota?centre=2&start=2026-03-02").get_data(as_text=True)


def test_a_new_calendar_address_stops_the_old_one_at_once(app, almaty, staff_client):
    http, _ = staff_client("saule")
    old = feed_address(http)
    page = http.get("/my-shifts").get_data(as_text=True)
    assert app.test_client().get(old).status_code == 200
    assert http.post("/my-shifts/calendar-feed").status_code == 400          # no CSRF token: refused
    assert app.test_client().get(old).status_code == 200
    response = http.post("/my-shifts/calendar-feed", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 303
    page = http.get(response.location).get_data(as_text=True)
    assert "the old one no longer works" in page
    new = page.split('<code id="feed">')[1].split("</code>")[0].replace("http://localhost", "")
    assert new != old
    assert app.test_client().get(old).status_code == 404
    assert app.test_client().get(new).status_code == 200
    with app.app_context():
        assert db.session.query(AuditEvent).filter_by(action="calendar_feed.revoke").count() == 1
        db.session.remove()
