"""The Kazakh and Russian catalogues as translators edit them (``messages.po``) and as the app
reads them (``messages.mo``)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

FOLDER = Path(__file__).resolve().parents[1] / "helpline" / "translations"
LOCALES = ("kk", "ru")


def edited(locale: str) -> Catalog:
    with open(FOLDER / locale / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle, locale=locale)


def compiled(locale: str) -> Catalog:
    with open(FOLDER / locale / "LC_MESSAGES" / "messages.mo", "rb") as handle:
        return read_mo(handle)


@cache
def translations(locale: str) -> dict[str | tuple[str, ...], str | tuple[str, ...]]:
    """Every translated message of ``locale``: its msgid (a tuple for plurals) and its text."""
    return {message.id: message.string for message in edited(locale)
            if message.id and message.string and not message.fuzzy}
