"""The IVR answers quickly: its webhooks ask the database little, and what they keep in memory
(the centres and their numbers) follows a change within ``CENTRE_CACHE_SECONDS``, at once when
the change was made in the same process."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event, select, text

from helpline.extensions import db
from helpline.models import Centre
from tests.conftest import ALMATY, ASTANA, all_calls, spoken, verbs


@contextmanager
def statements(app):
    """The SQL statements the app sends while the block runs, but for the webhook's database
    deadline on PostgreSQL (``set_config``)."""
    sent: list[str] = []

    def note(_conn, _cursor, statement, *_args) -> None:
        if "set_config" not in statement:
            sent.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", note)


def test_incoming_call_and_hold_loop_ask_the_database_little(phone, app, clock):
    phone(ALMATY).dial()                    # the centres are read once, then kept
    call = phone(ALMATY)
    with statements(app) as sent:
        call.dial()
    assert len(sent) == 1 and sent[0].lstrip().startswith("INSERT INTO calls"), sent
    call.press("3")
    call.press("1")
    clock.advance(seconds=3)
    with statements(app) as sent:     # a hold loop: the call, its activity, its place; no routing
        assert spoken(call.wait()) == ["You are number 1 in line."]
    assert len(sent) <= 3 and not any("offers" in s for s in sent), sent


def test_a_number_moved_by_another_process_reaches_its_new_centre_within_the_cache_time(
        phone, app, clock, backend, settings_overrides):
    assert len(spoken(phone(ALMATY).dial())) == 3       # Almaty offers kk, ru and en
    instance = Path(settings_overrides["helpline_instance_path"])
    with backend.other_process(instance) as other:      # e.g. an administrator's command
        other.execute(text("UPDATE centre_lines SET centre_id = "
                           "(SELECT centre_id FROM centre_lines WHERE number = :astana) "
                           "WHERE number = :almaty"), {"astana": ASTANA, "almaty": ALMATY})
    clock.advance(seconds=app.extensions["helpline"].settings.centre_cache_seconds)
    doc = phone(ALMATY).dial()
    assert verbs(doc) == ["Gather", "Redirect"] and "For English" not in " ".join(spoken(doc))
    with app.app_context():
        astana = db.session.scalar(select(Centre.id).where(Centre.name.like("Astana%")))
    assert all_calls(app)[-1].centre_id == astana


def test_a_maximum_wait_shortened_elsewhere_ends_the_wait_within_the_cache_time(
        phone, app, clock, backend, settings_overrides):
    call = phone(ALMATY)
    call.dial()
    call.press("3")
    call.press("1")
    assert verbs(call.wait())[-1] == "Play"            # waiting, nobody signed in yet
    instance = Path(settings_overrides["helpline_instance_path"])
    with backend.other_process(instance) as other:
        other.execute(text("UPDATE centres SET max_wait_seconds = 10 WHERE id = "
                           "(SELECT centre_id FROM centre_lines WHERE number = :almaty)"),
                      {"almaty": ALMATY})
    clock.advance(seconds=12)         # past the new maximum, and past the cache time (5 s)
    assert verbs(call.wait()) == ["Leave"]
    assert all_calls(app)[-1].outcome == "no_one_available"


def test_a_centre_changed_in_this_process_applies_to_the_next_call_at_once(phone, app):
    assert len(spoken(phone(ALMATY).dial())) == 3
    with app.app_context():
        almaty = db.session.scalar(select(Centre).where(Centre.name.like("Almaty%")))
        almaty.languages = "ru"
        db.session.commit()
    doc = phone(ALMATY).dial()        # same instant: one language, so straight to who is calling
    assert "/ivr/caller-type?" in doc.find("Gather").get("action")
    assert "конфиденциальный" in spoken(doc)[0]
