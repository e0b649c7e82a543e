"""Authorisation by role and centre, for views and socket events."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort, jsonify, make_response
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from helpline.extensions import db
from helpline.models import Call, Escalation, Offer, User
from helpline.models.labels import STAFF, SUPERVISORS
from helpline.web import inputs

__all__ = ["STAFF", "SUPERVISORS", "call_to_record", "chosen_person", "fetch", "may_handle", "may_record",
           "may_see_centre", "roles_required"]


def roles_required(*roles: str):
    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorator


def fetch(model, key, allowed: Callable[[object], bool]):
    """The ``model`` row with primary key ``key``: 404 if there is none, 403 if not ``allowed``."""
    row = db.session.get(model, key)
    if row is None:
        abort(404)
    if not allowed(row):
        abort(403)
    return row


def call_to_record(call_id: str) -> Call:
    """The call whose contact record the signed-in person may write (404 / 403 otherwise)."""
    return fetch(Call, call_id, lambda call: may_record(current_user, call))


def may_see_centre(user, centre_id: int | None) -> bool:
    return user.is_admin or (centre_id is not None and user.centre_id == centre_id)


def may_record(user, call: Call) -> bool:
    """The psychologist who answered (also one whose line dropped and whose caller was passed
    on), or a supervisor of the call's centre."""
    if call.agent_id == user.id or (user.is_supervisor and may_see_centre(user, call.centre_id)):
        return True
    return db.session.scalar(select(Offer.id).where(
        Offer.call_id == call.id, Offer.user_id == user.id, Offer.accepted_at.is_not(None))) is not None


def may_handle(user, escalation: Escalation) -> bool:
    return user.is_supervisor and may_see_centre(user, escalation.centre_id)


def chosen_person(data: dict) -> User:
    """The person a supervisor chose (``user_id``): 400 when none, 403 when not of her centre."""
    try:
        user_id = inputs.optional_id(str(data.get("user_id") or ""), "user_id")
    except inputs.InputError as exc:
        abort(make_response(jsonify(error=str(exc)), 400))
    person = db.session.get(User, user_id) if user_id else None
    if person is None:
        abort(make_response(jsonify(error=_("Choose a person from the list.")), 400))
    if not may_see_centre(current_user, person.centre_id):
        abort(403)
    return person
