"""The ``helpline`` command as its users type it: every command the documentation names is
offered, and a command that is refused leaves nothing half-written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from helpline.extensions import db
from helpline.models import Shift

ROOT = Path(__file__).resolve().parents[2]
#: ``helpline db upgrade``, ``.venv/bin/helpline rota hours --centre C``: the command's words.
NAMED = re.compile(r"helpline((?: [a-z][a-z-]*)+)")


def documented_commands() -> set[tuple[str, ...]]:
    """Every ``helpline ...`` command in the README, the Makefile and the deployment files."""
    files = [ROOT / "README.md", ROOT / "Makefile",
             *(path for path in (ROOT / "deploy").rglob("*") if path.is_file())]
    return {tuple(match.split()) for path in files
            for match in NAMED.findall(path.read_text(encoding="utf-8"))}


def test_the_documentation_names_the_commands_of_every_area():
    groups = {words[0] for words in documented_commands()}
    assert {"db", "run", "serve", "scheduler", "demo-data", "demo-code", "centres", "users",
            "calls", "reports", "keys", "ivr", "prompts", "rota"} <= groups


def test_every_documented_command_is_offered(helpline_cli):
    missing = {}
    for words in sorted(documented_commands()):
        result = helpline_cli(*words, "--help")
        if result.exit_code or not result.output.startswith(f"Usage: helpline {' '.join(words)} "):
            missing[" ".join(words)] = result.output
    assert missing == {}


def test_a_refused_import_writes_no_shift_and_says_which_line(app, make_user, helpline_cli,
                                                               tmp_path):
    make_user("ali", centre_id=1)
    make_user("sup", role="supervisor", centre_id=1)
    rota_file = tmp_path / "rota.csv"
    rota_file.write_text("centre,username,duty,start,end,reason\n"
                         "Astana PSC (demo),ali,line,2026-03-10 08:00,2026-03-10 20:00,\n"
                         "Astana PSC (demo),sup,supervisor,2026-03-10 08:00,2026-03-11 08:00,\n")
    result = helpline_cli("rota", "import", str(rota_file))
    assert result.exit_code == 1
    assert result.output.startswith("Error: nothing imported:\nline 3: sup breaks working-time "
                                    "rules: shift_too_long (24.0 h > 12 h)")
    with app.app_context():
        assert db.session.query(Shift).count() == 0      # the good first line was rolled back too


@pytest.mark.parametrize("centre", ["Nowhere PSC", "99999999999"])
def test_users_add_names_an_unknown_centre_and_adds_nobody(helpline_cli, centre):
    result = helpline_cli("users", "add", "--username", "new.person", "--password",
                          "a long enough pass phrase", "--role", "psychologist", "--centre", centre)
    assert result.exit_code == 1
    assert f"centre: no centre '{centre}' (see `helpline centres list`)" in result.output
    assert "new.person" not in helpline_cli("users", "list").output
