"""Live-call state: what the carrier needs while a call lasts, and nothing after.

The carrier's call id (CallSid) identifies the caller to the carrier, so it never reaches the
database.  While the call lasts the IVR must still map it to the register entry; that map lives
here, with a time-to-live, and is deleted when the call ends.  The webhook URLs given to the
carrier carry a random *leg token*, not the register id, so the carrier's own logs cannot link
a register entry back to a call.

Two stores: Redis (``REDIS_URL``; shared by every web process; keep persistence off for this
database) and process memory (the embedded single-process default).
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class LiveLeg:
    leg: str
    call_id: str
    call_sid: str
    #: The call has ended: its webhooks are answered with a hang-up and change nothing.
    ended: bool = False


class LiveCallStore(Protocol):
    def begin(self, call_sid: str, call_id: str) -> tuple[LiveLeg, bool]:
        """Map ``call_sid`` to ``call_id`` unless mapped; returns (leg, created)."""

    def by_leg(self, leg: str) -> LiveLeg | None: ...

    def by_sid(self, call_sid: str) -> LiveLeg | None: ...

    def by_call(self, call_id: str) -> LiveLeg | None: ...

    def end(self, leg: LiveLeg) -> None:
        """Forget the carrier id; the leg token alone stays, marked ended, until it expires."""

    def join_token(self, call_id: str) -> str:
        """A short-lived random token with which a psychologist's browser joins the call."""

    def call_for_token(self, token: str) -> str | None: ...


#: Seconds a psychologist's join token is valid.
JOIN_TOKEN_SECONDS = 120


def new_leg_token() -> str:
    return secrets.token_urlsafe(18)


class MemoryLiveCallStore:
    """Process-memory store for the embedded, single-process deployment."""

    def __init__(self, ttl_seconds: int, monotonic=time.monotonic) -> None:
        self._ttl = ttl_seconds
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._by_sid: dict[str, tuple[float, LiveLeg]] = {}
        self._by_leg: dict[str, LiveLeg] = {}
        self._by_call: dict[str, LiveLeg] = {}
        self._ended: dict[str, tuple[float, LiveLeg]] = {}
        self._tokens: dict[str, tuple[float, str]] = {}

    def _expire(self) -> None:
        now = self._monotonic()
        for sid, (expires, leg) in list(self._by_sid.items()):
            if expires <= now:
                self._forget(sid, leg)
        for token, (expires, _leg) in list(self._ended.items()):
            if expires <= now:
                del self._ended[token]

    def _forget(self, sid: str, leg: LiveLeg) -> None:
        self._by_sid.pop(sid, None)
        self._by_leg.pop(leg.leg, None)
        self._by_call.pop(leg.call_id, None)
        self._ended.pop(leg.leg, None)

    def begin(self, call_sid: str, call_id: str) -> tuple[LiveLeg, bool]:
        with self._lock:
            self._expire()
            if call_sid in self._by_sid:
                return self._by_sid[call_sid][1], False
            leg = LiveLeg(leg=new_leg_token(), call_id=call_id, call_sid=call_sid)
            self._by_sid[call_sid] = (self._monotonic() + self._ttl, leg)
            self._by_leg[leg.leg] = leg
            self._by_call[call_id] = leg
            return leg, True

    def by_leg(self, leg: str) -> LiveLeg | None:
        with self._lock:
            self._expire()
            ended = self._ended.get(leg)
            return ended[1] if ended else self._by_leg.get(leg)

    def by_sid(self, call_sid: str) -> LiveLeg | None:
        with self._lock:
            self._expire()
            entry = self._by_sid.get(call_sid)
            return entry[1] if entry else None

    def by_call(self, call_id: str) -> LiveLeg | None:
        with self._lock:
            self._expire()
            return self._by_call.get(call_id)

    def end(self, leg: LiveLeg) -> None:
        with self._lock:
            self._forget(leg.call_sid, leg)
            tombstone = LiveLeg(leg=leg.leg, call_id=leg.call_id, call_sid="", ended=True)
            self._ended[leg.leg] = (self._monotonic() + self._ttl, tombstone)

    def join_token(self, call_id: str) -> str:
        token = new_leg_token()
        with self._lock:
            self._tokens[token] = (self._monotonic() + JOIN_TOKEN_SECONDS, call_id)
        return token

    def call_for_token(self, token: str) -> str | None:
        with self._lock:
            entry = self._tokens.get(token)
            if entry is None or entry[0] <= self._monotonic():
                self._tokens.pop(token, None)
                return None
            return entry[1]

    def __len__(self) -> int:
        with self._lock:
            self._expire()
            return len(self._by_sid)


class RedisLiveCallStore:
    """Redis store shared by all web processes; every key expires on its own."""

    PREFIX = "helpline:live:"

    def __init__(self, client, ttl_seconds: int) -> None:
        self._redis = client
        self._ttl = ttl_seconds

    def _key(self, kind: str, value: str) -> str:
        return f"{self.PREFIX}{kind}:{value}"

    def _load(self, key: str) -> LiveLeg | None:
        raw = self._redis.get(key)
        return LiveLeg(**json.loads(raw)) if raw else None

    def begin(self, call_sid: str, call_id: str) -> tuple[LiveLeg, bool]:
        leg = LiveLeg(leg=new_leg_token(), call_id=call_id, call_sid=call_sid)
        payload = json.dumps(leg.__dict__)
        if not self._redis.set(self._key("sid", call_sid), payload, nx=True, ex=self._ttl):
            existing = self._load(self._key("sid", call_sid))
            if existing is not None:
                return existing, False
        pipe = self._redis.pipeline()
        pipe.set(self._key("leg", leg.leg), payload, ex=self._ttl)
        pipe.set(self._key("call", call_id), payload, ex=self._ttl)
        pipe.execute()
        return leg, True

    def by_leg(self, leg: str) -> LiveLeg | None:
        return self._load(self._key("leg", leg))

    def by_sid(self, call_sid: str) -> LiveLeg | None:
        return self._load(self._key("sid", call_sid))

    def by_call(self, call_id: str) -> LiveLeg | None:
        return self._load(self._key("call", call_id))

    def join_token(self, call_id: str) -> str:
        token = new_leg_token()
        self._redis.set(self._key("join", token), call_id, ex=JOIN_TOKEN_SECONDS)
        return token

    def call_for_token(self, token: str) -> str | None:
        raw = self._redis.get(self._key("join", token))
        return raw.decode() if isinstance(raw, bytes) else raw

    def end(self, leg: LiveLeg) -> None:
        tombstone = LiveLeg(leg=leg.leg, call_id=leg.call_id, call_sid="", ended=True)
        pipe = self._redis.pipeline()
        pipe.delete(self._key("sid", leg.call_sid), self._key("call", leg.call_id))
        pipe.set(self._key("leg", leg.leg), json.dumps(tombstone.__dict__), ex=self._ttl)
        pipe.execute()


def make_store(redis_url: str, ttl_seconds: int) -> LiveCallStore:
    if redis_url:
        import redis

        return RedisLiveCallStore(redis.Redis.from_url(redis_url), ttl_seconds)
    return MemoryLiveCallStore(ttl_seconds)
