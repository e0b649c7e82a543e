"""How the simulated carrier reaches the app: real HTTP (as Twilio does) or, in tests, any
object with the same two methods (the Flask test client, a fake returning chosen TwiML)."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from typing import Protocol


class Transport(Protocol):
    def post(self, url: str, params: dict[str, str], headers: dict[str, str]) -> tuple[int, str]:
        """POST a form; returns (status, body)."""

    def get(self, url: str) -> tuple[int, bytes]:
        """GET a media file; returns (status, body)."""


class HttpTransport:
    """Real HTTP to the app's public URL (as Twilio does)."""

    def __init__(self, timeout: float = 15.0) -> None:
        self.timeout = timeout

    def post(self, url: str, params: dict[str, str], headers: dict[str, str]) -> tuple[int, str]:
        data = urllib.parse.urlencode(params).encode()
        request = urllib.request.Request(url, data=data, headers=headers, method="POST")  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8", "replace")
        except OSError as exc:
            return 599, str(exc)

    def get(self, url: str) -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(url, timeout=self.timeout) as response:  # noqa: S310
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, b""
        except OSError:
            return 599, b""
