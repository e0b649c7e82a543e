"""The simulated carrier runs conferences as Twilio does and can be told to fail.

The carrier is driven against a scripted IVR (a fake transport answering with TwiML chosen
here), not the app's IVR routes: what is tested is the carrier's side of the conversation.
"""

from __future__ import annotations

import re
import threading
from urllib.parse import parse_qs, urlsplit

import pytest
from twilio.request_validator import RequestValidator

from helpline.carrier import CallStatus, CarrierError, SimulatedCarrier, SimulatedCarrierControl
from helpline.live import MemoryLiveCallStore
from tests.conftest import ALMATY, AUTH_TOKEN, BASE_URL, wait_until

CONFERENCE_PARAMS = {"AccountSid", "ConferenceSid", "FriendlyName", "StatusCallbackEvent", "CallSid",
                     "Timestamp", "SequenceNumber", "EndConferenceOnExit", "StartConferenceOnEnter",
                     "Muted", "Hold", "Coaching"}


def conference_twiml(leg: str, *, caller: bool, events: str = "join leave") -> str:
    """Conference TwiML as Twilio documents it, with status callbacks (the agent's: no action,
    not ending the conference), to show how the carrier runs conferences whatever the IVR says."""
    action = f' action="{BASE_URL}/ivr/connect/ended?leg={leg}" method="POST"' if caller else ""
    return (f'<?xml version="1.0" encoding="UTF-8"?><Response><Dial{action}>'
            f'<Conference beep="false" startConferenceOnEnter="true" '
            f'endConferenceOnExit="{"true" if caller else "false"}" waitUrl="" '
            f'statusCallback="{BASE_URL}/ivr/conference/events?leg={leg}" '
            f'statusCallbackEvent="{events}" statusCallbackMethod="POST">{leg}</Conference>'
            f'</Dial></Response>')


class ScriptedIvr:
    """A transport standing in for the IVR: records every signed post and answers with TwiML."""

    WAIT = '<Response><Say>Please hold.</Say><Pause length="600"/></Response>'

    def __init__(self, live: MemoryLiveCallStore, events: str = "join leave") -> None:
        self.live = live
        self.events = events
        self.posts: list[tuple[str, dict[str, str], dict[str, str]]] = []
        self._lock = threading.Lock()

    def post(self, url, params, headers):
        with self._lock:
            self.posts.append((url, dict(params), dict(headers)))
        parts = urlsplit(url)
        leg = parse_qs(parts.query).get("leg", [""])[0]
        if parts.path == "/ivr/voice":
            self.live.begin(params["CallSid"], "call-1")
            return 200, self.WAIT
        if parts.path == "/ivr/connect":
            return 200, conference_twiml(leg, caller=True, events=self.events)
        if parts.path == "/ivr/agent-join":
            call_id = self.live.call_for_token(params.get("join", ""))
            found = self.live.by_call(call_id) if call_id else None
            if found is None:
                return 200, "<Response><Hangup/></Response>"
            return 200, conference_twiml(found.leg, caller=False, events=self.events)
        if parts.path in {"/ivr/agent-lost", "/ivr/requeue"}:
            return 200, self.WAIT
        if parts.path == "/ivr/conference/events":
            return 204, ""
        return 200, "<Response><Hangup/></Response>"   # /ivr/status, /ivr/connect/ended

    def get(self, url):
        return 404, b""

    def to(self, path: str) -> list[tuple[str, dict[str, str], dict[str, str]]]:
        with self._lock:
            return [p for p in self.posts if urlsplit(p[0]).path == path]

    def conference_events(self) -> list[tuple[str, str]]:
        """(StatusCallbackEvent, CallSid) of every conference callback, in order."""
        posts = self.to("/ivr/conference/events")
        return [(params["StatusCallbackEvent"], params.get("CallSid", "")) for _u, params, _h in posts]


@pytest.fixture
def live() -> MemoryLiveCallStore:
    return MemoryLiveCallStore(ttl_seconds=3600)


@pytest.fixture
def ivr(live) -> ScriptedIvr:
    return ScriptedIvr(live)


@pytest.fixture
def carrier(ivr) -> SimulatedCarrier:
    return SimulatedCarrier(BASE_URL, AUTH_TOKEN, speed=1.0, transport=ivr)


@pytest.fixture
def control(carrier, live) -> SimulatedCarrierControl:
    return SimulatedCarrierControl(carrier, live, BASE_URL)


def caller_in_conference(carrier, control, ivr):
    live = ivr.live
    """A caller waits, is redirected into the call's conference; returns (call, leg token)."""
    call = carrier.dial(ALMATY)
    assert wait_until(lambda: ivr.to("/ivr/voice") and call.wait_for(lambda c: c.spoken()))
    control.redirect("call-1", "/ivr/connect")
    assert call.wait_for(lambda c: c.conference is not None)
    assert wait_until(lambda: len(ivr.to("/ivr/conference/events")) == 1)
    return call, live.by_call("call-1").leg


def psychologist_joins(carrier, control, ivr, live, call):
    control.connect_agent("call-1", live.join_token("call-1"))
    assert call.wait_for(lambda c: c.conference is not None and "psychologist" in c.conference.roles)
    assert wait_until(lambda: len(ivr.to("/ivr/conference/events")) == 2)
    (agent,) = carrier.agent_legs(call.handle)
    return agent


def assert_signed(ivr: ScriptedIvr) -> None:
    validator = RequestValidator(AUTH_TOKEN)
    for url, params, headers in ivr.posts:
        assert validator.validate(url, params, headers["X-Twilio-Signature"]), url


# ------------------------------------------------------------ conferences


def test_conference_joins_and_leaves_are_posted_signed_with_twilios_parameters(carrier, control, ivr, live):
    call, leg = caller_in_conference(carrier, control, ivr)
    agent = psychologist_joins(carrier, control, ivr, live, call)
    assert ivr.conference_events() == [("participant-join", call.sid), ("participant-join", agent.sid)]

    call.hang_up()
    assert call.wait_for(lambda c: c.finished) and agent.wait_for(lambda a: a.finished)
    assert ivr.conference_events() == [
        ("participant-join", call.sid), ("participant-join", agent.sid),
        ("participant-leave", call.sid), ("participant-leave", agent.sid)]
    posts = ivr.to("/ivr/conference/events")
    for url, params, _headers in posts:
        assert url == f"{BASE_URL}/ivr/conference/events?leg={leg}"
        assert set(params) == CONFERENCE_PARAMS
        assert params["FriendlyName"] == leg and re.fullmatch(r"CF[0-9a-f]{32}", params["ConferenceSid"])
        assert params["AccountSid"] == carrier.account_sid
        assert re.fullmatch(r"\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000", params["Timestamp"])
    assert [p["SequenceNumber"] for _u, p, _h in posts] == ["1", "2", "3", "4"]
    assert [p["EndConferenceOnExit"] for _u, p, _h in posts] == ["true", "false", "true", "false"]
    assert len({p["ConferenceSid"] for _u, p, _h in posts}) == 1
    assert_signed(ivr)
    # the caller hung up: the Dial action is still requested, then the status callback
    assert len(ivr.to("/ivr/connect/ended")) == 1 and ivr.to("/ivr/connect/ended")[0][1]["DialCallStatus"]
    (status,) = ivr.to("/ivr/status")                         # the caller's only: agent legs have none
    assert status[1]["CallSid"] == call.sid
    assert carrier.conferences.names() == []


def test_conference_start_and_end_are_posted_when_asked_for(live):
    ivr = ScriptedIvr(live, events="start end join leave")
    carrier = SimulatedCarrier(BASE_URL, AUTH_TOKEN, speed=1.0, transport=ivr)
    control = SimulatedCarrierControl(carrier, live, BASE_URL)
    call = carrier.dial(ALMATY)
    assert wait_until(lambda: ivr.to("/ivr/voice"))
    control.redirect("call-1", "/ivr/connect")
    assert wait_until(lambda: len(ivr.to("/ivr/conference/events")) == 2)
    call.hang_up()
    assert call.wait_for(lambda c: c.finished)
    assert [e for e, _sid in ivr.conference_events()] == [
        "participant-join", "conference-start", "participant-leave", "conference-end"]
    end = ivr.to("/ivr/conference/events")[-1][1]
    assert end["ReasonConferenceEnded"] == "participant-with-end-conference-on-exit-left"
    assert end["CallSidEndingConference"] == call.sid
    assert_signed(ivr)


def test_the_agent_leg_posts_agent_join_with_its_token_and_joins_the_conference(carrier, control, ivr, live):
    call, leg = caller_in_conference(carrier, control, ivr)
    token = live.join_token("call-1")
    control.connect_agent("call-1", token)
    assert call.wait_for(lambda c: c.conference is not None and len(c.conference.participants) == 2)
    (url, params, _headers), = ivr.to("/ivr/agent-join")
    assert url == f"{BASE_URL}/ivr/agent-join"
    assert params["join"] == token and params["From"] == "client:agent"
    assert re.fullmatch(r"CA[0-9a-f]{32}", params["CallSid"]) and params["CallSid"] != call.sid
    assert params["Direction"] == "inbound" and params["ApplicationSid"].startswith("AP")
    conference = carrier.conference_of(call.handle)
    assert conference.name == leg and conference.roles == ["caller", "psychologist"]
    assert [p.end_conference_on_exit for p in conference.participants] == [True, False]
    assert "The psychologist joined the conversation" in [e.text for e in call.events]
    assert_signed(ivr)
    call.hang_up()


def test_a_token_the_ivr_refuses_leaves_no_agent_leg_in_the_conference(carrier, control, ivr, live):
    call, _leg = caller_in_conference(carrier, control, ivr)
    control.connect_agent("call-1", "not-a-token")
    assert wait_until(lambda: ivr.to("/ivr/agent-join"))
    assert wait_until(lambda: all(c.finished for c in carrier.calls() if c is not call))
    assert carrier.conference_of(call.handle).roles == ["caller"]
    call.hang_up()


def test_drop_agent_posts_the_agents_leave_only_and_the_caller_stays(carrier, control, ivr, live):
    call, leg = caller_in_conference(carrier, control, ivr)
    agent = psychologist_joins(carrier, control, ivr, live, call)

    assert carrier.drop_agent(call.handle) is True
    assert agent.wait_for(lambda a: a.finished)
    assert wait_until(lambda: len(ivr.to("/ivr/conference/events")) == 3)
    assert ivr.conference_events()[2:] == [("participant-leave", agent.sid)]
    assert not call.finished and call.connected
    assert carrier.conference_of(call.handle).roles == ["caller"]
    assert "The psychologist's line dropped" in [e.text for e in call.events]
    assert carrier.drop_agent(call.handle) is False            # nobody left to drop
    assert ivr.to("/ivr/status") == []

    # the IVR sends the caller on: leaving the conference is a participant-leave, no Dial action
    control.redirect("call-1", "/ivr/agent-lost")
    assert wait_until(lambda: ivr.to("/ivr/agent-lost"))
    assert ivr.to("/ivr/agent-lost")[0][0] == f"{BASE_URL}/ivr/agent-lost?leg={leg}"
    assert ivr.conference_events()[3:] == [("participant-leave", call.sid)]
    assert ivr.to("/ivr/connect/ended") == []
    assert call.conference is None and not call.finished
    assert_signed(ivr)
    call.hang_up()
    assert call.wait_for(lambda c: c.finished)


def test_the_caller_redirected_out_of_the_conference_ends_the_agents_leg(carrier, control, ivr, live):
    call, _leg = caller_in_conference(carrier, control, ivr)
    agent = psychologist_joins(carrier, control, ivr, live, call)

    control.redirect("call-1", "/ivr/requeue")
    assert agent.wait_for(lambda a: a.finished)
    assert wait_until(lambda: ivr.to("/ivr/requeue"))
    assert ivr.conference_events()[2:] == [("participant-leave", call.sid), ("participant-leave", agent.sid)]
    assert ivr.to("/ivr/connect/ended") == []                 # redirected: no Dial action
    assert not call.finished and call.conference is None
    assert carrier.conference_of(call.handle) is None and carrier.conferences.names() == []
    call.hang_up()
    assert call.wait_for(lambda c: c.finished)


def test_the_caller_hanging_up_ends_the_agents_leg(carrier, control, ivr, live):
    call, _leg = caller_in_conference(carrier, control, ivr)
    agent = psychologist_joins(carrier, control, ivr, live, call)
    assert control.end_call("call-1") is True                 # REST: Status=completed
    assert agent.wait_for(lambda a: a.finished) and call.wait_for(lambda c: c.finished)
    assert [e for e, _sid in ivr.conference_events()][2:] == ["participant-leave", "participant-leave"]
    assert control.call_status("call-1") is CallStatus.ENDED
    assert control.end_call("call-1") is False


# ------------------------------------------------------------ faults


def test_no_status_callback_suppresses_the_status_post(carrier, ivr):
    carrier.faults.no_status_callback = True
    call = carrier.dial(ALMATY)
    assert wait_until(lambda: ivr.to("/ivr/voice"))
    call.hang_up()
    assert call.wait_for(lambda c: c.finished)
    assert ivr.to("/ivr/status") == []
    assert any(e.kind == "fault" for e in call.events)
    carrier.faults.no_status_callback = False
    other = carrier.dial(ALMATY)
    assert wait_until(lambda: len(ivr.to("/ivr/voice")) == 2)
    other.hang_up()
    assert other.wait_for(lambda c: c.finished) and len(ivr.to("/ivr/status")) == 1


def test_rest_fails_makes_redirect_and_end_call_raise(carrier, control, ivr):
    call = carrier.dial(ALMATY)
    assert wait_until(lambda: ivr.to("/ivr/voice"))
    assert control.call_status("call-1") is CallStatus.LIVE
    carrier.faults.rest_fails = True
    with pytest.raises(CarrierError, match="simulated fault"):
        control.redirect("call-1", "/ivr/connect")
    with pytest.raises(CarrierError):
        control.end_call("call-1")
    assert control.call_status("call-1") is CallStatus.UNREACHABLE
    assert ivr.to("/ivr/connect") == [] and not call.finished     # refused: nothing was sent
    assert any(e.kind == "fault" for e in call.events)
    carrier.faults.rest_fails = False
    control.redirect("call-1", "/ivr/connect")
    assert call.wait_for(lambda c: c.conference is not None)
    call.hang_up()
    assert call.wait_for(lambda c: c.finished)


def test_call_status_and_redirect_of_unknown_or_ended_calls(carrier, control, ivr, live):
    assert control.call_status("never-seen") is CallStatus.LOST
    with pytest.raises(CarrierError):
        control.redirect("never-seen", "/ivr/connect")
    assert control.end_call("never-seen") is False
    call = carrier.dial(ALMATY)
    assert wait_until(lambda: ivr.to("/ivr/voice"))
    assert control.call_status("call-1") is CallStatus.LIVE
    call.hang_up()
    assert call.wait_for(lambda c: c.finished)
    assert control.call_status("call-1") is CallStatus.ENDED
    with pytest.raises(CarrierError, match="no longer on the line"):
        control.redirect("call-1", "/ivr/connect")


# ------------------------------------------------------------ the /simulator endpoints


@pytest.fixture
def sim(app, client):
    page = client.get("/simulator?lang=en")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Carrier REST API fails" in html and "Status callback never sent" in html
    assert "Drop the psychologist&#39;s line" in html or "Drop the psychologist's line" in html
    token = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
    return {"X-CSRFToken": token}


def test_the_faults_endpoint_needs_csrf_and_validates_its_input(app, client, sim):
    carrier = app.extensions["carrier"]
    assert client.get("/simulator/faults").get_json() == {"rest_fails": False, "no_status_callback": False}
    assert client.post("/simulator/faults", json={"rest_fails": True}).status_code == 400   # no CSRF
    assert carrier.faults.rest_fails is False
    for body, message in [({"rest_fails": "yes"}, "must be true or false"),
                          ({"rest_fails": 1}, "must be true or false"),
                          ({"drop_everything": True}, "unknown switch"),
                          ({}, "rest_fails and/or no_status_callback"),
                          ([True], "JSON")]:          # not an object: refused before the view
        response = client.post("/simulator/faults", json=body, headers=sim)
        assert response.status_code == 400 and message in response.get_json()["error"], body
    assert carrier.faults.as_dict() == {"rest_fails": False, "no_status_callback": False}
    response = client.post("/simulator/faults", json={"rest_fails": True, "no_status_callback": True},
                           headers=sim)
    assert response.status_code == 200 and response.get_json() == {"rest_fails": True,
                                                                    "no_status_callback": True}
    assert client.post("/simulator/faults", json={"rest_fails": False}, headers=sim).get_json() == {
        "rest_fails": False, "no_status_callback": True}
    assert carrier.faults.rest_fails is False and carrier.faults.no_status_callback is True
    html = client.get("/simulator").get_data(as_text=True)
    assert re.search(r'id="fault-no-status-callback"[^>]*\schecked', html)      # the page shows them
    assert not re.search(r'id="fault-rest-fails"[^>]*\schecked', html)


def test_drop_agent_endpoint(app, client, sim):
    carrier = app.extensions["carrier"]
    live = MemoryLiveCallStore(ttl_seconds=3600)
    ivr = ScriptedIvr(live)
    carrier._transport = ivr
    control = SimulatedCarrierControl(carrier, live, BASE_URL)
    assert client.post("/simulator/calls/nope/drop-agent", headers=sim).status_code == 404

    call = carrier.dial(ALMATY)
    assert wait_until(lambda: ivr.to("/ivr/voice"))
    assert client.post(f"/simulator/calls/{call.handle}/drop-agent").status_code == 400    # no CSRF
    response = client.post(f"/simulator/calls/{call.handle}/drop-agent", headers=sim)
    assert response.status_code == 409 and "No psychologist" in response.get_json()["error"]

    control.redirect("call-1", "/ivr/connect")
    assert call.wait_for(lambda c: c.conference is not None)
    agent = psychologist_joins(carrier, control, ivr, live, call)
    state = client.get(f"/simulator/calls/{call.handle}?since=0").get_json()
    assert state["on_line"] == ["caller", "psychologist"] and state["psychologist_on_line"] is True
    assert state["status"] == "connected"
    assert call.sid not in str(state) and agent.sid not in str(state)
    assert live.by_call("call-1").leg not in str(state)          # nor the conference name

    assert client.post(f"/simulator/calls/{call.handle}/drop-agent", headers=sim).status_code == 200
    assert agent.wait_for(lambda a: a.finished)
    state = client.get(f"/simulator/calls/{call.handle}?since=0").get_json()
    assert state["on_line"] == ["caller"] and state["psychologist_on_line"] is False
    assert any(e["kind"] == "conference" and e["text"] == "The psychologist's line dropped"
               for e in state["events"])
    response = client.post(f"/simulator/calls/{call.handle}/drop-agent", headers=sim)
    assert response.status_code == 409
    call.hang_up()
    assert call.wait_for(lambda c: c.finished)
