"""Every interface message (code, templates and the pages' i18n blocks for the scripts) has a
Kazakh and a Russian translation in the ``.po`` files, and the app reads what they say."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tests.po import LOCALES, compiled, edited, translations

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")


def _forms(text: str | tuple[str, ...]) -> tuple[str, ...]:
    return text if isinstance(text, tuple) else (text,)


@pytest.fixture(scope="module")
def wanted(tmp_path_factory):
    pot = tmp_path_factory.mktemp("messages") / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F",
                    str(ROOT / "babel.cfg"), "-k", "_l", "-o", str(pot), str(ROOT)],
                   check=True, capture_output=True, cwd=ROOT)
    with open(pot, "rb") as handle:
        return {message.id for message in read_po(handle) if message.id}


@pytest.mark.parametrize("locale", LOCALES)
def test_every_message_is_translated_and_reviewed(wanted, locale):
    catalog = edited(locale)
    have = translations(locale)
    assert wanted - set(have) == set(), "untranslated, empty or fuzzy (run `make translations`)"
    for msgid in wanted:
        forms = _forms(have[msgid])
        assert all(form.strip() for form in forms), msgid
        if isinstance(msgid, tuple):
            assert len(forms) == catalog.num_plurals, msgid


@pytest.mark.parametrize("locale", LOCALES)
def test_every_translation_keeps_the_placeholders(wanted, locale):
    have = translations(locale)
    wrong = {}
    for msgid in wanted & set(have):
        expected = sorted(PLACEHOLDER.findall(_forms(msgid)[-1]))
        if any(sorted(PLACEHOLDER.findall(form)) != expected for form in _forms(have[msgid])):
            wrong[msgid] = have[msgid]
    assert wrong == {}


@pytest.mark.parametrize("locale", LOCALES)
def test_the_app_reads_what_the_po_files_say(locale):
    """The committed ``messages.mo`` is the ``.po`` compiled (`make translations` or `pybabel compile`)."""
    def plain(text):
        return text if isinstance(text, str) else tuple(text)

    read = {plain(message.id): plain(message.string) for message in compiled(locale) if message.id}
    assert read == {plain(msgid): plain(text) for msgid, text in translations(locale).items()}
