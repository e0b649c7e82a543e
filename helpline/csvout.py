"""The one CSV writer the product uses, so no cell can run as a formula in a spreadsheet.

A text cell beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by Excel
and LibreOffice as a formula (CSV injection: a topic code ``=2+5+cmd|" /c calc"!a1``); such a cell
is written with a leading ``'`` (OWASP's advice), which the spreadsheet shows as text.

Numbers are not text: an ``int``, ``float`` or ``Decimal`` is written as it is, so a count stays a
number (the product's counts, hours and seconds are never negative; a negative number would be
harmless anyway). A *string* that happens to look like a negative number is still prefixed: the
writer cannot tell ``-1`` typed by a person from a formula's start, and no column the product
writes holds negative numbers as text.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any, TextIO

#: What makes a spreadsheet read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """``value`` as a cell that is never a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeWriter:
    """``csv.writer`` with every cell neutralised."""

    def __init__(self, out: TextIO) -> None:
        self._writer = csv.writer(out)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([neutralise(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(out: TextIO) -> SafeWriter:
    return SafeWriter(out)
