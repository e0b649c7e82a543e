"""Known devices (OWASP's "device cookie"): a browser someone has signed in from is remembered
in a long-lived signed cookie naming (account id, random nonce).  A password attempt for that
account from that browser is counted against the device's own counter, not the account's, so
nobody can keep an account's delays up from elsewhere and shut its owner out; a stolen cookie
still meets the same growing delays on its own counter (``accounts.start_sign_in``).

The cookie holds no username and nothing secret: only ids, nonces and when they were given
(the app's clock), signed with ``SECRET_KEY``.  One browser shared at a centre remembers the last
few people who signed in on it.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import after_this_request, current_app, request
from itsdangerous import BadData, URLSafeSerializer

from helpline.runtime import current_runtime

COOKIE = "senim_device"
#: How long a browser stays known after the last sign-in from it.
LIFETIME = timedelta(days=180)
#: People remembered per browser (a shared computer at a centre).
KEEP = 8


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_runtime().settings.secret_key, salt="senim-known-device")


def _entries() -> list[tuple[int, str, int]]:
    raw = request.cookies.get(COOKIE)
    if not raw or len(raw) > 4000:
        return []
    try:
        value = _serializer().loads(raw)
    except BadData:
        return []
    oldest = (current_runtime().clock.now() - LIFETIME).timestamp()
    entries = []
    for entry in value if isinstance(value, list) else []:
        if (isinstance(entry, list) and len(entry) == 3 and type(entry[0]) is int
                and isinstance(entry[1], str) and type(entry[2]) is int and entry[2] >= oldest):
            entries.append((entry[0], entry[1], entry[2]))
    return entries[:KEEP]


def presented() -> dict[int, str]:
    """The known-device nonces this browser presents, by account id (valid and not too old)."""
    return {user_id: nonce for user_id, nonce, _given in _entries()}


def remember(user_id: int) -> None:
    """A sign-in completed: this browser is (again) a known device for the person, under a fresh
    nonce; the cookie is set on this request's response."""
    given = int(current_runtime().clock.now().timestamp())
    others = [list(entry) for entry in _entries() if entry[0] != user_id][:KEEP - 1]
    value = _serializer().dumps([[user_id, secrets.token_urlsafe(16), given], *others])
    secure = bool(current_app.config.get("SESSION_COOKIE_SECURE")) or request.is_secure

    @after_this_request
    def _set(response):
        response.set_cookie(COOKIE, value, max_age=int(LIFETIME.total_seconds()), path="/",
                            httponly=True, secure=secure, samesite="Lax")
        return response
