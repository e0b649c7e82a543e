"""Write ``kk`` and ``ru`` message catalogues from ``catalogue.T`` and the extracted template.

    python -m helpline.translations.build /tmp/messages.pot
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from helpline.translations.catalogue import T

HERE = Path(__file__).resolve().parent


def build(pot_path: str) -> list[str]:
    missing = []
    for index, locale in enumerate(("kk", "ru")):
        with open(pot_path, "rb") as handle:
            catalog = read_po(handle, locale=locale)
        for message in catalog:
            if not message.id:
                continue
            if message.id in T:
                message.string = T[message.id][index]
            else:
                missing.append(message.id)
        folder = HERE / locale / "LC_MESSAGES"
        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / "messages.po", "wb") as handle:
            write_po(handle, catalog, width=100, omit_header=False, include_lineno=False)
        with open(folder / "messages.mo", "wb") as handle:
            write_mo(handle, catalog)
    return sorted(set(missing))


if __name__ == "__main__":
    gaps = build(sys.argv[1])
    if gaps:
        print("Untranslated:", *gaps, sep="\n  ")
        sys.exit(1)
