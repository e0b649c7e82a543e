"""Phone numbers: parsed and normalised with phonenumbers, region KZ by default."""

from __future__ import annotations

from functools import lru_cache

import phonenumbers


class InvalidNumber(ValueError):
    """A number that is not a valid phone number; the message says why."""


def normalise(raw: str, region: str = "KZ") -> str:
    """Return ``raw`` in E.164 (``+77172000000``) or raise ``InvalidNumber``."""
    text = (raw or "").strip()
    if not text:
        raise InvalidNumber("no number given")
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidNumber(f"{text!r} is not a phone number") from exc
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidNumber(f"{text!r} is not a valid number for region {region}")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def try_normalise(raw: str | None, region: str = "KZ") -> str | None:
    """Like ``normalise`` but returns None for anything unusable (carrier input)."""
    try:
        return normalise(raw or "", region)
    except InvalidNumber:
        return None


@lru_cache(maxsize=128)
def dialled_line(raw: str | None) -> str | None:
    """A centre's number as the carrier gives it (``To``), normalised; remembered, since a line
    has only a few numbers (never used for a caller's number, which is not kept anywhere)."""
    return try_normalise(raw)
