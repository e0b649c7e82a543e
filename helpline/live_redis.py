"""The Redis live-call store, shared by every web process, and its process-memory fallback
(``helpline.live`` says what is kept and why).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import TypeVar

from redis.exceptions import RedisError

from helpline.live import (
    JOIN_TOKEN_SECONDS,
    LiveCallStore,
    LiveLeg,
    LiveState,
    MemoryLiveCallStore,
    new_leg_token,
    sid_digest,
    tombstone_of,
)

logger = logging.getLogger(__name__)

T = TypeVar("T")

#: Seconds a webhook may wait on one Redis connect or reply before the store falls back to memory.
REDIS_TIMEOUT_SECONDS = 0.3

#: While Redis is unreachable, try it again no more often than this.
REDIS_RETRY_SECONDS = 5.0


class RedisLiveCallStore:
    """Redis store shared by all web processes; every key expires on its own.

    Keys: ``sid:<sha256 of sid>``, ``leg:<token>`` and ``call:<id>`` hold the mapping while the call
    lasts; at the end the first two are overwritten with a tombstone and the third is deleted.
    """

    PREFIX = "helpline:live:"

    def __init__(self, client, ttl_seconds: int) -> None:
        self._redis = client
        self._ttl = ttl_seconds

    def _key(self, kind: str, value: str) -> str:
        return f"{self.PREFIX}{kind}:{value}"

    def _sid_key(self, call_sid: str) -> str:
        return self._key("sid", sid_digest(call_sid))

    @staticmethod
    def _parse(raw) -> LiveLeg | None:
        return LiveLeg(**json.loads(raw)) if raw else None

    def _load(self, key: str) -> LiveLeg | None:
        return self._parse(self._redis.get(key))

    def _claim(self, leg: LiveLeg) -> LiveLeg | None:
        """Map ``leg`` unless its sid is taken; returns the existing mapping if it was."""
        payload = json.dumps(leg.__dict__)
        if not self._redis.set(self._sid_key(leg.call_sid), payload, nx=True, ex=self._ttl):
            existing = self._load(self._sid_key(leg.call_sid))
            if existing is not None:
                return existing
        pipe = self._redis.pipeline()
        pipe.set(self._sid_key(leg.call_sid), payload, ex=self._ttl)
        pipe.set(self._key("leg", leg.leg), payload, ex=self._ttl)
        pipe.set(self._key("call", leg.call_id), payload, ex=self._ttl)
        pipe.execute()
        return None

    def begin(self, call_sid: str, call_id: str) -> tuple[LiveLeg, bool]:
        leg = LiveLeg(leg=new_leg_token(), call_id=call_id, call_sid=call_sid)
        existing = self._claim(leg)
        return (existing, False) if existing is not None else (leg, True)

    def adopt(self, leg: str, call_sid: str, call_id: str) -> tuple[LiveLeg, bool]:
        by_sid, by_leg = self._redis.mget([self._sid_key(call_sid), self._key("leg", leg)])
        existing = self._parse(by_sid) or self._parse(by_leg)
        if existing is not None:
            return existing, False
        adopted = LiveLeg(leg=leg, call_id=call_id, call_sid=call_sid)
        existing = self._claim(adopted)
        return (existing, False) if existing is not None else (adopted, True)

    def by_leg(self, leg: str) -> LiveLeg | None:
        return self._load(self._key("leg", leg))

    def by_sid(self, call_sid: str) -> LiveLeg | None:
        return self._load(self._sid_key(call_sid))

    def by_call(self, call_id: str) -> LiveLeg | None:
        return self._load(self._key("call", call_id))

    def known_calls(self, call_ids: Iterable[str]) -> set[str]:
        ids = list(call_ids)
        if not ids:
            return set()
        raws = self._redis.mget([self._key("call", call_id) for call_id in ids])
        return {call_id for call_id, raw in zip(ids, raws, strict=True)
                if (leg := self._parse(raw)) is not None and not leg.ended}

    def join_token(self, call_id: str) -> str:
        token = new_leg_token()
        self._redis.set(self._key("join", token), call_id, ex=JOIN_TOKEN_SECONDS)
        return token

    def call_for_token(self, token: str) -> str | None:
        raw = self._redis.get(self._key("join", token))
        return raw.decode() if isinstance(raw, bytes) else raw

    def end(self, leg: LiveLeg) -> None:
        tombstone = json.dumps(tombstone_of(leg).__dict__)
        pipe = self._redis.pipeline()
        if leg.call_sid:
            pipe.set(self._sid_key(leg.call_sid), tombstone, ex=self._ttl)
        pipe.delete(self._key("call", leg.call_id))
        pipe.set(self._key("leg", leg.leg), tombstone, ex=self._ttl)
        pipe.execute()

    def merge(self, state: LiveState) -> None:
        """Copy what memory held during an outage into Redis; one read and one write round trip.

        Memory's mappings are the app's latest decisions and overwrite Redis's, except that a call
        Redis knows as ended stays ended.
        """
        sid_keys = [self._sid_key(leg.call_sid) for leg, _left in state.live]
        current = self._redis.mget(sid_keys) if sid_keys else []
        pipe = self._redis.pipeline(transaction=False)
        for (leg, left), raw in zip(state.live, current, strict=True):
            there = self._parse(raw)
            if there is not None and there.ended:
                continue
            if there is not None and there.call_id != leg.call_id:
                pipe.delete(self._key("call", there.call_id))
            payload = json.dumps(leg.__dict__)
            pipe.set(self._sid_key(leg.call_sid), payload, ex=left)
            pipe.set(self._key("leg", leg.leg), payload, ex=left)
            pipe.set(self._key("call", leg.call_id), payload, ex=left)
        for tombstone, left in state.ended_legs:
            pipe.set(self._key("leg", tombstone.leg), json.dumps(tombstone.__dict__), ex=left)
            pipe.delete(self._key("call", tombstone.call_id))
        for digest, tombstone, left in state.ended_sids:
            pipe.set(self._key("sid", digest), json.dumps(tombstone.__dict__), ex=left)
        for token, call_id, left in state.tokens:
            pipe.set(self._key("join", token), call_id, ex=left, nx=True)
        pipe.execute()

    def ping(self) -> None:
        """Raises ``RedisError`` unless Redis answers."""
        self._redis.ping()

    @property
    def healthy(self) -> bool:
        try:
            self.ping()
        except RedisError:
            return False
        return True

    def close(self) -> None:
        self._redis.close()


#: Returned by ``ResilientLiveStore._on_redis`` when Redis was not (or could not be) used.
_DOWN = object()


class ResilientLiveStore:
    """Redis first; process memory while Redis is unreachable, so no webhook fails because of it.

    A failing Redis call marks the store degraded (one warning per outage); Redis is then tried
    again at most every ``retry_seconds``, by one request while the others use memory.  When it
    answers, what memory holds is moved into it so that other processes find it too.  Lookups
    ask Redis, then memory.
    """

    def __init__(self, primary: RedisLiveCallStore, fallback: MemoryLiveCallStore, *,
                 retry_seconds: float = REDIS_RETRY_SECONDS, monotonic=time.monotonic) -> None:
        self._primary = primary
        self._fallback = fallback
        self._retry_seconds = retry_seconds
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._degraded = False
        self._probing = False
        self._retry_at = 0.0

    def _on_redis(self, operation: Callable[[RedisLiveCallStore], T]) -> T | object:
        """``operation``'s result, or ``_DOWN`` if Redis is degraded or has just failed."""
        with self._lock:
            recovering = self._degraded
            if recovering:
                now = self._monotonic()
                if self._probing or now < self._retry_at:
                    return _DOWN
                self._probing, self._retry_at = True, now + self._retry_seconds   # others use memory
        try:
            if recovering:
                self._move_memory_to_redis()
            result = operation(self._primary)
        except RedisError as error:
            self._went_down(error)
            return _DOWN
        finally:
            if recovering:
                with self._lock:
                    self._probing = False
        if recovering:
            with self._lock:
                self._degraded = False
            try:
                self._move_memory_to_redis()   # what other requests put there during the probe
            except RedisError as error:
                self._went_down(error)
            else:
                logger.info("Live-call store: Redis answers again; what memory held is copied back")
        return result

    def _move_memory_to_redis(self) -> None:
        state = self._fallback.export_state()
        if state.live or state.ended_legs or state.ended_sids or state.tokens:
            self._primary.merge(state)
            self._fallback.discard(state)

    def _went_down(self, error: RedisError) -> None:
        with self._lock:
            self._retry_at = self._monotonic() + self._retry_seconds
            if self._degraded:
                return
            self._degraded = True
        logger.warning("Live-call store: Redis is unreachable (%s); live calls are kept in this "
                       "process's memory until it answers", type(error).__name__)

    def _lookup(self, operation: Callable[[RedisLiveCallStore | MemoryLiveCallStore], T | None]) -> T | None:
        found = self._on_redis(operation)
        return operation(self._fallback) if found is _DOWN or found is None else found

    def begin(self, call_sid: str, call_id: str) -> tuple[LiveLeg, bool]:
        existing = self._fallback.by_sid(call_sid)   # mapped in memory during an outage
        if existing is not None:
            return existing, False
        result = self._on_redis(lambda redis: redis.begin(call_sid, call_id))
        return self._fallback.begin(call_sid, call_id) if result is _DOWN else result

    def adopt(self, leg: str, call_sid: str, call_id: str) -> tuple[LiveLeg, bool]:
        existing = self._fallback.by_sid(call_sid) or self._fallback.by_leg(leg)
        if existing is not None:
            return existing, False
        result = self._on_redis(lambda redis: redis.adopt(leg, call_sid, call_id))
        return self._fallback.adopt(leg, call_sid, call_id) if result is _DOWN else result

    def by_leg(self, leg: str) -> LiveLeg | None:
        return self._lookup(lambda store: store.by_leg(leg))

    def by_sid(self, call_sid: str) -> LiveLeg | None:
        return self._lookup(lambda store: store.by_sid(call_sid))

    def by_call(self, call_id: str) -> LiveLeg | None:
        return self._lookup(lambda store: store.by_call(call_id))

    def known_calls(self, call_ids: Iterable[str]) -> set[str] | None:
        """None while Redis cannot be asked: another process may hold the calls in its memory,
        so nobody can tell which calls are gone."""
        ids = list(call_ids)
        known = self._on_redis(lambda redis: redis.known_calls(ids))
        if known is _DOWN:
            return None
        return known | self._fallback.known_calls(call_id for call_id in ids if call_id not in known)

    def end(self, leg: LiveLeg) -> None:
        if self._on_redis(lambda redis: redis.end(leg)) is _DOWN or self._fallback.by_leg(leg.leg):
            self._fallback.end(leg)

    def join_token(self, call_id: str) -> str:
        token = self._on_redis(lambda redis: redis.join_token(call_id))
        return self._fallback.join_token(call_id) if token is _DOWN else token

    def call_for_token(self, token: str) -> str | None:
        return self._lookup(lambda store: store.call_for_token(token))

    @property
    def healthy(self) -> bool:
        """False while degraded; reading it when a retry is due tries Redis (at most every few seconds)."""
        if self._degraded:
            self._on_redis(lambda redis: redis.ping())
        return not self._degraded

    def close(self) -> None:
        self._primary.close()


def redis_client(redis_url: str):
    """A client that gives up after ``REDIS_TIMEOUT_SECONDS`` and never retries: the fallback is the retry."""
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    return redis.Redis.from_url(redis_url, socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
                                socket_timeout=REDIS_TIMEOUT_SECONDS, retry=Retry(NoBackoff(), 0))


def make_store(redis_url: str, ttl_seconds: int) -> LiveCallStore:
    """Redis with a process-memory fallback when ``redis_url`` is set, else process memory alone."""
    if redis_url:
        primary = RedisLiveCallStore(redis_client(redis_url), ttl_seconds)
        return ResilientLiveStore(primary, MemoryLiveCallStore(ttl_seconds))
    return MemoryLiveCallStore(ttl_seconds)
