"""Per-host politeness shared through Redis: two throttles on one Redis server stand for two
worker processes. Uses the real Redis at REDIS_URL (each test under its own key prefix)."""

import time
import uuid

import pytest
import redis
from django.conf import settings

from apps.documents import fetcher
from apps.documents.fetcher import FetchError, FetchErrorKind
from apps.documents.fetcher.throttle import RedisHostThrottle
from tests.documents.conftest import FakeClock

HOST = "docs.example.test"


@pytest.fixture
def workers():
    """Two throttles, each with its own Redis connection and clock, sharing one key prefix."""
    prefix = f"test-throttle-{uuid.uuid4().hex}:"
    clock = FakeClock()
    pair = [
        RedisHostThrottle(
            redis.Redis.from_url(settings.REDIS_URL), prefix=prefix, clock=clock, sleep=clock.sleep
        )
        for _ in range(2)
    ]
    yield (*pair, clock)
    pair[0].clear()


def test_a_retry_after_seen_by_one_worker_holds_every_worker(workers):
    first, second, clock = workers

    first.pause(HOST, 120)
    clock.now += 30

    with pytest.raises(FetchError) as error:
        second.wait_turn(HOST, 1.0)
    assert error.value.kind == FetchErrorKind.TRANSIENT
    assert error.value.retry_after == pytest.approx(90)
    assert "Retry-After" in error.value.message


def test_a_shorter_pause_never_shortens_a_longer_one(workers):
    first, second, clock = workers

    first.pause(HOST, 120)
    second.pause(HOST, 10)

    with pytest.raises(FetchError) as error:
        second.wait_turn(HOST, 1.0)
    assert error.value.retry_after == pytest.approx(120)


def test_the_pause_ends_when_the_host_asked(workers):
    first, second, clock = workers
    first.pause(HOST, 120)

    clock.now += 120
    second.wait_turn(HOST, 1.0)

    assert clock.sleeps == []


def test_requests_from_two_workers_are_spaced_like_those_of_one(workers):
    first, second, clock = workers

    first.wait_turn(HOST, 2.0)
    second.wait_turn(HOST, 2.0)  # the next free moment is two seconds on
    first.wait_turn(HOST, 2.0)

    assert clock.sleeps == [pytest.approx(2.0), pytest.approx(2.0)]


def test_spacing_counts_from_the_end_of_the_last_exchange(workers):
    first, second, clock = workers

    first.wait_turn(HOST, 2.0)
    clock.now += 5  # a slow exchange
    first.finished(HOST, 2.0)
    clock.now += 0.5
    second.wait_turn(HOST, 2.0)

    assert clock.sleeps == [pytest.approx(1.5)]


def test_other_hosts_are_not_held(workers):
    first, second, _ = workers
    first.pause(HOST, 120)

    second.wait_turn("other.example.test", 1.0)


def test_an_unreachable_redis_is_a_transient_error():
    throttle = RedisHostThrottle(redis.Redis(host="127.0.0.1", port=9, socket_connect_timeout=1))

    with pytest.raises(FetchError) as error:
        throttle.wait_turn(HOST, 1.0)
    assert error.value.kind == FetchErrorKind.TRANSIENT
    assert "politeness state unavailable" in error.value.message


def test_the_fetcher_keeps_its_politeness_state_in_redis_when_configured(corpus_server, settings):
    settings.FETCHER_THROTTLE_REDIS_URL = settings.REDIS_URL
    url = corpus_server.route("/slow-down", status=429, headers={"Retry-After": "120"})
    try:
        with pytest.raises(FetchError):
            fetcher.fetch(url)
        # Another process, with its own connection, sees the host's pause until it ends.
        elsewhere = redis.Redis.from_url(settings.REDIS_URL)
        with pytest.raises(FetchError, match="Retry-After"):
            RedisHostThrottle(elsewhere).wait_turn("127.0.0.1", 0)
        later = FakeClock(now=time.time() + 121)
        RedisHostThrottle(elsewhere, clock=later, sleep=later.sleep).wait_turn("127.0.0.1", 0)
    finally:
        fetcher.host_throttle().clear()
    assert len(corpus_server.requests) == 1
