"""What people type into pages, parsed in the view's parsing step: a value is accepted, or refused
with the field named and what it accepts, before anything below could fail with a 500 (a date in
year 1 or 9999 overflows as soon as a day is added or a zone applied)."""

from __future__ import annotations

import re
from datetime import date, datetime

from flask import request
from flask_babel import gettext as _

from helpline.models import labels

#: The dates a page accepts: wide enough for any register or rota, narrow enough that adding a
#: day, a week or a zone offset can never leave the calendar.
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2100, 12, 31)

_MONTH = re.compile(r"\d{4}-\d{2}")


class InputError(ValueError):
    """A value a page cannot use; ``str()`` names the field in the person's language (as its
    label on the page) and says what it accepts, never repeating what was typed."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{labels.FIELDS.get(field, field)}: {message}")
        self.field = field


def _in_range(value: date, field: str) -> None:
    if not FIRST_DAY <= value <= LAST_DAY:
        raise InputError(field, _("a date between %(first)s and %(last)s",
                                  first=FIRST_DAY.isoformat(), last=LAST_DAY.isoformat()))


def day(text: str | None, field: str) -> date:
    """A day as ``YYYY-MM-DD``, within the accepted range."""
    try:
        value = date.fromisoformat((text or "").strip())
    except ValueError:
        raise InputError(field, _("use the form %(example)s", example="2026-11-25")) from None
    _in_range(value, field)
    return value


def json_object() -> dict:
    """The request's JSON body when it is an object; anything else (a list, a string, a number,
    no JSON at all) counts as empty, so a missing field is refused like any other."""
    data = request.get_json(silent=True)
    return data if isinstance(data, dict) else {}


def optional_day(text: str | None, field: str) -> date | None:
    return day(text, field) if (text or "").strip() else None


def month(text: str | None, field: str) -> date:
    """The first day of a month given as ``YYYY-MM``."""
    text = (text or "").strip()
    try:
        if not _MONTH.fullmatch(text):
            raise ValueError(text)
        value = date(int(text[:4]), int(text[5:]), 1)
    except ValueError:
        raise InputError(field, _("use the form %(example)s", example="2026-11")) from None
    _in_range(value, field)
    return value


def local_datetime(text: str | None, field: str) -> datetime:
    """A naive local date and time as ``YYYY-MM-DDTHH:MM`` (the browser's datetime-local)."""
    try:
        value = datetime.fromisoformat((text or "").strip())
    except ValueError:
        raise InputError(field, _("use the form %(example)s", example="2026-11-25 14:30")) from None
    _in_range(value.date(), field)
    return value.replace(tzinfo=None)


#: The largest row id anywhere (a 32-bit column on PostgreSQL): a larger number is no row's id, and
#: sent to the database it fails (an overflow on SQLite, a data error on PostgreSQL) instead of
#: finding nothing.
MAX_ID = 2**31 - 1


def optional_id(text: str | None, field: str) -> int | None:
    """A row's id chosen in a list (empty: none chosen); 1 to ``MAX_ID``."""
    text = (text or "").strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit() and len(text) <= len(str(MAX_ID))
            and 1 <= int(text) <= MAX_ID):
        raise InputError(field, _("choose one from the list"))
    return int(text)


def ids(texts: list[str], field: str) -> list[int]:
    """Rows chosen in a multiple choice (``getlist``): each one an id, empty ones left out."""
    chosen = [optional_id(text, field) for text in texts]
    return [value for value in chosen if value is not None]
