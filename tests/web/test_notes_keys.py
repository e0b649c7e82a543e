"""NOTES_KEY with several keys: notes no key opens are said to be unreadable and never
overwritten; ``helpline keys rotate`` moves everything to the newest key, or refuses."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from cryptography.fernet import Fernet

from helpline import create_app
from helpline.cli import CommandLine, cli
from helpline.config import ConfigError
from helpline.extensions import db
from helpline.models import ContactRecord, FollowUp
from tests.conftest import csrf_from, sign_in
from tests.web.test_record_and_escalation import RECORD, request_with_follow_up

OLD, NEW, LOST = (Fernet.generate_key().decode() for _ in range(3))
DETAIL = "Arranged a call with the school psychologist"
UNREADABLE = "These notes cannot be read with the configured keys"


@pytest.fixture
def settings_overrides(settings_overrides):
    return {**settings_overrides, "notes_key": OLD}


def restarted(settings_overrides, clock, notes_key: str):
    """The same database served again after NOTES_KEY was changed."""
    return create_app({**settings_overrides, "notes_key": notes_key}, environ={}, clock=clock)


def signed_in(app, username: str = "saule"):
    client = app.test_client()
    assert sign_in(client, username).status_code == 302
    return client, {"X-CSRFToken": csrf_from(client.get("/console").get_data(as_text=True))}


def keys_command(app, *args: str):
    return CliRunner().invoke(cli, ["keys", *args], obj=CommandLine(app), catch_exceptions=False)


def stored(app) -> tuple[bytes, bytes]:
    with app.app_context():
        notes = db.session.query(ContactRecord.notes_encrypted).scalar()
        detail = db.session.query(FollowUp.detail_encrypted).scalar()
        db.session.remove()
        return notes, detail


@pytest.fixture
def written(app, make_user, staff_client, phone, clock):
    """A saved record with notes and a follow-up with details, under the key OLD."""
    _http, _headers, call_id, request_id = request_with_follow_up(
        app, make_user, staff_client, phone, clock, DETAIL, action="call_back")
    return call_id, request_id


def test_notes_no_key_opens_are_shown_unreadable_and_a_save_never_overwrites_them(
        app, written, settings_overrides, clock):
    call_id, request_id = written
    before = stored(app)
    wrong = restarted(settings_overrides, clock, NEW)           # the old key was dropped too soon
    http, headers = signed_in(wrong)
    record = http.get(f"/console/calls/{call_id}/record").get_json()["record"]
    assert record["notes_unreadable"] is True and record["notes"] == ""
    assert UNREADABLE in http.get("/console").get_data(as_text=True)
    assert UNREADABLE in http.get(f"/requests/{request_id}").get_data(as_text=True)
    # The other fields can still be saved (risk raised); the stored notes are kept as they are
    saved = http.post(f"/console/calls/{call_id}/record", headers=headers,
                      json={**RECORD, "risk_level": "high", "notes": ""})
    assert saved.status_code == 200 and saved.get_json()["saved"] is True
    # New notes over unreadable ones: refused in words, nothing written
    refused = http.post(f"/console/calls/{call_id}/record", headers=headers,
                        json={**RECORD, "risk_level": "low", "notes": "Something new"})
    assert refused.status_code == 409 and "NOTES_KEY" in refused.get_json()["error"]
    assert stored(wrong) == before
    with wrong.app_context():
        assert db.session.query(ContactRecord.risk_level).scalar() == "high"
        db.session.remove()
    # With the right key back, everything written before is there
    fixed = restarted(settings_overrides, clock, f"{NEW},{OLD}")
    http, _ = signed_in(fixed)
    assert http.get(f"/console/calls/{call_id}/record").get_json()["record"]["notes"] == RECORD["notes"]
    assert DETAIL in http.get(f"/requests/{request_id}").get_data(as_text=True)


def test_rotation_moves_everything_to_the_newest_key_so_the_old_one_can_go(
        app, written, settings_overrides, clock):
    call_id, request_id = written
    both = restarted(settings_overrides, clock, f"{NEW},{OLD}")
    result = keys_command(both, "rotate", "--batch-size", "1")
    assert result.exit_code == 0, result.output
    assert "contact-record notes: 1 re-encrypted" in result.output
    assert "request follow-up details: 1 re-encrypted" in result.output
    assert RECORD["notes"] not in result.output and DETAIL not in result.output
    again = keys_command(both, "rotate")                         # safe to re-run: nothing to do
    assert again.exit_code == 0 and "0 re-encrypted, 1 already under the newest key" in again.output
    only_new = restarted(settings_overrides, clock, NEW)         # the old key removed
    http, _ = signed_in(only_new)
    assert http.get(f"/console/calls/{call_id}/record").get_json()["record"]["notes"] == RECORD["notes"]
    assert DETAIL in http.get(f"/requests/{request_id}").get_data(as_text=True)


def test_rotation_refuses_values_no_key_opens_names_them_and_changes_nothing(
        app, written, settings_overrides, clock):
    with app.app_context():
        record_id = db.session.query(ContactRecord.id).scalar()
        db.session.query(ContactRecord).update(
            {"notes_encrypted": Fernet(LOST.encode()).encrypt(b"written under a lost key")})
        db.session.commit()
    before = stored(app)
    both = restarted(settings_overrides, clock, f"{NEW},{OLD}")
    result = keys_command(both, "rotate")
    assert result.exit_code == 1
    assert f"contact-record notes: 1 cannot be decrypted with any configured key (ids {record_id})" \
        in result.stderr
    assert "Nothing was re-encrypted" in result.stderr
    assert stored(both) == before                # the follow-up was not moved to NEW either


def test_keys_new_prints_a_key_and_a_bad_key_is_refused_at_start_without_showing_it(
        app, settings_overrides, clock):
    key = keys_command(app, "new").output.strip()
    Fernet(key.encode())
    with pytest.raises(ConfigError, match="NOTES_KEY: key 2 of 2 is not a Fernet key") as error:
        restarted(settings_overrides, clock, f"{NEW},not-a-key-at-all")
    assert "not-a-key-at-all" not in str(error.value)
