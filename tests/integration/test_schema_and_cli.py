"""Migrations, the ``helpline`` command and the installable package."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from click.testing import CliRunner

from helpline import create_app
from helpline.cli import CommandLine, cli
from helpline.extensions import db
from helpline.orm import Base
from helpline.schema import head_revision
from tests.conftest import ALMATY, ASTANA, PhoneCall, TwilioDouble


def test_upgrade_head_yields_the_models_schema(app):
    with app.app_context(), db.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []


def _fresh_cli(settings_overrides):
    def invoke(*args: str, app=None):
        state = CommandLine(app or create_app(settings_overrides, environ={}))
        return CliRunner().invoke(cli, list(args), obj=state)
    return invoke


@pytest.mark.empty_database
def test_run_refuses_an_outdated_schema_and_says_what_to_do(settings_overrides):
    invoke = _fresh_cli(settings_overrides)
    result = invoke("run", "--port", "5999")
    assert result.exit_code == 1
    assert "helpline db upgrade" in result.output and "never migrated" in result.output
    result = invoke("db", "upgrade")
    assert result.exit_code == 0 and head_revision() in result.output


def test_centres_add_and_list(helpline_cli):
    result = helpline_cli("centres", "add", "--name", "Shymkent PSC", "--region", "Shymkent",
                          "--number", "8 7252 55 51 50", "--number", "+7 7252 55 51 51",
                          "--languages", "kk,ru", "--max-wait", "240")
    assert result.exit_code == 0, result.output
    assert "+77252555150, +77252555151" in result.output
    listing = helpline_cli("centres", "list").output
    assert "Shymkent PSC\tShymkent\t+77252555150, +77252555151\tAsia/Almaty\tkk,ru\tmax wait 240s" in listing


@pytest.mark.parametrize(("args", "message"), [
    (["--number", "12345"], "'12345' is not a valid number"),
    (["--number", ASTANA], "already used by another centre"),
    (["--number", "+77252555152", "--languages", "de"], "languages: choose from kk, ru, en"),
    (["--number", "+77252555152", "--timezone", "Mars/Olympus"], "unknown zone"),
])
def test_centres_add_refuses_bad_input_and_adds_nothing(helpline_cli, args, message):
    result = helpline_cli("centres", "add", "--name", "Bad PSC", "--region", "R", *args)
    assert result.exit_code == 1 and message in result.output
    assert "Bad PSC" not in helpline_cli("centres", "list").output


def test_demo_data_is_idempotent_and_prints_the_logins(helpline_cli):
    first = helpline_cli("demo-data").output
    assert "added aigerim" in first and "password for all: senim-demo-2026" in first
    assert "already present" in helpline_cli("demo-data").output
    assert helpline_cli("centres", "list").output.count("PSC (demo)") == 2
    assert helpline_cli("users", "list").output.count("\n") == 6


def test_calls_export_filters_by_local_dates(app, clock, helpline_cli):
    twilio = TwilioDouble(app.test_client())
    for hour in (0, 19, 20):                       # 05:00, 00:00 next day and 01:00 in UTC+5
        clock.set(clock.now().replace(day=2, hour=hour, minute=0))
        call = PhoneCall(twilio, ALMATY)
        call.dial()
        call.completed()
    everything = helpline_cli("calls", "export").stdout.splitlines()
    assert len(everything) == 4
    day = helpline_cli("calls", "export", "--since", "2026-03-02", "--until", "2026-03-02").stdout
    assert day.count("abandoned_in_menu") == 1 and "2026-03-02T05:00:00+05:00" in day
    bad = helpline_cli("calls", "export", "--since", "yesterday")
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output
    backwards = helpline_cli("calls", "export", "--since", "2026-03-03", "--until", "2026-03-01")
    assert backwards.exit_code == 2


def test_fallback_twiml_command_prints_a_document(helpline_cli):
    out = helpline_cli("ivr", "fallback-twiml").output
    assert out.startswith("<?xml") and "<Hangup />" in out and "150" in out


def test_the_wheel_ships_templates_static_files_prompts_and_migrations(tmp_path):
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path),
                    str(root)], check=True, capture_output=True)
    (wheel,) = tmp_path.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in ("templates/simulator.html", "helpline/static/js/simulator.js",
                     "helpline/static/audio/hold.wav", "ivr/prompts/kk.json",
                     "helpline/migrations/env.py", "helpline/migrations/versions/0001_register.py",
                     "helpline/static/fonts/DejaVuSans.ttf",
                     "helpline/translations/kk/LC_MESSAGES/messages.mo",
                     "agent_console/static/vendor/chart-4.6.1.umd.min.js", "templates/rota.html"):
        assert expected in names, expected
