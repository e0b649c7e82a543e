"""Live-call state: what the carrier needs while a call lasts, and nothing after.

The carrier's call id (CallSid) identifies the caller to the carrier, so it never reaches the
database.  While the call lasts the IVR must still map it to the register entry; that map lives
here, with a time-to-live.  When the call ends the sid is forgotten: only a tombstone keyed by
its SHA-256 stays until the TTL, so late webhooks are recognised as belonging to an ended call.
The webhook URLs given to the carrier carry a random *leg token*, not the register id, so the
carrier's own logs cannot link a register entry back to a call.

Two stores: Redis (``REDIS_URL``; shared by every web process; keep persistence off for this
database) and process memory (the embedded single-process default).  With Redis, ``make_store``
wraps both in a ``ResilientLiveStore``: a caller must never be dropped because Redis is down, so
every operation falls back to process memory within a fraction of a second, and what memory
held is copied back into Redis when it answers again (``helpline.live_redis``).
"""

import hashlib
import heapq
import itertools
import math
import secrets
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
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
        """Map ``call_sid`` to ``call_id`` unless mapped (or ended); returns (leg, created)."""

    def adopt(self, leg: str, call_sid: str, call_id: str) -> tuple[LiveLeg, bool]:
        """Map a carrier-held leg token and sid to ``call_id`` unless either is known; (leg, created)."""

    def by_leg(self, leg: str) -> LiveLeg | None: ...

    def by_sid(self, call_sid: str) -> LiveLeg | None: ...

    def by_call(self, call_id: str) -> LiveLeg | None: ...

    def known_calls(self, call_ids: Iterable[str]) -> set[str] | None:
        """Which of ``call_ids`` have a live (not ended) mapping; None when it cannot be told
        (Redis unreachable: the calls may live in another process's memory)."""

    def end(self, leg: LiveLeg) -> None:
        """Forget the carrier id; the leg token and the sid's hash stay, marked ended, until they expire."""

    def join_token(self, call_id: str) -> str:
        """A short-lived random token with which a psychologist's browser joins the call."""

    def call_for_token(self, token: str) -> str | None: ...

    @property
    def healthy(self) -> bool:
        """False while the store is degraded (Redis unreachable)."""


#: Seconds a psychologist's join token is valid.
JOIN_TOKEN_SECONDS = 120


def new_leg_token() -> str:
    return secrets.token_urlsafe(18)


def sid_digest(call_sid: str) -> str:
    """The key of an ended call's tombstone: the sid itself must not outlive the call."""
    return hashlib.sha256(call_sid.encode()).hexdigest()


def tombstone_of(leg: LiveLeg) -> LiveLeg:
    return LiveLeg(leg=leg.leg, call_id=leg.call_id, call_sid="", ended=True)


@dataclass
class LiveState:
    """What a memory store holds, with the seconds each entry has left: copied into Redis on recovery."""

    live: list[tuple[LiveLeg, int]] = field(default_factory=list)
    ended_legs: list[tuple[LiveLeg, int]] = field(default_factory=list)
    ended_sids: list[tuple[str, LiveLeg, int]] = field(default_factory=list)
    tokens: list[tuple[str, str, int]] = field(default_factory=list)


class MemoryLiveCallStore:
    """Process-memory store for the embedded, single-process deployment (and Redis's fallback)."""

    def __init__(self, ttl_seconds: int, monotonic=time.monotonic) -> None:
        self._ttl = ttl_seconds
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._by_sid: dict[str, tuple[float, LiveLeg]] = {}
        self._by_leg: dict[str, LiveLeg] = {}
        self._by_call: dict[str, LiveLeg] = {}
        self._ended: dict[str, tuple[float, LiveLeg]] = {}        # leg token -> tombstone
        self._ended_sids: dict[str, tuple[float, LiveLeg]] = {}   # sid digest -> tombstone
        self._tokens: dict[str, tuple[float, str]] = {}
        #: (expiry, order, table, key) of every timed entry, soonest first: expiring costs only
        #: what expires, however many calls are held.
        self._due: list[tuple[float, int, str, str]] = []
        self._order = itertools.count()

    @property
    def healthy(self) -> bool:
        return True

    def _timed(self, table: str, key: str, expires: float, value: object, due_key: str = "") -> None:
        getattr(self, table)[key] = (expires, value)
        heapq.heappush(self._due, (expires, next(self._order), table, due_key or key))

    def _expire(self) -> None:
        now = self._monotonic()
        while self._due and self._due[0][0] <= now:
            expires, _order, table, key = heapq.heappop(self._due)
            if table == "_by_sid":          # a live call is due by its leg token: never its sid
                leg = self._by_leg.get(key)
                key = leg.call_sid if leg is not None else ""
            entry = getattr(self, table).get(key)
            if entry is None or entry[0] != expires:     # gone already, or set again since
                continue
            if table == "_by_sid":
                self._forget(key, entry[1])
            else:
                del getattr(self, table)[key]

    def _forget(self, sid: str, leg: LiveLeg) -> None:
        self._by_sid.pop(sid, None)
        self._by_leg.pop(leg.leg, None)
        self._by_call.pop(leg.call_id, None)
        self._ended.pop(leg.leg, None)

    def _find(self, call_sid: str, leg: str | None = None) -> LiveLeg | None:
        """The mapping (or tombstone) of ``call_sid``, else of the leg token ``leg``."""
        entry = self._by_sid.get(call_sid) or self._ended_sids.get(sid_digest(call_sid))
        if entry is not None:
            return entry[1]
        if leg is None:
            return None
        ended = self._ended.get(leg)
        return ended[1] if ended else self._by_leg.get(leg)

    def _map(self, leg: LiveLeg) -> None:
        self._timed("_by_sid", leg.call_sid, self._monotonic() + self._ttl, leg, due_key=leg.leg)
        self._by_leg[leg.leg] = leg
        self._by_call[leg.call_id] = leg

    def begin(self, call_sid: str, call_id: str) -> tuple[LiveLeg, bool]:
        with self._lock:
            self._expire()
            existing = self._find(call_sid)
            if existing is not None:
                return existing, False
            leg = LiveLeg(leg=new_leg_token(), call_id=call_id, call_sid=call_sid)
            self._map(leg)
            return leg, True

    def adopt(self, leg: str, call_sid: str, call_id: str) -> tuple[LiveLeg, bool]:
        with self._lock:
            self._expire()
            existing = self._find(call_sid, leg)
            if existing is not None:
                return existing, False
            adopted = LiveLeg(leg=leg, call_id=call_id, call_sid=call_sid)
            self._map(adopted)
            return adopted, True

    def by_leg(self, leg: str) -> LiveLeg | None:
        with self._lock:
            self._expire()
            ended = self._ended.get(leg)
            return ended[1] if ended else self._by_leg.get(leg)

    def by_sid(self, call_sid: str) -> LiveLeg | None:
        with self._lock:
            self._expire()
            return self._find(call_sid)

    def by_call(self, call_id: str) -> LiveLeg | None:
        with self._lock:
            self._expire()
            return self._by_call.get(call_id)

    def known_calls(self, call_ids: Iterable[str]) -> set[str]:
        with self._lock:
            self._expire()
            return {call_id for call_id in call_ids if call_id in self._by_call}

    def end(self, leg: LiveLeg) -> None:
        with self._lock:
            self._forget(leg.call_sid, leg)
            expires = self._monotonic() + self._ttl
            self._timed("_ended", leg.leg, expires, tombstone_of(leg))
            if leg.call_sid:
                self._timed("_ended_sids", sid_digest(leg.call_sid), expires, tombstone_of(leg))

    def join_token(self, call_id: str) -> str:
        token = new_leg_token()
        with self._lock:
            self._timed("_tokens", token, self._monotonic() + JOIN_TOKEN_SECONDS, call_id)
        return token

    def call_for_token(self, token: str) -> str | None:
        with self._lock:
            entry = self._tokens.get(token)
            if entry is None or entry[0] <= self._monotonic():
                self._tokens.pop(token, None)
                return None
            return entry[1]

    def export_state(self) -> LiveState:
        """Everything still held, for ``RedisLiveCallStore.merge``."""
        with self._lock:
            self._expire()
            now = self._monotonic()

            def left(expires: float) -> int:
                return max(1, math.ceil(expires - now))

            return LiveState(
                live=[(leg, left(expires)) for expires, leg in self._by_sid.values()],
                ended_legs=[(leg, left(expires)) for expires, leg in self._ended.values()],
                ended_sids=[(digest, leg, left(at)) for digest, (at, leg) in self._ended_sids.items()],
                tokens=[(token, call_id, left(at)) for token, (at, call_id) in self._tokens.items()],
            )

    def discard(self, state: LiveState) -> None:
        """Drop what ``state`` exported (now in Redis), keeping whatever changed since."""
        with self._lock:
            for leg, _left in state.live:
                if leg.call_sid in self._by_sid and self._by_sid[leg.call_sid][1] == leg:
                    self._forget(leg.call_sid, leg)
            for table, entries in ((self._ended, [(t.leg, t) for t, _left in state.ended_legs]),
                                   (self._ended_sids, [(d, t) for d, t, _left in state.ended_sids]),
                                   (self._tokens, [(token, c) for token, c, _left in state.tokens])):
                for key, value in entries:
                    if key in table and table[key][1] == value:
                        del table[key]

    def __len__(self) -> int:
        with self._lock:
            self._expire()
            return len(self._by_sid)
