"""Twilio's Conferences and conference Participants resources for ``SpecTwilio``: the requests
are validated against the OpenAPI description like every other, and answered from conferences a
test arranges (``add_conference``), so a supervisor's create / update / delete can be read back."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from tests.fake_twilio import _error
from tests.twilio_mock import SpecTwilio


@dataclass
class MockParticipant:
    call_sid: str
    label: str | None = None
    muted: bool = False
    coaching: bool = False
    call_sid_to_coach: str | None = None
    to: str = ""
    hold: bool = False
    hold_url: str | None = None
    end_conference_on_exit: bool = False


@dataclass
class MockConference:
    sid: str
    name: str
    status: str = "in-progress"
    participants: list[MockParticipant] = field(default_factory=list)


def _bool(value: str | None, default: bool = False) -> bool:
    return default if value is None else value.lower() == "true"


class ConferenceTwilio(SpecTwilio):
    """``SpecTwilio`` that also serves conferences and their participants."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.conferences: dict[str, MockConference] = {}

    def add_conference(self, name: str, *call_sids: str) -> MockConference:
        room = MockConference("CF" + secrets.token_hex(16), name,
                              participants=[MockParticipant(sid) for sid in call_sids])
        with self._lock:
            self.conferences[room.sid] = room
        return room

    def _room(self, match) -> MockConference | None:
        key = match.path_values["ConferenceSid"]
        return self.conferences.get(key) or next(
            (c for c in self.conferences.values() if c.name == key and c.status == "in-progress"), None)

    def _person(self, match) -> tuple[MockConference | None, MockParticipant | None]:
        room = self._room(match)
        key = match.path_values.get("CallSid")
        person = next((p for p in room.participants if key in (p.call_sid, p.label)), None) if room else None
        return room, person

    def _participant(self, match, room: MockConference, person: MockParticipant) -> dict:
        operation = self.spec.operation("FetchParticipant")
        return operation.render(operation.success()[1], {
            "account_sid": self.account_sid, "conference_sid": room.sid, "call_sid": person.call_sid,
            "label": person.label, "muted": person.muted, "coaching": person.coaching,
            "call_sid_to_coach": person.call_sid_to_coach, "status": "connected"})

    def _ListConference(self, match, query, _form):
        found = [c for c in self.conferences.values()
                 if query.get("FriendlyName", [c.name])[0] == c.name
                 and query.get("Status", [c.status])[0] == c.status]
        operation = self.spec.operation("FetchConference")
        items = [operation.render(operation.success()[1], {
            "sid": c.sid, "friendly_name": c.name, "status": c.status, "account_sid": self.account_sid})
            for c in found]
        uri = f"/2010-04-01/Accounts/{self.account_sid}/Conferences.json"
        return 200, match.operation.render(match.operation.success()[1], {
            "conferences": items, "page": 0, "page_size": 50, "start": 0, "end": len(items) - 1,
            "uri": uri, "first_page_uri": uri, "previous_page_uri": None, "next_page_uri": None})

    def _ListParticipant(self, match, _query, _form):
        room = self._room(match)
        if room is None:
            return 404, _error(20404, "The requested resource was not found", 404)
        uri = f"/2010-04-01/Accounts/{self.account_sid}/Conferences/{room.sid}/Participants.json"
        return 200, match.operation.render(match.operation.success()[1], {
            "participants": [self._participant(match, room, p) for p in room.participants],
            "page": 0, "page_size": 50, "start": 0, "end": len(room.participants) - 1, "uri": uri,
            "first_page_uri": uri, "previous_page_uri": None, "next_page_uri": None})

    def _CreateParticipant(self, match, _query, form):
        room = self._room(match)
        if room is None:
            return 404, _error(20404, "The requested resource was not found", 404)
        person = MockParticipant("CA" + secrets.token_hex(16), form.get("Label"), _bool(form.get("Muted")),
                                 _bool(form.get("Coaching")), form.get("CallSidToCoach"), form.get("To", ""))
        person.end_conference_on_exit = _bool(form.get("EndConferenceOnExit"))
        room.participants.append(person)
        return 201, self._participant(match, room, person)

    def _UpdateParticipant(self, match, _query, form):
        room, person = self._person(match)
        if person is None:
            return 404, _error(20404, "The requested resource was not found", 404)
        person.muted = _bool(form.get("Muted"), person.muted)
        person.coaching = _bool(form.get("Coaching"), person.coaching)
        person.call_sid_to_coach = form.get("CallSidToCoach") if person.coaching else None
        person.hold = _bool(form.get("Hold"), person.hold)
        person.hold_url = form.get("HoldUrl") if person.hold else None
        person.end_conference_on_exit = _bool(form.get("EndConferenceOnExit"), person.end_conference_on_exit)
        return 200, self._participant(match, room, person)

    def _DeleteParticipant(self, match, _query, _form):
        room, person = self._person(match)
        if person is None:
            return 404, _error(20404, "The requested resource was not found", 404)
        room.participants.remove(person)
        return 204, None
