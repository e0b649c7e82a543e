"""How calls end: the register's outcomes, durations and the no-one-available path."""

from __future__ import annotations

from tests.conftest import ALMATY, all_calls, spoken, verbs


def _queued(phone, clock):
    call = phone(ALMATY)
    call.dial()
    call.press("3")
    call.press("1")
    return call


def test_nobody_available_caller_is_told_where_to_get_help_and_it_is_registered(phone, app, clock):
    call = _queued(phone, clock)
    clock.advance(seconds=20)
    assert verbs(call.wait()) == ["Say", "Play"]          # still waiting
    clock.advance(seconds=30)                              # past NO_AGENT_WAIT_SECONDS (45)
    assert verbs(call.wait()) == ["Leave"]
    doc = call.queue_result("leave")
    said = " ".join(spoken(doc))
    for number in ("112", "102", "103", "111", "150"):
        assert number in said
    assert verbs(doc)[-1] == "Hangup"
    clock.advance(seconds=20)
    call.completed()
    (row,) = all_calls(app)
    assert row.outcome == "no_one_available" and row.state == "ended"
    assert row.wait_seconds == 50
    assert row.ended_at == clock.now()


def test_caller_who_hangs_up_in_the_queue_is_abandoned_in_queue(phone, app, clock):
    call = _queued(phone, clock)
    clock.advance(seconds=12)
    assert verbs(call.queue_result("hangup")) == []
    call.completed()
    (row,) = all_calls(app)
    assert (row.outcome, row.wait_seconds) == ("abandoned_in_queue", 12)


def test_caller_who_hangs_up_in_the_menu_is_abandoned_in_menu(phone, app, clock):
    call = phone(ALMATY)
    call.dial()
    clock.advance(seconds=4)
    call.completed()
    (row,) = all_calls(app)
    assert row.outcome == "abandoned_in_menu" and row.queued_at is None
    assert (row.ended_at - row.started_at).total_seconds() == 4


def test_help_numbers_are_configurable(settings_overrides, clock):
    from helpline import create_app
    from helpline.extensions import db
    from helpline.schema import upgrade
    from helpline.services.demo import load_demo_data
    from tests.conftest import PhoneCall, TwilioDouble

    app = create_app({**settings_overrides, "help_numbers": ("150", "112")}, environ={}, clock=clock)
    with app.app_context():
        upgrade(db.engine)
        load_demo_data(db.session, clock.now(), with_users=False)
        db.session.commit()
    call = PhoneCall(TwilioDouble(app.test_client()), ALMATY)
    call.dial()
    call.press("3")
    said = " ".join(spoken(call.press("9")))
    assert "150, the national child trust line; 112 for emergencies" in said
    assert "102" not in said


def test_states_only_move_forward(phone, app, clock):
    call = _queued(phone, clock)
    call.completed()
    # A late, retried menu webhook after the end changes nothing.
    late = call.twilio.twiml(
        call.doc.find("Enqueue").get("action").replace("queue/result", "caller-type"),
        {**call.params, "Digits": "2"})
    assert verbs(late) == ["Say", "Hangup"]           # goodbye, in case anyone is still there
    (row,) = all_calls(app)
    assert row.state == "ended" and row.caller_type == "child"
