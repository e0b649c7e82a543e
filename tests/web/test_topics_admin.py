"""Administrators add topics to the contact record and hide or show them; every change audited."""

from __future__ import annotations

from sqlalchemy import func, select

from helpline.extensions import db
from helpline.models import AuditEvent, Topic
from tests.conftest import csrf_from


def _topics(app) -> dict[str, bool]:
    with app.app_context():
        return dict(db.session.execute(select(Topic.code, Topic.is_active)).all())


def _audited(app, action: str) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).where(AuditEvent.action == action))


def test_an_administrator_adds_a_topic_once_and_hides_it(app, make_user, staff_client):
    make_user("root", role="administrator", centre_id=None)
    admin, _ = staff_client("root")
    token = csrf_from(admin.get("/admin/topics?lang=en").get_data(as_text=True))
    new = {"csrf_token": token, "code": " Cyber_Grooming ", "name_en": "Online grooming",
           "name_ru": "Онлайн-груминг", "name_kk": "Онлайн-груминг"}
    added = admin.post("/admin/topics", data=new)
    assert added.status_code == 303 and added.location.endswith("/admin/topics")
    assert _topics(app)["cyber_grooming"] is True and _audited(app, "topic.add") == 1
    assert "Online grooming" in admin.get("/admin/topics?lang=en").get_data(as_text=True)

    again = admin.post("/admin/topics?lang=en", data={**new, "name_en": "Grooming"})
    assert again.status_code == 400
    assert "A topic with this code exists." in again.get_data(as_text=True)
    assert _audited(app, "topic.add") == 1
    with app.app_context():
        assert db.session.scalar(select(Topic.name_en).where(Topic.code == "cyber_grooming")) == \
            "Online grooming"

    topic_id = _topic_id(app, "cyber_grooming")
    hidden = admin.post(f"/admin/topics/{topic_id}/hide", data={"csrf_token": token})
    assert hidden.status_code == 303 and _topics(app)["cyber_grooming"] is False
    assert _audited(app, "topic.hide") == 1


def test_a_topic_form_without_names_is_refused_and_nothing_is_added(app, make_user, staff_client):
    make_user("root", role="administrator", centre_id=None)
    admin, _ = staff_client("root")
    token = csrf_from(admin.get("/admin/topics").get_data(as_text=True))
    before = _topics(app)
    refused = admin.post("/admin/topics", data={"csrf_token": token, "code": "empty_names"})
    assert refused.status_code == 400 and _topics(app) == before


def _topic_id(app, code: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Topic.id).where(Topic.code == code))
