"""Twilio forgets the call: ended calls' records are deleted from the account's call log.

Twilio's call log keeps each call's ``From``, CallSid, start time and duration; with the register's
start time and dialled line that would name the caller of any contact record.  The line never
stores a CallSid at rest, so it cannot delete "its" calls by id later: each sweep lists the
account's calls that ended before a grace period, keeps those to the centres' numbers and the
psychologists' browser legs (``client:...``), and deletes each one
(``DELETE /2010-04-01/Accounts/{AccountSid}/Calls/{Sid}.json``).  Twilio refuses to delete a call
it has not finalised (error 20009, sometimes for days): such a call is simply found again by the
next sweep.  Nothing here writes a SID into a log line, an error or the returned counts.

Twilio's debugger alerts (Monitor API) keep a request's parameters, ``From`` included, for 30
days; the Monitor API has no DELETE for alerts (twilio-oai ``twilio_monitor_v1``), so a sweep can
only count them for the administrators.  Queues the line's ``<Enqueue>`` creates are named per
centre (``centre-<id>``), hold no caller's identity, and are reused: they are left alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import requests
from twilio.base.exceptions import TwilioException

from helpline.carrier.twilio_rest import rest_client

#: Twilio error code: the resource cannot be deleted before it is complete (not finalised yet).
NOT_FINAL = 20009
#: Twilio call statuses that mean the call is over.
ENDED = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})
#: Calls looked at in one sweep at most (the next sweep goes on where this one stopped).
SWEEP_LIMIT = 1000


@dataclass(frozen=True)
class PurgeCounts:
    """What one sweep did: counts only."""

    deleted: int = 0
    not_final: int = 0
    failed: int = 0
    #: Debugger alerts still kept at the provider (None: they could not be read).
    alerts_kept: int | None = None
    #: Why the calls could not be listed, in words with no id; empty when they could.
    error: str = ""

    def summary(self) -> str:
        alerts = "unknown" if self.alerts_kept is None else str(self.alerts_kept)
        text = (f"{self.deleted} call records deleted at the provider, {self.not_final} not final "
                f"yet, {self.failed} failed; {alerts} debugger alerts kept by the provider")
        return f"{text}; {self.error}" if self.error else text


def is_ours(to_number: str | None, from_number: str | None, numbers: frozenset[str]) -> bool:
    """A call to one of the centres' numbers, or a psychologist's browser leg (Voice SDK)."""
    return (to_number or "") in numbers or (from_number or "").startswith("client:")


class TwilioPurge:
    """Sweeps the Twilio account's call log and debugger alerts (see the module's docstring)."""

    def __init__(self, account_sid: str, auth_token: str, *, grace_seconds: int,
                 api_key: str = "", api_secret: str = "", api_base: str = "https://api.twilio.com",
                 edge: str = "", region: str = "", timeout: float = 10.0) -> None:
        self._client, self._http = rest_client(
            account_sid, auth_token, api_key=api_key, api_secret=api_secret, api_base=api_base,
            edge=edge, region=region, timeout=timeout)
        self._grace = timedelta(seconds=grace_seconds)

    def close(self) -> None:
        if self._http.session is not None:
            self._http.session.close()

    def sweep(self, numbers: Iterable[str], now: datetime) -> PurgeCounts:
        """Delete every ended call of ours that ended before ``now`` minus the grace period."""
        cutoff = now - self._grace
        numbers = frozenset(numbers)
        try:
            calls = self._client.calls.list(end_time_before=cutoff, limit=SWEEP_LIMIT)
        except (TwilioException, requests.RequestException, ValueError) as exc:
            return PurgeCounts(alerts_kept=self._alerts_kept(),
                               error=f"the provider did not list its calls ({_reason(exc)})")
        deleted = not_final = failed = 0
        for call in calls:
            if str(call.status or "") not in ENDED or call.end_time is None or call.end_time > cutoff:
                continue
            if not is_ours(call.to, call._from, numbers):   # the client names it _from
                continue
            outcome = self._delete(call.sid)
            deleted += outcome == "deleted"
            not_final += outcome == "not final"
            failed += outcome == "failed"
        return PurgeCounts(deleted=deleted, not_final=not_final, failed=failed,
                           alerts_kept=self._alerts_kept())

    def _delete(self, sid: str) -> str:
        try:
            self._client.calls(sid).delete()
        except TwilioException as exc:
            if getattr(exc, "status", None) == 404:
                return "deleted"         # already gone: nothing of it is left to delete
            if getattr(exc, "code", None) == NOT_FINAL:
                return "not final"
            return "failed"
        except (requests.RequestException, ValueError):
            return "failed"
        return "deleted"

    def _alerts_kept(self) -> int | None:
        """How many debugger alerts the account holds (they cannot be deleted through the API)."""
        try:
            return len(self._client.monitor.v1.alerts.list(limit=SWEEP_LIMIT))
        except (TwilioException, requests.RequestException, ValueError):
            return None


def _reason(exc: Exception) -> str:
    """A failure in words, never the request's URL (it could hold an id)."""
    status = getattr(exc, "status", None)
    if isinstance(status, int):
        return f"HTTP {status}"
    if isinstance(exc, requests.Timeout):
        return "no answer in time"
    if isinstance(exc, requests.ConnectionError):
        return "could not connect"
    return type(exc).__name__
