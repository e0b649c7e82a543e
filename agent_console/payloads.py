"""The payload of a console's Socket.IO event, checked before anything runs: a script that sends
nothing, a list or a field of the wrong type gets an answer in words (``{"ok": False, "error":
...}``, as for any refused action), never an exception and never silence."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

#: What a field of each type must be, said to the person (a bool is never taken for a number).
_KINDS = {int: _l("a number"), str: _l("text"), bool: _l("true or false")}


class BadPayload(ValueError):
    """An event's payload the handler cannot use; ``str()`` names the field."""


def _wrong(name: str, kind: type) -> BadPayload:
    return BadPayload(_("This was not done: %(field)s must be %(kind)s. Reload the page and try "
                        "again.", field=name, kind=str(_KINDS.get(kind, kind.__name__))))


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
        if name not in data or not _fits(data[name], kind):
            raise _wrong(name, kind)
        fields[name] = data[name]
    for name, (kind, default) in optional.items():
        value = data.get(name, default)
        if not _fits(value, kind):
            raise _wrong(name, kind)
        fields[name] = value
    return fields


def refused(error: BadPayload) -> dict[str, Any]:
    """The answer the console shows for an action that was not done."""
    return {"ok": False, "error": str(error)}
