"""Every interface message has a Kazakh and a Russian translation."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]


def test_every_message_is_translated(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F",
                    str(ROOT / "babel.cfg"), "-k", "_l", "-o", str(pot), str(ROOT)],
                   check=True, capture_output=True, cwd=ROOT)
    with open(pot, "rb") as handle:
        wanted = {m.id for m in read_po(handle) if m.id}
    for locale in ("kk", "ru"):
        with open(ROOT / "helpline" / "translations" / locale / "LC_MESSAGES" / "messages.po", "rb") as f:
            have = {m.id for m in read_po(f) if m.id and m.string}
        assert wanted - have == set(), locale
