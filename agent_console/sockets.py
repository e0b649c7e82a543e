"""Socket.IO namespace ``/console``: presence, offers, answering. Thin: parse, call, emit.

Flask-SocketIO runs no ``before_request`` for events, so each handler checks the user itself:
the connection and every event need a live server-side session (``staff_sessions``).  An event
from a session that has ended is refused, the console is told (``signed_out``) and the socket
closed, which takes the person out of routing like a closed console.
"""

from __future__ import annotations

import logging

from flask import session
from flask_login import current_user
from flask_socketio import Namespace, disconnect, emit, join_room

from agent_console import SIGNED_OUT, payloads
from agent_console.staff_sessions import keep_language, session_room
from helpline.events import ALL_SUPERVISORS, agent_room, supervisors_room
from helpline.extensions import db
from helpline.models import AgentState, User
from helpline.runtime import current_runtime
from helpline.services import drafts
from helpline.services.dispatch import DispatchError
from helpline.uow import unit_of_work

logger = logging.getLogger(__name__)


def _user():
    """The signed-in person, if their session is live (checked per connection and per event)."""
    if not current_user.is_authenticated or not current_user.is_enabled:
        return None
    return db.session.merge(current_user._get_current_object())


def _signed_out() -> dict:
    """The session has ended: say so to the console and close this socket."""
    keep_language()
    message = str(SIGNED_OUT)
    emit("signed_out", {"message": message})
    disconnect()
    return {"ok": False, "signed_out": True, "error": message}


class ConsoleNamespace(Namespace):
    def on_connect(self, auth=None):
        user = _user()
        if user is None:
            return False
        join_room(agent_room(user.id))
        join_room(session_room())
        if user.is_supervisor:
            join_room(ALL_SUPERVISORS if user.is_admin else supervisors_room(user.centre_id))
        rt = current_runtime()
        with unit_of_work(db.session):
            row = rt.dispatcher.connected(db.session, user, rt.clock.now())
            state = row.state
            current = rt.lifecycle.console_state(db.session, user, rt.clock.now())
            if state == AgentState.AVAILABLE.value:      # back while Available: on duty or not
                current.append(("duty", rt.dispatcher.duty(db.session, user.id, rt.clock.now())))
        # straight to this socket, never through the message queue: this process holds it, and the
        # first connection to a process starts the queue's listener, which may not listen yet
        emit("presence", {"state": state}, ignore_queue=True)
        for event, payload in current:        # a reloaded console shows the call it is on
            emit(event, payload, ignore_queue=True)
        return True

    def on_disconnect(self, reason=None):
        # the session may just have ended: the person's presence is updated all the same
        user_id = session.get("_user_id")
        user = db.session.get(User, int(user_id)) if isinstance(user_id, str) and user_id.isdigit() else None
        if user is None:
            return
        rt = current_runtime()
        with unit_of_work(db.session):
            rt.dispatcher.disconnected(db.session, user, rt.clock.now())

    def _act(self, action):
        """One console action in one unit of work; a refusal or failure is said in words."""
        user = _user()
        if user is None:
            return _signed_out()
        rt = current_runtime()
        refused = None
        try:
            with unit_of_work(db.session):
                try:
                    result = action(user, rt, rt.clock.now()) or {}
                except DispatchError as exc:
                    if not getattr(exc, "keep_changes", False):
                        raise
                    refused = exc          # refused, but what it found out is kept
        except DispatchError as exc:
            return {"ok": False, "error": str(exc), **getattr(exc, "reply", {})}
        except Exception:
            logger.exception("Console event failed")
            return {"ok": False, "error": "This did not work because of a problem on the server. "
                                          "Please try again; if it keeps failing, tell your supervisor."}
        if refused is not None:
            return {"ok": False, "error": str(refused)}
        return {"ok": True, **result}

    def on_heartbeat(self, data=None):
        """The console is still there (routing itself runs on the scheduler's routing tick).
        The reply says, while the person is Available, whether the rota has them on duty now
        (shifts begin and end without any other event)."""
        def action(user, rt, now):
            row = rt.dispatcher.heartbeat(db.session, user, now)
            if row.state == AgentState.AVAILABLE.value:
                return rt.dispatcher.duty(db.session, user.id, now)
        return self._act(action)

    def _act_on(self, data, required: dict, action, optional: dict | None = None):
        """``_act`` with the event's checked fields (``action(user, rt, now, fields)``); an event
        with a missing or wrong field is refused in words before anything is touched."""
        try:
            fields = payloads.payload(data, required, optional)
        except payloads.BadPayload as exc:
            return payloads.refused(exc)
        return self._act(lambda user, rt, now: action(user, rt, now, fields))

    def on_set_state(self, data=None):
        def action(user, rt, now, fields):
            if fields["state"] == "available":
                drafts.require_saved(db.session, user)
            row = rt.dispatcher.set_state(db.session, user, fields["state"], now)
            return {"state": row.state}
        return self._act_on(data, {"state": str}, action)

    def on_accept(self, data=None):
        def action(user, rt, now, fields):
            drafts.require_saved(db.session, user)
            call, join = rt.lifecycle.accept(db.session, user, fields["offer_id"], now,
                                             fields["device_ready"])
            return {"call_id": call.id, **({"join": join} if join else {})}
        return self._act_on(data, {"offer_id": int}, action, {"device_ready": (bool, True)})

    def on_rejoin(self, data=None):
        def action(user, rt, now, fields):
            join = rt.lifecycle.rejoin(db.session, user, fields["call_id"], now)
            return {"join": join} if join else {}
        return self._act_on(data, {"call_id": str}, action)

    def on_decline(self, data=None):
        def action(user, rt, now, fields):
            rt.dispatcher.decline(db.session, user, fields["offer_id"], now)
        return self._act_on(data, {"offer_id": int}, action)

    def on_hang_up(self, data=None):
        def action(user, rt, now, fields):
            rt.lifecycle.hang_up(db.session, user, fields["call_id"], now)
        return self._act_on(data, {"call_id": str}, action)
