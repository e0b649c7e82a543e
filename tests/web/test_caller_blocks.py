"""The opt-in caller token at work: the console is told how often a caller called before (a
count, never the number), and a supervisor can block a caller for a while.  Driven through
signed webhooks, the Socket.IO console and the supervisor's HTTP endpoints."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text

from helpline.extensions import db
from helpline.models import AuditEvent, CallerBlock
from tests.conftest import ALMATY, ASTANA, all_calls, spoken, verbs
from tests.web.test_console_flow import console  # noqa: F401  (the Socket.IO console fixture)

CALLER = "+77015550123"
BLOCKED_WORDS = "This line cannot take your call right now."


@pytest.fixture
def tokens() -> bool:
    """Whether the line keeps caller tokens (a test turns them off by parametrizing ``tokens``)."""
    return True


@pytest.fixture
def settings_overrides(settings_overrides, tokens):
    return {**settings_overrides, "caller_token_enabled": tokens, "caller_token_secret": "line-secret"}


@pytest.fixture
def dial(phone, app):
    """``dial(caller, to)`` -> (the TwiML the caller hears first, the new register row)."""
    def make(caller=CALLER, to=ALMATY, hang_up=True):
        before = {row.id for row in all_calls(app)}
        call = phone(to, caller)
        doc = call.dial()
        if hang_up:
            call.completed()
        (row,) = [r for r in all_calls(app) if r.id not in before]
        return doc, row
    return make


@pytest.fixture
def supervisor(make_user, staff_client):
    make_user("sup", role="supervisor", centre_id=2)

    class Supervisor:
        def __init__(self):
            self.signs_in()

        def signs_in(self):
            """(Again: after the test's clock jumps days, her earlier session has ended.)"""
            self.client, self.headers = staff_client("sup")

        def block(self, call_id, duration="24h", reason="prank"):
            return self.send(call_id, {"duration": duration, "reason": reason})

        def send(self, call_id, body):
            return self.client.post(f"/supervisor/calls/{call_id}/block", headers=self.headers,
                                    json=body)

        def lift(self, block_id):
            return self.client.post(f"/supervisor/caller-blocks/{block_id}/lift", headers=self.headers,
                                    json={})

        def overview(self):
            return self.client.get("/supervisor/caller-blocks.json")

    return Supervisor()


def is_blocked_message(doc) -> bool:
    said = " ".join(spoken(doc))
    return BLOCKED_WORDS in said and "112" in said and verbs(doc)[-1] == "Hangup" and (
        doc.find("Gather") is None and doc.find("Enqueue") is None)


def audit_actions(app) -> list[str]:
    with app.app_context():
        return [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def test_console_is_told_how_often_the_caller_called_before_never_who(
        app, clock, dial, make_user, console, phone):  # noqa: F811
    dial()                                       # 2 March
    clock.advance(days=5)
    dial()
    dial(caller="+77015550999")                  # someone else
    clock.advance(days=10)
    make_user("saule")
    agent = console("saule")
    agent.emit("set_state", {"state": "available"})
    agent.events()

    call = phone(ALMATY, CALLER)
    call.dial()
    call.press("3")
    call.press("1")
    (offer,) = agent.events("offer")
    assert offer["earlier_calls"] == 2
    token = next(r.caller_token for r in all_calls(app) if r.id == offer["call_id"])
    assert token not in str(offer) and CALLER[1:] not in str(offer)
    reply = agent.emit("accept", {"offer_id": offer["offer_id"]})
    assert reply["ok"]
    (connected,) = agent.events("call_connected")
    assert connected["earlier_calls"] == 2 and token not in str(connected)

    clock.advance(seconds=60)
    call.completed()
    newcomer = phone(ALMATY, "+77015550777")
    clock.advance(seconds=60)
    agent.emit("set_state", {"state": "available"})
    agent.events()
    newcomer.dial()
    newcomer.press("3")
    newcomer.press("2")
    assert agent.events("offer")[-1]["earlier_calls"] == 0

    page = agent.http.get("/console").get_data(as_text=True)
    assert "in the last 30 days" in page and "Counts start again each month." in page


def test_the_count_starts_again_when_the_monthly_key_rotates(app, clock, dial):
    from helpline.services.caller_blocks import earlier_calls

    clock.set(datetime(2026, 3, 31, 20, 0, tzinfo=UTC))
    dial()
    clock.set(datetime(2026, 4, 1, 1, 0, tzinfo=UTC))
    _doc, row = dial()
    with app.app_context():
        assert earlier_calls(db.session, db.session.merge(row)) == 0


@pytest.mark.parametrize("tokens", [False])
def test_with_tokens_off_the_console_shows_no_count_and_blocking_is_refused_in_words(
        app, dial, make_user, console, supervisor, phone):  # noqa: F811
    _doc, row = dial()
    make_user("saule")
    agent = console("saule")
    agent.emit("set_state", {"state": "available"})
    call = phone(ALMATY, CALLER)
    call.dial()
    call.press("3")
    call.press("1")
    (offer,) = agent.events("offer")
    assert "earlier_calls" not in offer

    assert supervisor.overview().get_json()["enabled"] is False
    refused = supervisor.block(row.id)
    assert refused.status_code == 409 and "Caller tokens are off" in refused.get_json()["error"]
    with app.app_context():
        assert db.session.scalars(select(CallerBlock)).all() == []


def test_a_blocked_caller_hears_the_message_and_help_numbers_and_is_registered_once(
        app, clock, dial, supervisor, phone, backend):
    _doc, first = dial()
    listing = supervisor.overview()
    assert [c["call_id"] for c in listing.get_json()["calls"]] == [first.id]
    assert first.caller_token not in listing.get_data(as_text=True)

    made = supervisor.block(first.id, duration="24h", reason="prank")
    assert made.status_code == 201, made.get_data(as_text=True)
    assert "caller_block.add" in audit_actions(app)
    with app.app_context():
        details = " ".join(e.detail for e in db.session.scalars(select(AuditEvent)))
    assert first.id in details and first.caller_token not in details

    clock.advance(hours=2)
    call = phone(ALMATY, CALLER)
    doc = call.dial()
    assert is_blocked_message(doc)
    assert spoken(call.twilio.twiml("/ivr/voice", call.params)) == spoken(doc)   # a carrier retry
    call.completed()
    rows = [r for r in all_calls(app) if r.id != first.id]
    assert [(r.outcome, r.state) for r in rows] == [("blocked", "ended")]

    other, _row = dial(caller="+77015550999")          # someone else: the menu as usual
    assert other.find("Gather") is not None
    elsewhere, _row = dial(to=ASTANA)                 # the block is this centre's only
    assert elsewhere.find("Gather") is not None

    clock.advance(hours=22, seconds=1)                # 24 h after it was made: over by itself
    after, _row = dial()
    assert after.find("Gather") is not None

    db_bytes = backend.stored_bytes(app)
    assert CALLER[1:].encode() not in db_bytes and CALLER[-10:].encode() not in db_bytes


def test_a_block_never_outlives_the_monthly_key_and_a_rotated_token_cannot_be_blocked(
        app, clock, dial, supervisor):
    clock.set(datetime(2026, 3, 30, 20, 0, tzinfo=UTC))
    supervisor.signs_in()
    _doc, row = dial()
    made = supervisor.block(row.id, duration="7d", reason="abuse")
    assert made.get_json()["ends_at"] == "2026-04-01T00:00:00+00:00"

    clock.set(datetime(2026, 3, 31, 23, 0, tzinfo=UTC))
    _doc, late = dial(caller="+77015550999")
    clock.set(datetime(2026, 4, 1, 1, 0, tzinfo=UTC))
    supervisor.signs_in()
    refused = supervisor.block(late.id)
    assert refused.status_code == 400 and "key change" in refused.get_json()["error"]
    back, _row = dial()                               # April: the March block is over
    assert back.find("Gather") is not None


def test_a_block_can_be_lifted_early_once_and_both_are_audited(app, clock, dial, supervisor):
    _doc, row = dial()
    block_id = supervisor.block(row.id, duration="7d").get_json()["id"]
    clock.advance(minutes=5)
    assert is_blocked_message(dial()[0])
    assert supervisor.lift(block_id).get_json() == {"lifted": True}
    assert dial()[0].find("Gather") is not None
    again = supervisor.lift(block_id)
    assert again.status_code == 409 and "already ended" in again.get_json()["error"]
    assert audit_actions(app).count("caller_block.add") == 1
    assert audit_actions(app).count("caller_block.lift") == 1
    assert supervisor.overview().get_json()["blocks"] == []


def test_blocking_is_authorised_and_bad_choices_are_refused_in_words(
        app, dial, supervisor, make_user, staff_client):
    _doc, row = dial()
    _doc, astana = dial(to=ASTANA)
    assert "belongs to another centre" in supervisor.block(astana.id).get_json()["error"]
    assert supervisor.block(astana.id).status_code == 403
    bad = supervisor.block(row.id, duration="forever")
    assert bad.status_code == 400 and "1 hour, 24 hours or 7 days" in bad.get_json()["error"]
    assert supervisor.block(row.id, reason="dislike").status_code == 400
    assert supervisor.block("0" * 32).status_code == 404
    _doc, withheld = dial(caller="anonymous")
    refused = supervisor.block(withheld.id)
    assert refused.status_code == 400 and "cannot be recognised" in refused.get_json()["error"]

    make_user("aigerim")
    psychologist, headers = staff_client("aigerim")
    assert psychologist.post(f"/supervisor/calls/{row.id}/block", headers=headers,
                             json={"duration": "1h", "reason": "prank"}).status_code == 403
    assert supervisor.block(row.id).status_code == 201
    twice = supervisor.block(row.id)
    assert twice.status_code == 409 and "already blocked" in twice.get_json()["error"]
    with app.app_context():
        assert len(db.session.scalars(select(CallerBlock)).all()) == 1


def test_a_block_sent_as_a_list_a_string_or_a_number_is_refused_in_words(app, dial, supervisor):
    _doc, row = dial()
    for body in ([1], "24h", 7):
        refused = supervisor.send(row.id, body)
        assert refused.status_code == 400, body
        assert "send the fields as a JSON object" in refused.get_json()["error"]
    with app.app_context():
        assert not db.session.scalars(select(CallerBlock)).all()


def test_the_block_check_fails_open(app, dial, supervisor):
    _doc, row = dial()
    supervisor.block(row.id)
    with app.app_context():                # the blocks table is gone: the lookup fails
        db.session.execute(text("DROP TABLE caller_blocks"))
        db.session.commit()
    doc, through = dial(hang_up=False)
    assert doc.find("Gather") is not None
    assert through.outcome is None and through.state == "in_menu"


def test_the_console_words_follow_kazakh_and_russian_plural_rules(make_user, staff_client):
    import json
    import re

    make_user("saule")
    client, _headers = staff_client("saule")
    words = {}
    for lang in ("ru", "kk"):
        page = client.get(f"/console?lang={lang}").get_data(as_text=True)
        block = re.search(r'id="i18n-history">(.*?)</script>', page, re.S).group(1)
        words[lang] = json.loads(block)
    assert words["ru"]["one"].endswith("звонил {n} раз.")       # 1, 21 раз
    assert words["ru"]["few"].endswith("звонил {n} раза.")      # 2, 3, 4 раза
    assert words["ru"]["many"].endswith("звонил {n} раз.")      # 5, 11 раз
    assert "{n} рет" in words["kk"]["one"] and "{n} рет" in words["kk"]["many"]
