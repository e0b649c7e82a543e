"""iCalendar (RFC 5545) feed of a person's shifts: times and duty only, nothing personal."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from helpline.models import Shift


def _stamp(value: datetime) -> str:
    return value.strftime("%Y%m%dT%H%M%SZ")


def calendar_feed(shifts: Sequence[Shift], now: datetime) -> str:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Senim//Rota//EN", "CALSCALE:GREGORIAN",
             "X-WR-CALNAME:Senim shifts"]
    for shift in shifts:
        summary = "Senim: line duty" if shift.duty == "line" else "Senim: supervisor on call"
        lines += ["BEGIN:VEVENT", f"UID:shift-{shift.id}@senim", f"DTSTAMP:{_stamp(now)}",
                  f"DTSTART:{_stamp(shift.starts_at)}", f"DTEND:{_stamp(shift.ends_at)}",
                  f"SUMMARY:{summary}", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"
