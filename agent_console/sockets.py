"""Socket.IO namespace ``/console``: presence, offers, answering. Thin: parse, call, emit.

Flask-SocketIO runs no ``before_request`` for events, so each handler checks the user itself.
"""

from __future__ import annotations

import logging

from flask_login import current_user
from flask_socketio import Namespace, emit, join_room

from helpline.events import ALL_SUPERVISORS, agent_room, supervisors_room
from helpline.extensions import db
from helpline.runtime import current_runtime
from helpline.services.dispatch import DispatchError

logger = logging.getLogger(__name__)


def _user():
    if not current_user.is_authenticated or not current_user.is_enabled:
        return None
    return db.session.merge(current_user._get_current_object())


class ConsoleNamespace(Namespace):
    def on_connect(self, auth=None):
        user = _user()
        if user is None:
            return False
        join_room(agent_room(user.id))
        if user.is_supervisor:
            join_room(ALL_SUPERVISORS if user.is_admin else supervisors_room(user.centre_id))
        rt = current_runtime()
        try:
            row = rt.dispatcher.connected(db.session, user, rt.clock.now())
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
        emit("presence", {"state": row.state})
        return True

    def on_disconnect(self, reason=None):
        user = _user()
        if user is None:
            return
        rt = current_runtime()
        rt.dispatcher.disconnected(db.session, user, rt.clock.now())
        db.session.commit()

    def _act(self, action):
        user = _user()
        if user is None:
            return {"ok": False, "error": "Sign in first."}
        rt = current_runtime()
        try:
            result = action(user, rt, rt.clock.now()) or {}
            db.session.commit()
        except DispatchError as exc:
            db.session.rollback()
            return {"ok": False, "error": str(exc)}
        except Exception:
            db.session.rollback()
            logger.exception("Console event failed")
            return {"ok": False, "error": "Something went wrong; please try again."}
        return {"ok": True, **result}

    def on_heartbeat(self, data=None):
        """The console is still there (routing itself runs on the scheduler's routing tick)."""
        def action(user, rt, now):
            rt.dispatcher.heartbeat(db.session, user, now)
        return self._act(action)

    def on_set_state(self, data):
        state = data.get("state") if isinstance(data, dict) else None

        def action(user, rt, now):
            row = rt.dispatcher.set_state(db.session, user, str(state), now)
            return {"state": row.state}
        return self._act(action)

    def on_accept(self, data):
        offer_id = data.get("offer_id") if isinstance(data, dict) else None

        def action(user, rt, now):
            if not isinstance(offer_id, int):
                raise DispatchError("offer_id: a number")
            call = rt.dispatcher.accept(db.session, user, offer_id, now)
            result = {"call_id": call.id}
            if rt.settings.carrier == "twilio":
                result["join"] = rt.live.join_token(call.id)
            return result
        return self._act(action)

    def on_decline(self, data):
        offer_id = data.get("offer_id") if isinstance(data, dict) else None

        def action(user, rt, now):
            if not isinstance(offer_id, int):
                raise DispatchError("offer_id: a number")
            rt.dispatcher.decline(db.session, user, offer_id, now)
        return self._act(action)

    def on_hang_up(self, data):
        call_id = data.get("call_id") if isinstance(data, dict) else None

        def action(user, rt, now):
            rt.dispatcher.hang_up(db.session, user, str(call_id), now)
        return self._act(action)
