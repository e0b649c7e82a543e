"""Warm transfer with the real carrier: holding the caller, ringing a colleague into the
conference, taking them out and handing over are Participants requests Twilio's REST API
accepts (checked against Twilio's OpenAPI description)."""

from __future__ import annotations

from tests.web.test_on_the_line_twilio import BASE_URL, CALLER, PSYCHOLOGIST, setup, twilio  # noqa: F401

COLLEAGUE = "c" * 16


def _people(room):
    return {(p.label or p.call_sid): p for p in room.participants}


def test_hold_consult_and_take_back(twilio, setup):  # noqa: F811
    control, room, _live = setup
    control.hold_caller("call-1", True)
    control.add_colleague("call-1", COLLEAGUE)
    people = _people(room)
    assert people[CALLER].hold and people[CALLER].hold_url == f"{BASE_URL}/static/audio/hold.wav"
    colleague = people["colleague-" + COLLEAGUE]
    assert colleague.to == "client:" + COLLEAGUE and not colleague.end_conference_on_exit
    (create,) = [r for r in twilio.requests if r.operation_id == "CreateParticipant"]
    callback = create.form["StatusCallback"][0]                  # her answer and end come back signed
    assert callback.startswith(f"{BASE_URL}/ivr/consult/status?leg=") and CALLER not in callback
    assert callback.endswith(f"&label=colleague-{COLLEAGUE}")
    assert create.form["StatusCallbackEvent"] == ["answered", "completed"]
    assert create.form["Timeout"] == ["20"]      # rings as long as an offer does, then gives up

    control.remove_colleague("call-1", COLLEAGUE)
    control.hold_caller("call-1", False)
    assert [p.call_sid for p in room.participants] == [CALLER, PSYCHOLOGIST]
    assert not _people(room)[CALLER].hold
    assert twilio.off_spec() == []


def test_hand_over_leaves_the_colleague_with_the_caller(twilio, setup):  # noqa: F811
    control, room, _live = setup
    control.hold_caller("call-1", True)
    control.add_colleague("call-1", COLLEAGUE)
    control.hand_over("call-1", COLLEAGUE)
    people = _people(room)
    assert people["colleague-" + COLLEAGUE].end_conference_on_exit       # she now holds the call up
    assert not people[PSYCHOLOGIST].end_conference_on_exit               # leaving no longer ends it
    assert not people[CALLER].hold
    control.let_first_go("call-1")
    assert [p.label or p.call_sid for p in room.participants] == [CALLER, "colleague-" + COLLEAGUE]
    assert twilio.off_spec() == []
    assert {"UpdateParticipant", "CreateParticipant", "DeleteParticipant"} <= {
        r.operation_id for r in twilio.requests}
