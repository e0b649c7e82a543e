"""The live-call store: the same behaviour in memory and in a real Redis, and through a Redis outage."""

from __future__ import annotations

import logging
import time

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError

from helpline.live import MemoryLiveCallStore, sid_digest
from helpline.live_redis import RedisLiveCallStore, ResilientLiveStore, make_store, redis_client
from tests.conftest import wait_until
from tests.fixtures_redis import redis_server  # noqa: F401 (the fixture, until conftest loads the plugin)

TTL = 60
SID = "CA" + "0123456789abcdef" * 2
OTHER_SID = "CA" + "fedcba9876543210" * 2
THIRD_SID = "CA" + "00112233445566778899aabbccddeeff"


class Ticks:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def ticks() -> Ticks:
    return Ticks()


@pytest.fixture
def clients(redis_server):  # noqa: F811
    """Redis clients configured as in production; closed after the test."""
    made = []

    def connect():
        made.append(redis_client(redis_server.url))
        return made[-1]

    yield connect
    for client in made:
        client.close()


def resilient(connect, ticks) -> ResilientLiveStore:
    """A store as one web process holds it: Redis with its own memory fallback."""
    return ResilientLiveStore(RedisLiveCallStore(connect(), TTL), MemoryLiveCallStore(TTL, monotonic=ticks),
                              monotonic=ticks)


@pytest.fixture(params=["memory", "redis", "resilient"])
def store(request, ticks):
    if request.param == "memory":
        return MemoryLiveCallStore(TTL, monotonic=ticks)
    connect = request.getfixturevalue("clients")
    if request.param == "redis":
        return RedisLiveCallStore(connect(), TTL)
    return resilient(connect, ticks)


def everything_stored(store) -> str:
    """Every key and value the store holds, as text."""
    parts = []
    for part in (store, getattr(store, "_primary", None), getattr(store, "_fallback", None)):
        if isinstance(part, MemoryLiveCallStore):
            parts.append(repr(vars(part)))
        elif isinstance(part, RedisLiveCallStore):
            client = part._redis
            keys = client.keys("*")
            parts += [raw.decode() for raw in keys + (client.mget(keys) if keys else [])]
    return "\n".join(parts)


def live_store_warnings(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "helpline.live_redis" and r.levelno >= logging.WARNING]


# The same behaviour from every store.

def test_begin_maps_a_sid_once_and_finds_it_every_way(store):
    leg, created = store.begin(SID, "call-1")
    again, created_again = store.begin(SID, "call-1b")
    assert created and not created_again and again == leg
    assert leg.call_sid == SID and leg.call_id == "call-1" and not leg.ended
    assert store.by_leg(leg.leg) == leg and store.by_sid(SID) == leg and store.by_call("call-1") == leg
    assert store.by_leg("unknown") is None and store.by_sid(OTHER_SID) is None and store.by_call("x") is None
    assert store.healthy


def test_end_forgets_the_sid_and_leaves_tombstones(store):
    leg, _ = store.begin(SID, "call-1")
    store.end(leg)
    tombstone = store.by_sid(SID)
    assert tombstone == store.by_leg(leg.leg)
    assert tombstone.ended and tombstone.call_sid == "" and tombstone.call_id == "call-1"
    assert store.by_call("call-1") is None
    stored = everything_stored(store)
    assert SID not in stored and sid_digest(SID) in stored


def test_an_ended_call_stays_ended(store):
    leg, _ = store.begin(SID, "call-1")
    store.end(leg)
    store.end(store.by_leg(leg.leg))           # a late status callback ends the tombstone again
    for found, created in (store.begin(SID, "call-2"), store.adopt(leg.leg, SID, "call-3"),
                           store.adopt("another-leg", SID, "call-4")):
        assert found.ended and found.call_id == "call-1" and not created
    assert store.known_calls(["call-1", "call-2", "call-3", "call-4"]) == set()
    assert SID not in everything_stored(store)


def test_adopt_maps_the_carriers_leg_token_to_a_new_call(store):
    adopted, created = store.adopt("leg-from-url", SID, "call-9")
    assert created and adopted == store.by_leg("leg-from-url") == store.by_sid(SID) == store.by_call("call-9")
    assert adopted.leg == "leg-from-url" and adopted.call_sid == SID and adopted.call_id == "call-9"


def test_adopt_returns_the_existing_mapping_of_the_sid_or_the_leg(store):
    begun, _ = store.begin(SID, "call-1")
    assert store.adopt("leg-from-url", SID, "call-9") == (begun, False)
    assert store.adopt(begun.leg, OTHER_SID, "call-9") == (begun, False)
    assert store.by_call("call-9") is None and store.by_sid(OTHER_SID) is None


def test_known_calls_are_the_live_ones(store):
    first, _ = store.begin(SID, "call-1")
    store.begin(OTHER_SID, "call-2")
    store.adopt("leg-from-url", THIRD_SID, "call-3")
    store.end(first)
    assert store.known_calls(iter(["call-1", "call-2", "call-3", "call-4"])) == {"call-2", "call-3"}
    assert store.known_calls([]) == set()


def test_join_tokens_name_the_call(store):
    token = store.join_token("call-1")
    assert store.call_for_token(token) == "call-1" and store.call_for_token("forged") is None


# One store at a time.

def test_memory_tombstones_expire_with_the_ttl(ticks):
    store = MemoryLiveCallStore(TTL, monotonic=ticks)
    leg, _ = store.begin(SID, "call-1")
    store.end(leg)
    ticks.now += TTL + 1
    assert store.by_sid(SID) is None and store.by_leg(leg.leg) is None
    assert sid_digest(SID) not in everything_stored(store)


def test_memory_live_calls_expire_each_at_its_own_time(ticks):
    store = MemoryLiveCallStore(TTL, monotonic=ticks)
    first, _ = store.begin(SID, "call-1")
    ticks.now += TTL / 2
    second, _ = store.begin(SID[::-1], "call-2")
    ticks.now += TTL / 2                     # the first call's time is up, not the second's
    assert store.by_leg(first.leg) is None and store.by_call("call-1") is None
    assert SID not in everything_stored(store)
    assert store.by_sid(SID[::-1]) == second and store.known_calls(["call-1", "call-2"]) == {"call-2"}
    ticks.now += TTL / 2
    assert len(store) == 0


def test_redis_asks_for_known_calls_in_one_mget(clients):
    class Counting:
        def __init__(self, client) -> None:
            self.client, self.commands = client, []

        def __getattr__(self, name):
            self.commands.append(name)
            return getattr(self.client, name)

    counting = Counting(clients())
    store = RedisLiveCallStore(counting, TTL)
    store.begin(SID, "call-1")
    counting.commands.clear()
    assert store.known_calls(f"call-{n}" for n in range(50)) == {"call-1"}
    assert counting.commands == ["mget"]


def test_redis_keeps_no_raw_sid_in_its_keys(clients):
    store = RedisLiveCallStore(clients(), TTL)
    store.begin(SID, "call-1")
    assert all(SID not in key.decode() for key in store._redis.keys("*"))


def test_merging_memory_into_redis_keeps_ended_calls_ended_and_takes_memorys_mappings(clients, ticks):
    redis = RedisLiveCallStore(clients(), TTL)
    ended, _ = redis.begin(SID, "call-1")
    redis.end(ended)
    redis.begin(OTHER_SID, "call-2")
    memory = MemoryLiveCallStore(TTL, monotonic=ticks)
    memory.begin(SID, "call-3")                                   # Redis knows this call has ended
    adopted, _ = memory.adopt("leg-from-url", OTHER_SID, "call-4")  # the IVR's later decision
    token = memory.join_token("call-4")
    state = memory.export_state()
    redis.merge(state)
    memory.discard(state)
    assert redis.by_sid(SID).ended and redis.by_call("call-3") is None
    assert redis.by_sid(OTHER_SID) == redis.by_call("call-4") == redis.by_leg("leg-from-url") == adopted
    assert redis.by_call("call-2") is None and redis.call_for_token(token) == "call-4"
    assert len(memory) == 0 and memory.call_for_token(token) is None


# Through a Redis outage.

def test_with_redis_stopped_every_operation_uses_memory_and_one_warning_is_logged(
        redis_server, clients, ticks, caplog):  # noqa: F811
    caplog.set_level(logging.INFO, logger="helpline.live_redis")
    store = resilient(clients, ticks)
    store.begin(THIRD_SID, "call-0")
    redis_server.stop()

    started = time.perf_counter()
    leg, created = store.begin(SID, "call-1")
    assert time.perf_counter() - started < 1.0
    assert created and not store.healthy
    assert store.by_leg(leg.leg) == leg and store.by_sid(SID) == leg and store.by_call("call-1") == leg
    assert store.known_calls(["call-1", "call-2"]) is None   # cannot tell: another process may hold them
    token = store.join_token("call-1")
    assert store.call_for_token(token) == "call-1"
    adopted, created = store.adopt("leg-from-url", OTHER_SID, "call-2")
    assert created and store.by_leg("leg-from-url") == adopted
    store.end(leg)
    assert store.by_sid(SID).ended and store.by_call("call-1") is None

    ticks.now += 10                          # a retry is due, and fails again: still the same outage
    assert store.by_call("call-2") == adopted and not store.healthy
    assert len(live_store_warnings(caplog)) == 1
    assert "Redis" in caplog.text
    assert all(sid not in caplog.text for sid in (SID, OTHER_SID, THIRD_SID))


def test_redis_is_tried_again_at_most_every_five_seconds(ticks):
    class Unreachable:
        """Stands in for a RedisLiveCallStore whose server does not answer."""

        def __init__(self) -> None:
            self.attempts = 0

        def __getattr__(self, name):
            def fail(*args, **kwargs):
                self.attempts += 1
                raise RedisConnectionError("connection refused")
            return fail

    redis = Unreachable()
    store = ResilientLiveStore(redis, MemoryLiveCallStore(TTL, monotonic=ticks), monotonic=ticks)
    store.begin(SID, "call-1")
    assert redis.attempts == 1
    for step in (1.0, 2.0, 1.99):
        ticks.now += step
        assert store.by_sid(SID).call_id == "call-1" and not store.healthy
    assert redis.attempts == 1
    ticks.now += 0.01
    assert store.by_call("call-1") is not None
    assert redis.attempts == 2


def test_after_an_empty_restart_what_memory_held_is_found_again(redis_server, clients, ticks, caplog):  # noqa: F811
    caplog.set_level(logging.INFO, logger="helpline.live_redis")
    store = resilient(clients, ticks)
    lost, _ = store.begin(THIRD_SID, "call-0")
    redis_server.stop()
    leg, _ = store.begin(SID, "call-1")
    adopted, _ = store.adopt("leg-from-url", OTHER_SID, "call-2")
    token = store.join_token("call-1")

    redis_server.start()                     # empty: persistence is off
    assert store.by_leg(leg.leg) == leg and not store.healthy     # memory only until the retry is due
    ticks.now += 5
    assert store.by_leg(leg.leg) == leg and store.healthy
    assert store.by_sid(SID) == leg and store.by_call("call-1") == leg
    assert store.begin(SID, "call-1b") == (leg, False)
    assert store.known_calls(["call-0", "call-1", "call-2"]) == {"call-1", "call-2"}
    assert store.by_call("call-0") is None                        # lost with Redis: the IVR adopts it
    assert store.adopt(lost.leg, THIRD_SID, "call-3")[1]

    other_process = resilient(clients, ticks)
    assert other_process.by_call("call-1") == leg and other_process.by_leg("leg-from-url") == adopted
    assert other_process.call_for_token(token) == "call-1"
    store.end(leg)
    assert other_process.by_sid(SID).ended and store.by_call("call-1") is None
    assert len(live_store_warnings(caplog)) == 1


def _answers(client) -> bool:
    try:
        return bool(client.ping())
    except RedisError:
        return False


def test_a_call_ended_while_redis_hung_is_ended_in_redis_when_it_answers(redis_server, clients, ticks):  # noqa: F811
    store = resilient(clients, ticks)
    leg, _ = store.begin(SID, "call-1")
    clients().client_pause(800)             # Redis accepts connections but answers nothing

    started = time.perf_counter()
    store.end(leg)
    assert time.perf_counter() - started < 1.0
    assert not store.healthy and store.by_sid(SID).ended

    assert wait_until(lambda: _answers(clients()), timeout=5)   # the pause is over
    ticks.now += 5
    assert store.healthy
    other_process = resilient(clients, ticks)
    assert other_process.by_sid(SID).ended and other_process.by_leg(leg.leg).ended
    assert other_process.by_call("call-1") is None and other_process.known_calls(["call-1"]) == set()
    assert SID not in everything_stored(other_process._primary)


def test_make_store_falls_back_within_half_a_second(redis_server):  # noqa: F811
    assert isinstance(make_store("", TTL), MemoryLiveCallStore)
    store = make_store(redis_server.url, TTL)
    try:
        assert isinstance(store, ResilientLiveStore) and store.healthy
        leg, _ = store.begin(SID, "call-1")
        redis_server.stop()
        started = time.perf_counter()
        other, created = store.begin(OTHER_SID, "call-2")
        assert time.perf_counter() - started < 1.0
        assert created and store.by_call("call-2") == other and not store.healthy
    finally:
        store.close()
