"""A warm transfer step the phone network did not carry out is never shown as done, through a
real simulated call whose carrier fails (all of its REST API, or one action of it): the
psychologist (and the colleague) are told in words what did not happen and what to do, the
register keeps the caller on hold while she is, and the routing tick takes her off hold once
the carrier answers again, so she is never left on hold music for good."""

from __future__ import annotations

from helpline.extensions import db
from helpline.services import warm_steps
from tests.conftest import wait_until
from tests.web.test_console_flow import routing_tick
from tests.web.test_warm_transfer import _consult, _presence, _row, _steps, _user, warm  # noqa: F401

HELD = ["call.consult", "call.consult_lost", "call.still_on_hold"]


def _held(app, call_id):
    with app.app_context():
        found = warm_steps.still_held(db.session, call_id)
        db.session.remove()
        return found


def _colleague_drops_while_the_carrier_fails(app, line):
    _consult(line)
    line.carrier.faults.rest_fails = True
    line.carrier.get(line.participant("colleague").handle).leave()     # her line drops
    assert wait_until(lambda: _steps(line) == ["consulting", "still_on_hold"])
    assert line.console.events("warm_transfer")[-1]["colleague"] == "aigul"
    assert line.participant("caller").hold                              # still hearing the music
    assert _row(app, line.call_id)["actions"] == HELD and _held(app, line.call_id)
    assert wait_until(lambda: _presence(app, line.aigul) == "available")


def test_a_caller_left_on_hold_is_said_so_and_the_routing_tick_takes_her_off_hold(app, warm):  # noqa: F811
    _colleague_drops_while_the_carrier_fails(app, warm)
    routing_tick(app)                                                   # the carrier still fails
    assert warm.participant("caller").hold and _steps(warm)[-1] == "still_on_hold"
    warm.carrier.faults.rest_fails = False
    routing_tick(app)
    assert wait_until(lambda: _steps(warm)[-1] == "off_hold")
    assert not warm.participant("caller").hold
    assert _row(app, warm.call_id)["actions"] == [*HELD, "call.off_hold"] and not _held(app, warm.call_id)
    routing_tick(app)                                                   # once is enough
    assert _row(app, warm.call_id)["actions"] == [*HELD, "call.off_hold"]
    assert warm.caller.connected and warm.participant("psychologist") is not None


def test_a_caller_left_on_hold_is_logged_once_a_minute_not_on_every_tick(app, warm, clock, caplog):  # noqa: F811
    _colleague_drops_while_the_carrier_fails(app, warm)
    caplog.clear()

    def logged():
        return [r for r in caplog.records if "still on hold" in r.getMessage()]

    with caplog.at_level("WARNING", logger="helpline.services.warm_steps"):
        for _ in range(5):                                           # five ticks, a second apart
            routing_tick(app)
            clock.advance(seconds=1)
        assert len(logged()) == 1 and warm.participant("caller").hold
        clock.advance(seconds=warm_steps.WARN_AGAIN_AFTER.total_seconds())
        routing_tick(app)
        assert len(logged()) == 2                                    # she is still held: said again


def test_take_back_tries_again_to_take_off_hold_a_caller_the_carrier_left_on_hold(app, warm):  # noqa: F811
    _colleague_drops_while_the_carrier_fails(app, warm)
    reply = warm.post("take-back")
    assert reply.status_code == 409 and "The caller was not taken off hold" in reply.get_json()["error"]
    assert warm.participant("caller").hold and _held(app, warm.call_id)
    warm.carrier.faults.rest_fails = False
    assert warm.post("take-back").status_code == 200
    assert wait_until(lambda: _steps(warm)[-1] == "taken_back")
    assert not warm.participant("caller").hold
    assert _row(app, warm.call_id)["actions"] == [*HELD, "call.off_hold"]


def test_a_colleague_not_brought_in_with_the_caller_left_on_hold_is_said_and_kept(app, warm):  # noqa: F811
    warm.carrier.faults.failing = {"add the colleague", "take the caller off hold"}
    reply = warm.post("consult", {"user_id": warm.aigul})
    assert reply.status_code == 409 and reply.get_json()["still_on_hold"] is True
    assert "may still be hearing hold music" in reply.get_json()["error"]
    assert warm.participant("caller").hold and _held(app, warm.call_id)
    assert _row(app, warm.call_id)["actions"] == ["call.still_on_hold"]
    warm.carrier.faults.failing = set()
    routing_tick(app)
    assert wait_until(lambda: _steps(warm) == ["off_hold"])
    assert not warm.participant("caller").hold


def test_a_colleague_the_carrier_did_not_take_off_after_take_back_is_said_to_both(app, warm):  # noqa: F811
    _consult(warm)
    warm.carrier.faults.failing = {"take the colleague off the call"}
    assert warm.post("take-back").status_code == 200                   # the caller is off hold: true
    assert not warm.participant("caller").hold
    assert wait_until(lambda: _steps(warm) == ["consulting", "taken_back", "colleague_still_on"])
    assert warm.console.events("warm_transfer")[-1]["colleague"] == "aigul"
    assert warm.colleague.wait_for("warm_transfer") == {
        "call_id": warm.call_id, "step": "colleague_not_let_go", "colleague": "saule"}
    assert warm.participant("colleague") is not None                    # she is indeed still there
    actions = _row(app, warm.call_id)["actions"]
    assert actions == ["call.consult", "call.take_back", "call.carrier_step_failed"]


def test_a_first_psychologist_the_carrier_did_not_let_go_after_hand_over_is_told(app, warm):  # noqa: F811
    _consult(warm)
    warm.carrier.faults.failing = {"let the first psychologist go"}
    assert warm.post("handover").status_code == 200
    assert warm.console.wait_for("call_ended")["reason"] == "handed_over"
    assert wait_until(lambda: "first_not_let_go" in _steps(warm))
    assert warm.console.events("warm_transfer")[-1]["colleague"] == "aigul"
    assert _row(app, warm.call_id)["actions"] == ["call.consult", "call.handover", "call.carrier_step_failed"]
    assert _row(app, warm.call_id)["agent_id"] == warm.aigul                # the hand-over itself stands
    assert _presence(app, _user(app, "saule")) == "wrap_up"
