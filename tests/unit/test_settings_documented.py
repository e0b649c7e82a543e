"""The README's settings table and ``Settings`` name the same variables: a setting added to the
code is documented where operators look, and the table never offers one the code does not read."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

from helpline.config import Settings

README = Path(__file__).resolve().parents[2] / "README.md"
NOT_FROM_THE_ENVIRONMENT = {"testing", "extra"}


def _table_variables() -> set[str]:
    """The variables named in the first column of the table under "## Configuration"."""
    section = README.read_text(encoding="utf-8").split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return {name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]*)`", row.split("|")[1])}


def test_every_setting_is_in_the_readme_table_and_the_table_names_no_other():
    read = {f.name.upper() for f in fields(Settings) if f.name not in NOT_FROM_THE_ENVIRONMENT}
    documented = _table_variables()
    assert read - documented == set(), "add these to README's settings table"
    assert documented - read == set(), "README's settings table names variables the code does not read"
