"""Phone numbers, configuration, live-call store, log scrubbing, caller token."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from helpline.config import ConfigError, Settings
from helpline.live import MemoryLiveCallStore
from helpline.phone import InvalidNumber, normalise
from helpline.privacy import caller_token, scrub


@pytest.mark.parametrize(("raw", "e164"), [
    ("+7 7172 55 51 50", "+77172555150"),
    ("8 (727) 355-51-50", "+77273555150"),
    ("87011234567", "+77011234567"),
])
def test_numbers_are_normalised_to_e164(raw, e164):
    assert normalise(raw) == e164


@pytest.mark.parametrize("raw", ["", "12345", "hello", "+7 999"])
def test_bad_numbers_are_refused_with_a_message(raw):
    with pytest.raises(InvalidNumber) as info:
        normalise(raw)
    assert str(info.value)


def test_settings_come_from_the_given_environment_only(tmp_path):
    settings = Settings.from_env({"HELPLINE_INSTANCE_PATH": str(tmp_path), "MENU_ATTEMPTS": "4",
                                  "HELP_NUMBERS": "150, 112", "CALLER_TOKEN_ENABLED": "yes"}).resolved()
    assert settings.menu_attempts == 4 and settings.help_numbers == ("150", "112")
    assert settings.caller_token_enabled and settings.caller_token_secret
    assert settings.carrier == "simulated"
    assert settings.database_url == f"sqlite:///{tmp_path / 'helpline.sqlite3'}"
    assert (tmp_path / "simulated_auth_token").read_text() == settings.twilio_auth_token


def test_twilio_credentials_switch_to_the_real_carrier(tmp_path):
    settings = Settings.from_env({"HELPLINE_INSTANCE_PATH": str(tmp_path),
                                  "TWILIO_ACCOUNT_SID": "AC1", "TWILIO_AUTH_TOKEN": "t"}).resolved()
    assert settings.carrier == "twilio" and settings.twilio_auth_token == "t"


def test_production_names_every_missing_variable():
    with pytest.raises(ConfigError) as info:
        Settings.from_env({"HELPLINE_ENV": "production"}).resolved()
    for name in ("SECRET_KEY", "DATABASE_URL", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "PUBLIC_BASE_URL"):
        assert name in str(info.value)


def test_bad_values_are_named():
    with pytest.raises(ConfigError, match="MENU_ATTEMPTS"):
        Settings.from_env({"MENU_ATTEMPTS": "three"})


def test_live_store_forgets_the_call_sid_at_the_end_and_on_expiry():
    now = [0.0]
    store = MemoryLiveCallStore(ttl_seconds=60, monotonic=lambda: now[0])
    leg, created = store.begin("CA1", "call-1")
    again, created_again = store.begin("CA1", "call-1b")
    assert created and not created_again and again == leg
    assert store.by_leg(leg.leg) == leg and store.by_call("call-1") == leg
    store.end(leg)
    assert store.by_sid("CA1").ended and store.by_call("call-1") is None
    tombstone = store.by_leg(leg.leg)
    assert tombstone.ended and tombstone.call_sid == ""
    other, _ = store.begin("CA2", "call-2")
    now[0] = 61
    assert store.by_sid("CA2") is None and store.by_leg(other.leg) is None
    assert store.by_leg(leg.leg) is None and len(store) == 0


def test_scrub_hides_numbers_and_carrier_ids_but_keeps_times():
    text = scrub("From +77011234567 / 8 701 123 45 67 sid CA0123456789abcdef0123456789abcdef"
                 " at 2026-03-02 10:00:05")
    assert "7011234567" not in text and "701 123 45 67" not in text
    assert "0123456789abcdef" not in text
    assert "2026-03-02 10:00:05" in text


def test_caller_token_is_keyed_and_rotates_monthly():
    march = datetime(2026, 3, 31, 23, 0, tzinfo=UTC)
    april = datetime(2026, 4, 1, 0, 0, tzinfo=UTC)
    number = "+77011234567"
    assert caller_token("s", number, march) == caller_token("s", number, march.replace(day=1))
    assert caller_token("s", number, march) != caller_token("s", number, april)
    assert caller_token("s", number, march) != caller_token("other", number, march)
    assert "7011234567" not in caller_token("s", number, march)
    assert caller_token("s", None, march) is None
