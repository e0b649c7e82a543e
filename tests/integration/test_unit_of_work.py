"""The unit of work commits once, rolls back whole, and publishes only after the outermost
commit; a rolled-back savepoint drops only what was queued inside it."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from helpline.events import RecordingPublisher, publish
from helpline.extensions import db
from helpline.models import Centre
from helpline.uow import unit_of_work


def _centres() -> int:
    return db.session.scalar(select(func.count()).select_from(Centre))


def test_events_wait_for_the_outermost_commit(app):
    sent = RecordingPublisher()
    with app.app_context():
        with unit_of_work(db.session):
            publish(db.session, sent, "outer", {}, "room")
            with unit_of_work(db.session):          # joins the outer unit: no commit here
                publish(db.session, sent, "inner", {}, "room")
            assert sent.sent == []
        assert [event for event, _payload, _room in sent.sent] == ["outer", "inner"]


def test_an_error_rolls_back_the_whole_unit_and_publishes_nothing(app):
    sent = RecordingPublisher()
    with app.app_context():
        before = _centres()
        with pytest.raises(RuntimeError), unit_of_work(db.session):
            db.session.add(Centre(name="Test one", region="Test", timezone="Asia/Almaty",
                                  languages="kk,ru", max_wait_seconds=300,
                                  created_at=app.extensions["helpline"].clock.now()))
            db.session.flush()
            publish(db.session, sent, "created", {}, "room")
            raise RuntimeError("boom")
        assert _centres() == before and sent.sent == []


def test_a_rolled_back_savepoint_drops_only_its_own_events(app):
    sent = RecordingPublisher()
    with app.app_context():
        with unit_of_work(db.session):
            publish(db.session, sent, "kept", {}, "room")
            with pytest.raises(RuntimeError), db.session.begin_nested():
                publish(db.session, sent, "dropped", {}, "room")
                raise RuntimeError("savepoint fails")
            publish(db.session, sent, "after", {}, "room")
        assert [event for event, _payload, _room in sent.sent] == ["kept", "after"]
