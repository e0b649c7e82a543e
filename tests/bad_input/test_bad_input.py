"""Bad input is answered in words: each input that used to end in a 500 is refused with the field
named, inside the page layout and in the person's language, and nothing is written."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from helpline.extensions import db
from helpline.models import Absence, Request, Shift, User

RANGE = "a date between 2000-01-01 and 2100-12-31"


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _page(response) -> str:
    text = response.get_data(as_text=True)
    assert 'class="topbar"' in text, "the refusal is shown inside the page layout"
    return text


@pytest.mark.parametrize("month", ["0001-01", "9999-12"])
def test_public_statistics_refuse_a_month_outside_the_range(client, month):
    response = client.get(f"/stats?month={month}&lang=en")
    assert response.status_code == 400
    assert f"Month: {RANGE}" in _page(response)


def test_public_statistics_never_put_an_impossible_month_in_the_heading(client):
    response = client.get("/stats?month=2026-13&lang=en")
    text = _page(response)
    assert response.status_code == 400
    heading = re.search(r"<h1>(.*?)</h1>", text, re.S).group(1)
    assert "2026-13" not in heading
    assert "Month: use the form 2026-11" in text
    assert 'value="2026-13"' in text              # what was typed stays in the field


def test_a_request_for_a_centre_that_is_not_a_number_is_refused_and_keeps_the_form(app, signed_in):
    client, headers = signed_in("administrator")
    response = client.post("/requests", headers=headers, data={
        "centre": "x", "channel": "email", "received": "2026-03-01T10:00", "risk_level": "high"})
    text = _page(response)
    assert response.status_code == 400
    assert "Centre: choose one from the list" in text
    assert 'value="2026-03-01T10:00"' in text and '<option value="high" selected>' in text
    assert _count(app, Request) == 0


@pytest.mark.parametrize("received", ["0001-01-01T00:00", "9999-12-31T23:59"])
def test_a_request_received_in_year_1_or_9999_is_refused(app, signed_in, received):
    client, headers = signed_in("psychologist")
    response = client.post("/requests", headers=headers,
                           data={"channel": "email", "received": received})
    assert response.status_code == 400
    assert f"Received: {RANGE}" in _page(response)
    assert _count(app, Request) == 0


@pytest.mark.parametrize("query", ["from=0001-01-01", "to=9999-12-31", "from=9999-12-31"])
def test_the_audit_log_refuses_dates_outside_the_range_inside_the_layout(signed_in, query):
    client, _ = signed_in("administrator")
    response = client.get(f"/admin/audit?{query}")
    assert response.status_code == 400
    text = _page(response)
    assert f"{query.split('=')[0].title()}: {RANGE}" in text
    assert f'value="{query.split("=")[1]}"' in text


@pytest.mark.parametrize("query", ["from=0001-01-01&to=0001-12-31", "from=9999-12-01&to=9999-12-31",
                                   "from=9999-12-01&to=9999-12-31&format=csv", "from=2026-13-01"])
def test_reports_refuse_dates_outside_the_range_on_the_page(signed_in, query):
    client, _ = signed_in("supervisor")
    response = client.get(f"/reports?{query}")
    assert response.status_code == 400
    assert response.mimetype == "text/html"       # never a CSV of a period that was refused
    text = _page(response)
    assert "From: " in text and 'name="from" value="' + query.split("&")[0][5:] + '"' in text


@pytest.mark.parametrize("start", ["0001-01-01", "9999-12-31"])
def test_the_rota_refuses_a_start_day_outside_the_range_and_shows_this_week(signed_in, start):
    client, _ = signed_in("supervisor")
    response = client.get(f"/rota?start={start}&view=week")
    assert response.status_code == 400
    assert f"Week starting: {RANGE}" in _page(response)


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_shift_on_a_day_outside_the_range_is_refused(app, signed_in, day):
    client, headers = signed_in("supervisor")
    with app.app_context():
        person = db.session.scalar(select(User.id).where(User.role == "supervisor"))
    response = client.post("/rota/shifts", headers=headers, data={
        "centre": "2", "user_id": str(person), "day": day, "from": "20:00", "to": "08:00"})
    assert response.status_code == 400
    text = _page(response)
    assert f"Day: {RANGE}" in text and f'value="{day}"' in text
    assert _count(app, Shift) == 0


def test_an_absence_ending_in_year_9999_is_refused(app, signed_in):
    client, headers = signed_in("supervisor")
    with app.app_context():
        person = db.session.scalar(select(User.id).where(User.role == "supervisor"))
    response = client.post("/rota/absences", headers=headers, data={
        "centre": "2", "user_id": str(person), "kind": "leave", "first": "9999-12-30",
        "last": "9999-12-31"})
    assert response.status_code == 400
    assert f"First day: {RANGE}" in _page(response)
    assert _count(app, Absence) == 0


def test_the_error_page_keeps_the_persons_language(signed_in):
    client, _ = signed_in("administrator")
    response = client.get("/admin/audit?from=1.3.2026&lang=ru")
    text = _page(response)
    assert response.status_code == 400
    assert '<html lang="ru">' in text and "С: используйте формат 2026-11-25" in text


def test_pages_that_do_not_exist_or_refuse_a_method_answer_inside_the_layout(client):
    missing = client.get("/no-such-page?lang=kk")
    assert missing.status_code == 404
    assert '<html lang="kk">' in _page(missing) and "Мұндай бет жоқ." in missing.get_data(as_text=True)
    wrong = client.put("/login?lang=en")
    assert wrong.status_code == 405
    assert "This page cannot be used this way." in _page(wrong)


def test_a_script_gets_the_error_as_json(client):
    response = client.get("/no-such-page", headers={"Accept": "application/json",
                                                     "Accept-Language": "en"})
    assert response.status_code == 404
    assert response.get_json() == {"error": "There is no such page."}
