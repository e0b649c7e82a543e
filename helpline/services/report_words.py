"""The words of a report file (CSV or PDF) in the language it was asked in, or its codes when it
is read by a script (the command line's CSV, the monthly job's file): one place, so the CSV, the
PDF and the authority's report say the same thing."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from helpline.models import labels

#: The fixed words of a report file: the key is what a file for scripts says.
TEXTS = {
    "report": _l("Report"), "suppressed": _l("suppressed for outside use"),
    "internal: exact counts": _l("internal, exact counts"), "legend": _l("Legend"),
    "indicator": _l("Indicator"), "value": _l("Value"), "count": _l("Count"), "total": _l("Total"),
    "Senim trust line report": _l("Senim trust line report"), "no centre": _l("no centre"),
    "suppressed for outside use": _l("suppressed for outside use"),
    "internal, exact counts": _l("internal, exact counts"), "Indicators": _l("Indicators"),
    "Monthly report to the child-rights authority": _l("Monthly report to the child-rights authority"),
    "All centres": _l("All centres"),
}
#: The legend of suppressed figures, as ``helpline.suppression.LEGEND`` says it in English.
LEGEND = _l('<5: a count from 1 to 4. x: a count of 5 or more, hidden so that no "<5" can be '
            "worked out from the totals. …: not published, so that no small count can be worked out.")


@dataclass
class ReportWords:
    """Words for one file; ``lang=None``: the codes and English keys, as scripts read them."""

    lang: str | None
    topics: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def text(self, key: str) -> str:
        return key if self.lang is None else str(TEXTS.get(key, key))

    def legend(self) -> str:
        from helpline.suppression import LEGEND as CODES_LEGEND

        return CODES_LEGEND if self.lang is None else str(LEGEND)

    def kpi(self, key: str) -> str:
        return key if self.lang is None else labels.label("kpi", key)

    def value(self, key: str, value: float | int | None) -> str:
        if self.lang is None:
            return "" if value is None else str(value)
        return labels.kpi_value(key, value)

    def section(self, name: str) -> str:
        return name if self.lang is None else labels.label("section", name)

    def row(self, section: str, key: str) -> str:
        if self.lang is None:
            return key
        return labels.row_label(section, key, {code: by_lang.get(self.lang, code)
                                               for code, by_lang in self.topics.items()})


@contextmanager
def report_words(lang: str | None, topics: Mapping[str, Mapping[str, str]] | None = None
                 ) -> Iterator[ReportWords]:
    """The words for a file in ``lang``, with that language in force while it is written."""
    words = ReportWords(lang, topics or {})
    if lang is None:
        yield words
        return
    with force_locale(lang):
        yield words
