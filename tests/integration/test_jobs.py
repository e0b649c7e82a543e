"""Scheduled jobs with a controlled clock; the scheduler keeps its jobs in the database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import inspect, text

from helpline.events import RecordingPublisher
from helpline.extensions import db
from helpline.models import Centre, ContactRecord, RecordDraft, User
from scheduling import jobs, service
from tests.conftest import ALMATY


@pytest.fixture
def publisher():
    """The app publishes through a recorder: the tests read what consoles were sent."""
    return RecordingPublisher()


def _setup(app, make_user, clock):
    ids = {n: make_user(n, centre_id=1) for n in ("ali", "bota")}
    rt = app.extensions["helpline"]
    recorder = rt.dispatcher.publisher
    with app.app_context():
        centre = db.session.get(Centre, 1)
        for name, hours in (("ali", 0), ("bota", 2)):
            start = clock.now() + timedelta(hours=hours)
            service.add_shift(db.session, centre, db.session.get(User, ids[name]), "line", start,
                              start + timedelta(hours=8), None, clock.now(), rt.settings)
        db.session.commit()
    return ids, recorder, rt


def test_shift_start_check_and_reminders(app, make_user, clock):
    ids, recorder, rt = _setup(app, make_user, clock)
    with app.app_context():
        clock.advance(minutes=5, seconds=30)
        report = jobs.shift_start_check(db.session, clock.now(), rt)
        db.session.commit()
        assert report == "1 people not signed in at their shift start"
        assert [(e, p["user"]) for e, p, _room in recorder.sent] == [
            ("staff_missing", "ali"), ("staff_missing", "ali")]     # centre room and all-centres
        recorder.sent.clear()
        clock.set(datetime(2026, 3, 2, 10, 59, 30, tzinfo=UTC))      # bota starts at 12:00 UTC
        assert jobs.shift_reminders(db.session, clock.now(), rt) == "1 shift reminders"
        db.session.commit()
        assert recorder.sent[0][0] == "shift_reminder" and recorder.sent[0][2] == f"agent:{ids['bota']}"


def test_coverage_forecast_reports_gaps_in_the_next_72_hours(app, make_user, clock):
    _ids, recorder, rt = _setup(app, make_user, clock)
    with app.app_context():
        report = jobs.coverage_forecast(db.session, clock.now(), rt)
        db.session.commit()
    assert report.endswith("gaps in the next 72 h") and not report.startswith("0 ")
    assert recorder.sent[0][0] == "coverage_forecast"
    assert recorder.sent[0][1]["centre"] == "Astana PSC (demo)"


def test_retention_deletes_old_notes_and_keeps_the_counts(app, make_user, clock, phone):
    _ids, _recorder, rt = _setup(app, make_user, clock)
    call = phone(ALMATY)
    call.dial()
    with app.app_context():
        from helpline.models import Call

        call_id = db.session.query(Call.id).scalar()
        db.session.add(ContactRecord(call_id=call_id, author_id=1, referrals="",
                                     follow_up_needed=True, follow_up_due=clock.now().date(),
                                     notes_encrypted=b"secret", created_at=clock.now(),
                                     updated_at=clock.now()))
        db.session.add(RecordDraft(call_id=call_id, author_id=1, content_encrypted=b"typed",
                                   updated_at=clock.now()))
        db.session.commit()
        assert "of 0 contact records" in jobs.retention(db.session, clock.now(), rt)
        assert db.session.query(RecordDraft).count() == 1
        later = clock.now() + timedelta(days=366)
        done = jobs.retention(db.session, later, rt)
        assert "of 1 contact records" in done and "1 record drafts" in done
        db.session.commit()
        record = db.session.query(ContactRecord).one()
        assert record.notes_encrypted is None and record.follow_up_due is None
        assert db.session.query(RecordDraft).count() == 0      # a draft's text is notes too
        assert db.session.query(Call).count() == 1


def test_one_scheduler_keeps_its_jobs_in_the_database(app):
    scheduler = jobs.start_scheduler(app)
    try:
        with app.app_context():
            assert "scheduler_jobs" in inspect(db.engine).get_table_names()
            stored = db.session.execute(text("SELECT id FROM scheduler_jobs ORDER BY id")).scalars().all()
            db.session.remove()
        assert stored == sorted(jobs.JOBS)
    finally:
        scheduler.shutdown(wait=True)
    # started again (a restart), the same jobs are replaced, not duplicated
    scheduler = jobs.start_scheduler(app)
    scheduler.shutdown(wait=True)
    with app.app_context():
        assert db.session.execute(text("SELECT COUNT(*) FROM scheduler_jobs")).scalar() == len(jobs.JOBS)
        db.session.remove()
