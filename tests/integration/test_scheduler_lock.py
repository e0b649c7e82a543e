"""The scheduler lock on its own: one holder, renewal, and stopping before it could overlap."""

from __future__ import annotations

import pytest
import redis

from scheduling.leader import REDIS_KEY, LostLock, RedisLock, run_exclusively


class Monotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class FakeScheduler:
    def __init__(self) -> None:
        self.running = True

    def shutdown(self, wait: bool = True) -> None:
        self.running = False


def test_one_holder_at_a_time_and_a_released_lock_is_free_at_once(redis_server):
    first, second = RedisLock(redis_server.url), RedisLock(redis_server.url)
    assert first.try_acquire()
    assert not second.try_acquire()
    assert first.still_held()
    first.release()
    assert second.try_acquire()
    assert not first.still_held()        # released: renewing does not take it back


def test_a_holder_whose_lock_expired_and_was_taken_stops_at_once(redis_server):
    first, second = RedisLock(redis_server.url), RedisLock(redis_server.url)
    assert first.try_acquire()
    redis.Redis.from_url(redis_server.url).delete(REDIS_KEY)       # expired (a long pause)
    assert second.try_acquire()
    assert not first.still_held()


def test_with_redis_unreachable_the_holder_gives_up_before_its_key_could_expire(redis_server):
    clock = Monotonic()
    lock = RedisLock(redis_server.url, ttl_ms=6000, monotonic=clock)
    assert lock.try_acquire()
    redis_server.stop()
    clock.now += 2
    assert lock.still_held()             # unknown, but the key certainly still lives
    clock.now += 2                       # 4 s since the last renewal: the key may expire at 6
    assert not lock.still_held()


def test_the_active_scheduler_stops_its_jobs_when_the_lock_is_lost(redis_server):
    lock = RedisLock(redis_server.url)
    scheduler = FakeScheduler()
    ticks = []

    def sleep(_seconds):
        ticks.append(1)
        if len(ticks) == 3:
            redis.Redis.from_url(redis_server.url).set(REDIS_KEY, "another scheduler")

    with pytest.raises(LostLock):
        run_exclusively(lock, lambda: scheduler, echo=lambda _text: None, sleep=sleep)
    assert not scheduler.running
    assert redis.Redis.from_url(redis_server.url).get(REDIS_KEY) == b"another scheduler"
