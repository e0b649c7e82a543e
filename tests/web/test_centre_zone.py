"""Times are shown in the centre's own zone (``Centre.timezone``), not in a zone written into the
code: a centre that keeps Moscow time sees a request received at 10:00 as 10:00."""

from __future__ import annotations

from datetime import UTC, datetime

from helpline.extensions import db
from helpline.models import Centre, Request
from tests.web.test_requests import _post


def test_the_register_shows_times_in_the_centres_own_zone(app, make_user, staff_client, clock):
    make_user("saule")
    with app.app_context():
        db.session.get(Centre, 2).timezone = "Europe/Moscow"     # UTC+3, two hours behind Almaty
        db.session.commit()
    clock.set(datetime(2026, 3, 5, 8, tzinfo=UTC))
    http, _ = staff_client("saule")
    assert _post(http, {"channel": "email", "received": "2026-03-05T10:00",
                        "caller_type": "parent", "risk_level": "low"}).status_code == 303
    with app.app_context():
        item = db.session.query(Request).one()
        assert item.received_at == datetime(2026, 3, 5, 7, tzinfo=UTC)
        item_id = item.id
        db.session.remove()
    listing = http.get("/requests?view=open").get_data(as_text=True)
    assert "<td>05.03 10:00</td>" in listing
    assert "05.03 12:00" not in listing                           # not Almaty's clock
    page = http.get(f"/requests/{item_id}").get_data(as_text=True)
    assert "05.03.2026 10:00" in page


def test_the_console_page_names_its_centres_zone_for_the_scripts(app, make_user, staff_client):
    make_user("saule")
    with app.app_context():
        db.session.get(Centre, 2).timezone = "Europe/Moscow"
        db.session.commit()
    http, _ = staff_client("saule")
    page = http.get("/console").get_data(as_text=True)
    assert '<body data-zone="Europe/Moscow">' in page
    assert "common.js" in page.split("console.js")[0]       # the shared module loads first


def test_no_script_writes_a_zone_of_its_own():
    from pathlib import Path

    scripts = Path(__file__).resolve().parents[2] / "agent_console" / "static"
    for script in scripts.glob("*.js"):
        assert "Asia/" not in script.read_text(encoding="utf-8"), script.name
