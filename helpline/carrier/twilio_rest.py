"""Twilio's REST API as the carrier control: redirect or complete the caller's leg, ask its status.

Every request has a timeout (connect and read) and gets at most ``attempts`` tries, with a short
growing pause between them, and only when trying again can help: no answer, a dropped
connection, HTTP 5xx or 429.  A 404 on a call (or Twilio's "call is not in progress") means the
caller is gone: that is an answer, not a failure, and is never retried.

The call's SID is in every request URL; it is never formatted into a log line or an error
message here, Twilio's own request logging is switched off, and urllib3's debug line for each
request (which holds the URL) is scrubbed at its logger, before any handler sees it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

import requests
from twilio.base.exceptions import TwilioException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from helpline.carrier.control import TWILIO_STATUSES, CallStatus, CarrierError, leg_status, leg_url, live_leg
from helpline.carrier.twilio_participants import CallGone, ConferenceParticipants
from helpline.privacy import scrub

logger = logging.getLogger(__name__)

T = TypeVar("T")

#: Twilio error code: "Call is not in-progress" (updating a call that has ended).
CALL_NOT_IN_PROGRESS = 21220
GONE_MESSAGE = "the caller is no longer on the line"


class _QuietHttpClient(TwilioHttpClient):
    """Twilio's HTTP client, without its request log: each logged URL would hold a CallSid."""

    def log_request(self, kwargs) -> None:
        return None

    def log_response(self, status_code, response) -> None:
        return None


class _ScrubRequestLines(logging.Filter):
    """urllib3 logs each request line (``POST /.../Calls/CA....json``) at DEBUG: scrub it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = scrub(record.getMessage())
        record.args = ()
        return True


def _scrub_urllib3_request_lines() -> None:
    pool_logger = logging.getLogger("urllib3.connectionpool")
    if not any(isinstance(f, _ScrubRequestLines) for f in pool_logger.filters):
        pool_logger.addFilter(_ScrubRequestLines())


TWILIO_API_BASE = "https://api.twilio.com"


def rest_client(account_sid: str, auth_token: str, *, api_key: str = "", api_secret: str = "",
                api_base: str = TWILIO_API_BASE, edge: str = "", region: str = "",
                timeout: float = 3.0) -> tuple[Client, _QuietHttpClient]:
    """Twilio's REST client and its HTTP client, built from the settings alone.

    An API key and secret are preferred to the account's auth token (a key can be revoked on its
    own).  Another ``api_base`` (a local stand-in in the tests) takes the Voice API and the Monitor
    API there; the edge and region apply only to Twilio's own hosts."""
    _scrub_urllib3_request_lines()
    http = _QuietHttpClient(timeout=timeout)
    own_hosts = api_base.rstrip("/") == TWILIO_API_BASE
    # The settings object is the only source of configuration: Twilio's client would
    # otherwise read TWILIO_REGION / TWILIO_EDGE from the process environment.
    placement = {"edge": edge or None, "region": region or None} if own_hosts else {}
    environment = {"TWILIO_REGION": "", "TWILIO_EDGE": ""}
    if api_key and api_secret:
        client = Client(api_key, api_secret, account_sid, http_client=http, environment=environment,
                        **placement)
    else:
        client = Client(account_sid, auth_token, http_client=http, environment=environment,
                        **placement)
    if not own_hosts:
        client.api.base_url = api_base.rstrip("/")
        client.monitor.base_url = api_base.rstrip("/")
    return client, http


class TwilioCarrierControl(ConferenceParticipants):
    """``CarrierControl`` over Twilio's REST API, with timeouts and bounded retries; supervisors
    on a call through the conference Participants resource (``ConferenceParticipants``)."""

    def __init__(self, account_sid: str, auth_token: str, live, base_url: str, *,
                 api_key: str = "", api_secret: str = "", api_base: str = TWILIO_API_BASE,
                 edge: str = "", region: str = "",
                 timeout: float = 3.0, attempts: int = 3, backoff_seconds: float = 0.25,
                 ring_seconds: int = 20, sleep: Callable[[float], None] = time.sleep) -> None:
        self._client, self._http = rest_client(
            account_sid, auth_token, api_key=api_key, api_secret=api_secret, api_base=api_base,
            edge=edge, region=region, timeout=timeout)
        self._live = live
        self._base = base_url
        self._attempts = max(1, attempts)
        self._backoff = backoff_seconds
        self._sleep = sleep
        self._ring_seconds = ring_seconds      # a colleague's browser rings as long as any offer

    def close(self) -> None:
        """Close pooled connections (tests, shutdown)."""
        if self._http.session is not None:
            self._http.session.close()

    # ------------------------------------------------------------ CarrierControl

    def redirect(self, call_id: str, path: str) -> None:
        leg = self._live_leg(call_id)
        if leg is None:
            raise CarrierError("the call is not live (no carrier leg is known for it)")
        url = leg_url(self._base, path, leg.leg)
        try:
            self._retrying("redirect the call",
                           lambda: self._client.calls(leg.call_sid).update(url=url, method="POST"))
        except CallGone:
            raise CarrierError(GONE_MESSAGE) from None

    def end_call(self, call_id: str) -> bool:
        leg = self._live_leg(call_id)
        if leg is None:
            return False
        try:
            self._retrying("end the call",
                           lambda: self._client.calls(leg.call_sid).update(status="completed"))
        except CallGone:
            return False
        return True

    def call_status(self, call_id: str) -> CallStatus:
        leg, known = leg_status(self._live, call_id)
        if known is not None:
            return known
        try:
            call = self._retrying("read the call's status", lambda: self._client.calls(leg.call_sid).fetch())
        except CallGone:
            return CallStatus.ENDED
        except CarrierError:
            return CallStatus.UNREACHABLE
        status = TWILIO_STATUSES.get(str(call.status or ""))
        if status is None:
            logger.warning("Call status: the carrier reported an unknown status")
            return CallStatus.UNREACHABLE
        return status

    def connect_agent(self, call_id: str, join_token: str) -> None:
        """Nothing to do: the psychologist's browser (Voice SDK) dials the TwiML App itself."""

    # ------------------------------------------------------------ internals

    def _live_leg(self, call_id: str):
        return live_leg(self._live, call_id)

    def _retrying(self, what: str, action: Callable[[], T]) -> T:
        """Run one REST request with bounded retries; the messages never contain the SID."""
        reason = ""
        for attempt in range(1, self._attempts + 1):
            try:
                return action()
            except TwilioException as exc:
                status = getattr(exc, "status", None)
                code = getattr(exc, "code", None)
                if status == 404 or code == CALL_NOT_IN_PROGRESS:
                    raise CallGone from None
                if not isinstance(status, int) or not (status == 429 or status >= 500):
                    raise CarrierError(f"the carrier refused to {what} (HTTP {status})") from None
                reason = f"HTTP {status}"
            except requests.Timeout:
                reason = "no answer in time"
            except requests.ConnectionError:
                reason = "could not connect"
            except requests.RequestException as exc:
                raise CarrierError(f"the carrier could not be asked to {what} "
                                   f"({type(exc).__name__})") from None
            except ValueError:  # an answer that is not Twilio's JSON
                reason = "an unreadable answer"
            logger.warning("Carrier: could not %s (attempt %d of %d: %s)", what, attempt,
                           self._attempts, reason)
            if attempt < self._attempts:
                self._sleep(self._backoff * attempt)
        raise CarrierError(f"the carrier did not {what} after {self._attempts} attempts ({reason})")
