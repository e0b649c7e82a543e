"""The web side of staff sessions: the cookie names a server-side session
(``helpline.services.sessions``), which every request, Socket.IO connection and Socket.IO event
checks; where a finished session's sockets are told and closed; and where sign-in may send
the person next."""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

from flask import request, session

from helpline.extensions import db, socketio
from helpline.runtime import current_runtime
from helpline.services import sessions
from helpline.uow import unit_of_work

#: Key of the session id in Flask's (signed) cookie.
SESSION_KEY = "staff_session"
NAMESPACE = "/console"

#: Socket.IO events that are the person's doing; the console's heartbeat and (re)connects are
#: not, so a console left open with nobody at it idles out like a page does.
ACTIVITY_EVENTS = frozenset({"set_state", "accept", "decline", "hang_up", "rejoin"})

_CHECKED = "helpline_staff_session"
_UNSAFE = re.compile(r"[\x00-\x20\x7f\\]")


#: Header a page's script sets on requests it makes by itself (refreshing a token or a list):
#: they are not the person's doing, so they never keep an unattended console signed in.
BACKGROUND_HEADER = "X-Helpline-Background"


def _is_activity() -> bool:
    event = getattr(request, "event", None)
    if event is None:                     # an HTTP request: a page, a form, a console script's save
        return request.headers.get(BACKGROUND_HEADER) != "1"
    return event.get("message") in ACTIVITY_EVENTS


def live_session() -> tuple[int, int] | None:
    """(session id, user id) of the live server-side session this request's cookie names
    (checked once per request or socket event), or None; an idle or too old one is ended on
    the way."""
    if not hasattr(request, _CHECKED):                  # per request, and per socket event
        setattr(request, _CHECKED, None)
        token = session.get(SESSION_KEY)
        if token:
            rt = current_runtime()
            with unit_of_work(db.session):
                row = sessions.check(db.session, token, rt.clock.now(),
                                     idle_minutes=rt.settings.idle_logout_minutes,
                                     max_hours=rt.settings.session_max_hours, activity=_is_activity())
                if row is not None:
                    setattr(request, _CHECKED, (row.id, row.user_id))
    return getattr(request, _CHECKED)


def live_user_id() -> int | None:
    live = live_session()
    return None if live is None else live[1]


def session_room() -> str | None:
    live = live_session()
    return None if live is None else sessions.room(live[0])


def end_reason() -> str | None:
    """Why this cookie's session ended (None when it names none)."""
    row = sessions.find(db.session, session.get(SESSION_KEY))
    return None if row is None else row.end_reason


def keep_language() -> None:
    """Before saying "you are signed out": keep the person's language for this session (they are
    no longer signed in, so the locale would otherwise fall back to the browser's)."""
    from flask_babel import refresh

    from helpline.models import User

    user_id = session.get("_user_id")
    if session.get("lang") is None and isinstance(user_id, str) and user_id.isdigit():
        user = db.session.get(User, int(user_id))
        if user is not None:
            session["lang"] = user.ui_language
            refresh()


def safe_next(target: str | None) -> str | None:
    """``target`` when it is a path on this site, else None: no scheme, no host, no ``//`` or
    backslash, no control characters or whitespace anywhere, before or after percent-decoding."""
    if not target or not isinstance(target, str) or len(target) > 2000:
        return None
    decoded = unquote(target)
    for text in (target, decoded):
        if _UNSAFE.search(text) or not text.startswith("/") or text.startswith("//"):
            return None
        parts = urlsplit(text)
        if parts.scheme or parts.netloc:
            return None
    return target


def _close_sockets(session_ids: list[int]) -> None:
    """Tell every socket of these sessions, in every process, that it is signed out, and close
    those connected to this process (a client that ignores the word is refused at its next event)."""
    for session_id in session_ids:
        room = sessions.room(session_id)
        socketio.emit("session_ended", {}, to=room, namespace=NAMESPACE)
        for sid, _eio_sid in list(socketio.server.manager.get_participants(NAMESPACE, room)):
            socketio.server.disconnect(sid, namespace=NAMESPACE)


def _sessions_ended(session_ids: list[int]) -> None:
    socketio.start_background_task(_close_sockets, list(session_ids))


def init_app() -> None:
    sessions.on_ended(_sessions_ended)
