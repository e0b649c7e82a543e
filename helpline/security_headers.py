"""Security headers on every response: a Content-Security-Policy without inline script, no
framing, no sniffing, no referrer, the microphone for the console only, HSTS in production,
and nothing of a contact record left in a shared cache.

Registered once in ``create_app``: an ``after_request`` hook gives Flask's responses (pages,
JSON, TwiML, files, error pages) the headers that depend on the request, and a small WSGI
wrapper gives what answers outside Flask (Socket.IO's long-polling) the same fixed set.
"""

from __future__ import annotations

import re
from functools import lru_cache

from flask import Flask, Response, request

#: Twilio Voice JS SDK 2.x (vendored in ``agent_console/static/vendor/``): signalling over
#: ``wss://voice-js.<edge>.twilio.com`` (``roaming`` first, then the edge the Device reached),
#: call-quality events POSTed to ``https://eventgw[.<region>].twilio.com``, and its ringing and
#: dial-tone sounds from ``https://sdk.twilio.com`` (fetched by XHR, or played by ``<audio>``).
#: The call's audio itself is WebRTC, which CSP does not govern.
TWILIO_CONNECT = ("wss://*.twilio.com", "https://*.twilio.com")
TWILIO_MEDIA = ("https://sdk.twilio.com",)

#: Endpoints serving files, which may be cached (they hold no contact record).
FILE_ENDPOINTS = {"static", "agent_console.static", "ivr.recorded_prompt"}
#: Pages that use the microphone: the console (the Twilio Voice Device). The simulator needs
#: none (the caller only listens: prompts through an audio element and speech synthesis).
MICROPHONE_ENDPOINTS = {"console.page"}

#: Features no page uses; ``microphone`` is added per page.
DENIED_FEATURES = ("accelerometer", "camera", "display-capture", "geolocation", "gyroscope",
                   "magnetometer", "payment", "usb")


@lru_cache(maxsize=32)   # a handful of hosts and two carriers: built once, not per request
def content_security_policy(websocket_origin: str, twilio: bool) -> str:
    """The policy: scripts and styles only from our own files (no inline script, no eval; the
    one inline style source left is the CSSOM, which Chart.js uses to size its canvases and CSP
    does not restrict), data only to ourselves (and Twilio when it carries the calls)."""
    connect = ["'self'", *filter(None, [websocket_origin]), *(TWILIO_CONNECT if twilio else ())]
    media = ["'self'", *(TWILIO_MEDIA if twilio else ())]
    directives = {
        "default-src": ["'none'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "media-src": media,
        "connect-src": connect,
        "manifest-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


@lru_cache(maxsize=2)
def permissions_policy(microphone: bool) -> str:
    features = [f"{name}=()" for name in DENIED_FEATURES]
    features.append("microphone=(self)" if microphone else "microphone=()")
    return ", ".join(sorted(features))


#: Headers the same on every response, whatever answers it.
FIXED_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}
HSTS = "max-age=31536000; includeSubDomains"
#: A host (name or address) and port, as the WebSocket source of ``connect-src``.
HOST = re.compile(r"[A-Za-z0-9.\-]+(:[0-9]{1,5})?|\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?")


def init_app(app: Flask) -> None:
    settings = app.extensions["helpline"].settings
    https = settings.public_base_url.startswith("https://")
    twilio = settings.carrier == "twilio"

    @app.after_request
    def security_headers(response: Response) -> Response:
        websocket = ("wss://" if https or request.is_secure else "ws://") + request.host
        if not HOST.fullmatch(request.host):      # a forged Host header adds nothing to the policy
            websocket = ""
        response.headers.update(FIXED_HEADERS)
        response.headers["Content-Security-Policy"] = content_security_policy(websocket, twilio)
        response.headers["Permissions-Policy"] = permissions_policy(
            request.endpoint in MICROPHONE_ENDPOINTS)
        if https:
            response.headers["Strict-Transport-Security"] = HSTS
        if request.endpoint not in FILE_ENDPOINTS or response.status_code >= 400:
            response.headers["Cache-Control"] = "no-store"
        return response

    app.wsgi_app = _EveryResponse(app.wsgi_app, https)


class _EveryResponse:
    """WSGI wrapper adding the fixed headers to responses Flask never sees (Socket.IO)."""

    def __init__(self, wsgi_app, https: bool) -> None:
        self.wsgi_app = wsgi_app
        self.extra = dict(FIXED_HEADERS)
        self.extra["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'none'"
        self.extra["Permissions-Policy"] = permissions_policy(microphone=False)
        self.extra["Cache-Control"] = "no-store"
        if https:
            self.extra["Strict-Transport-Security"] = HSTS

    def __call__(self, environ, start_response):
        def start(status, headers, exc_info=None):
            if not any(name.lower() == "content-security-policy" for name, _ in headers):
                headers = [*headers, *self.extra.items()]       # not one of Flask's responses
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, start)
