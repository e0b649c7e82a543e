"""Caller privacy: log scrubbing and the optional keyed caller token.

Every log record made in the process passes through ``scrub`` (installed as the log record
factory), so a phone number or a carrier id cannot reach a log line whatever logger or
handler produced it, exception tracebacks included.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import traceback
from datetime import UTC, datetime

_SID = re.compile(r"\b(?:CA|CF|QU|AC|PN|RE|CL|RM|MM|SM)[0-9a-fA-F]{32}\b")
_NUMBER = re.compile(
    r"\+?\b\d{7,15}\b"                                   # +77011234567, 87011234567
    r"|\+\d[\d ()\-]{8,18}\d"                              # +7 (701) 123-45-67
    r"|\b[78][\s(]*\d{3}[\s)\-]*\d{3}[\s\-]*\d{2}[\s\-]*\d{2}\b"  # 8 701 123 45 67
)


def scrub(text: str) -> str:
    """Replace carrier ids and phone-number-like digit runs with placeholders."""
    return _NUMBER.sub("[number]", _SID.sub("[sid]", text))


_installed = False


def install_log_scrubber() -> None:
    """Make every log record in this process scrubbed at creation (idempotent)."""
    global _installed
    if _installed:
        return
    original = logging.getLogRecordFactory()

    def factory(*args, **kwargs):
        record = original(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a malformed log call must not leak its raw arguments
            message = str(record.msg)
        record.msg = scrub(message)
        record.args = ()
        if record.exc_info and record.exc_info[0] is not None:
            record.exc_text = scrub("".join(traceback.format_exception(*record.exc_info)).rstrip())
        return record

    logging.setLogRecordFactory(factory)
    _installed = True


def caller_token(secret: str, normalised_number: str | None, now: datetime) -> str | None:
    """Keyed token of a caller for this month (opt-in): counts repeat callers within a month.

    The key is derived from the secret and the month, so tokens of different months cannot be
    linked, and without the secret a token cannot be tested against a number.  Withheld
    numbers get no token.
    """
    if not secret or not normalised_number:
        return None
    period = _period(now)
    key = hmac.new(secret.encode(), period.encode(), hashlib.sha256).digest()
    return hmac.new(key, normalised_number.encode(), hashlib.sha256).hexdigest()[:32]


def _period(now: datetime) -> str:
    return now.astimezone(UTC).strftime("%Y-%m")


def caller_token_rotates_at(made_at: datetime) -> datetime:
    """When the key of a token made at ``made_at`` rotates (the first instant of the next month,
    UTC): from then on the same caller gets another token, so nothing of the old one can match."""
    made = made_at.astimezone(UTC)
    return datetime(made.year + made.month // 12, made.month % 12 + 1, 1, tzinfo=UTC)
