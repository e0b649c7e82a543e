"""Authorisation by role and centre, for views and socket events."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import select

from helpline.extensions import db
from helpline.models import Call, Escalation, Offer


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
