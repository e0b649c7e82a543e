"""The signed-cookie session, never opened for the carrier's webhooks.

A webhook comes from Twilio, not from a person: it has no session cookie and must not get one.
Skipping the session there saves reading and signing a cookie on every step of every call.
"""

from __future__ import annotations

from flask.sessions import SecureCookieSessionInterface

#: Paths the carrier calls (``ivr`` blueprint): no staff session there.
CARRIER_PATHS = ("/ivr/",)


class StaffSessions(SecureCookieSessionInterface):
    def open_session(self, app, request):
        if request.path.startswith(CARRIER_PATHS):
            return None          # Flask's null session: readable, empty, never saved
        return super().open_session(app, request)
