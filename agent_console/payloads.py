"""The payload of a console's Socket.IO event, checked before anything runs: a script that sends
nothing, a list, a field of the wrong type or a number no row could have gets an answer in words
(``{"ok": False, "error": ...}``, as for any refused action), never an exception and never
silence."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from helpline.web.inputs import MAX_ID

#: What a field of each type must be, said to the person (a bool is never taken for a number).
_KINDS = {int: _l("a number"), str: _l("text"), bool: _l("true or false")}


class BadPayload(ValueError):
    """An event's payload the handler cannot use; ``str()`` names the field."""


def _wrong(name: str, kind: type) -> BadPayload:
    return BadPayload(_("This was not done: %(field)s must be %(kind)s. Reload the page and try "
                        "again.", field=name, kind=str(_KINDS.get(kind, kind.__name__))))


def _out_of_range(name: str) -> BadPayload:
    return BadPayload(_("This was not done: %(field)s is not one this console was given. Reload "
                        "the page and try again.", field=name))


def _fits(value: Any, kind: type) -> bool:
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind is str:
        return isinstance(value, str) and len(value) <= 200
    return isinstance(value, kind)


def payload(data: Any, required: dict[str, type] | None = None,
            optional: dict[str, tuple[type, Any]] | None = None) -> dict[str, Any]:
    """The named fields of ``data``: each of ``required`` present with its type, each of
    ``optional`` of its type or its default when absent. Other keys are ignored."""
    required, optional = required or {}, optional or {}
    if not isinstance(data, dict):
        if required:
            raise BadPayload(_("This was not done: the console sent no %(fields)s. Reload the page "
                               "and try again.", fields=", ".join(required)))
        data = {}
    fields: dict[str, Any] = {}
    for name, kind in required.items():
        if name not in data:
            raise _wrong(name, kind)
        fields[name] = _checked(name, data[name], kind)
    for name, (kind, default) in optional.items():
        fields[name] = _checked(name, data.get(name, default), kind)
    return fields


def _checked(name: str, value: Any, kind: type) -> Any:
    """``value`` when it is of ``kind``; a number must also be an id some row could have (1 to
    ``MAX_ID``: a larger one would fail in the database instead of finding nothing)."""
    if not _fits(value, kind):
        raise _wrong(name, kind)
    if kind is int and not 1 <= value <= MAX_ID:
        raise _out_of_range(name)
    return value


def refused(error: BadPayload) -> dict[str, Any]:
    """The answer the console shows for an action that was not done."""
    return {"ok": False, "error": str(error)}
