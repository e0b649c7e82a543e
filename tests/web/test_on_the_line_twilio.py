"""A supervisor on a call with the real carrier: the conference Participants requests (create,
update, delete) that Twilio's REST API receives, checked against Twilio's OpenAPI description."""

from __future__ import annotations

import pytest

from helpline.carrier import CarrierError, TwilioCarrierControl
from helpline.live import MemoryLiveCallStore
from tests.twilio_conferences import ConferenceTwilio
from tests.twilio_mock import MOCK_API_KEY, MOCK_API_SECRET

BASE_URL = "https://helpline.example"
CALLER, PSYCHOLOGIST = "CA" + "1" * 32, "CA" + "2" * 32


@pytest.fixture
def twilio():
    with ConferenceTwilio() as mock:
        yield mock


@pytest.fixture
def setup(twilio):
    live = MemoryLiveCallStore(ttl_seconds=3600)
    leg, _ = live.begin(CALLER, "call-1")
    room = twilio.add_conference(leg.leg, CALLER, PSYCHOLOGIST)
    control = TwilioCarrierControl(twilio.account_sid, "unused", live, BASE_URL, api_key=MOCK_API_KEY,
                                   api_secret=MOCK_API_SECRET, api_base=twilio.base_url, timeout=2,
                                   attempts=2, backoff_seconds=0.01)
    yield control, room, live
    control.close()


def _supervisor(room):
    return next(p for p in room.participants if (p.label or "").startswith("supervisor-"))


def test_listen_coach_join_and_leave_are_participant_requests_twilio_accepts(twilio, setup):
    control, room, _live = setup
    control.add_supervisor("call-1", "u" * 16, "listen")
    person = _supervisor(room)
    assert (person.to, person.muted, person.coaching) == ("client:" + "u" * 16, True, False)

    control.set_supervisor_mode("call-1", "u" * 16, "coach")
    assert (person.muted, person.coaching, person.call_sid_to_coach) == (False, True, PSYCHOLOGIST)
    control.set_supervisor_mode("call-1", "u" * 16, "join")
    assert (person.muted, person.coaching) == (False, False)
    control.remove_supervisor("call-1", "u" * 16)
    assert [p.call_sid for p in room.participants] == [CALLER, PSYCHOLOGIST]

    assert twilio.off_spec() == []
    operations = [r.operation_id for r in twilio.requests]
    assert {"CreateParticipant", "UpdateParticipant", "DeleteParticipant", "ListConference",
            "ListParticipant"} <= set(operations)
    create = next(r for r in twilio.requests if r.operation_id == "CreateParticipant")
    assert create.form["Muted"] == ["true"] and create.form["EndConferenceOnExit"] == ["false"]


def test_coaching_from_the_start_names_the_psychologists_leg(twilio, setup):
    control, room, _live = setup
    control.add_supervisor("call-1", "v" * 16, "coach")
    assert _supervisor(room).call_sid_to_coach == PSYCHOLOGIST
    assert twilio.off_spec() == []


def test_a_conversation_that_is_over_is_refused(twilio, setup):
    control, room, live = setup
    room.status = "completed"
    with pytest.raises(CarrierError, match="not in a conversation"):
        control.add_supervisor("call-1", "u" * 16, "join")
    control.remove_supervisor("call-1", "u" * 16)            # nothing to take off: no error
    live.end(live.by_call("call-1"))
    with pytest.raises(CarrierError, match="no longer on the line"):
        control.add_supervisor("call-1", "u" * 16, "join")
    assert twilio.off_spec() == []
