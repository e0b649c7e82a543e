"""Kazakh and Russian for the interface; `make translations` writes and compiles the .po files.

English is the source language. Keep these tables in step with the templates (the test suite
checks that every message has both translations). ``T`` is one dict, filled area by area: each
module adds to the one before it (words, console, records, languages, transfers); a new area goes
at the end of the last.
"""

from helpline.translations.catalogue.transfers import T

__all__ = ["T"]
