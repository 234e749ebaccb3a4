"""Per-host politeness: requests to one host are spaced by FETCHER_PER_HOST_DELAY (from the end
of one exchange to the start of the next), and a host that answered with Retry-After is not
asked again before that time.

With FETCHER_THROTTLE_REDIS_URL set the state lives in Redis, so every worker process respects
one host's 429; without it (the embedded mode, one process) it lives in the process."""

import functools
import threading
import time

import redis
from django.conf import settings

from apps.documents.fetcher.errors import FetchError, FetchErrorKind


def _paused_error(host: str, seconds: float) -> FetchError:
    return FetchError(
        FetchErrorKind.TRANSIENT,
        f"{host} asked us to wait {seconds:.0f} s more (Retry-After)",
        retry_after=seconds,
    )


class LocalHostThrottle:
    """The state in this process. Concurrent fetches of one host queue behind each other."""

    def __init__(self, *, clock=time.monotonic, sleep=time.sleep) -> None:
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._host_locks: dict[str, threading.Lock] = {}
        self._last_request: dict[str, float] = {}
        self._not_before: dict[str, float] = {}

    def wait_turn(self, host: str, interval: float) -> None:
        """Sleep until the host may be asked again; raises FetchError while it asked for a
        pause."""
        with self._lock:
            host_lock = self._host_locks.setdefault(host, threading.Lock())
        with host_lock:
            now = self._clock()
            paused_for = self._not_before.get(host, now) - now
            if paused_for > 0:
                raise _paused_error(host, paused_for)
            last = self._last_request.get(host)
            if last is not None and now - last < interval:
                self._sleep(interval - (now - last))
            self._last_request[host] = self._clock()

    def finished(self, host: str, interval: float) -> None:
        with self._lock:
            self._last_request[host] = self._clock()

    def pause(self, host: str, seconds: float) -> None:
        with self._lock:
            self._not_before[host] = max(self._not_before.get(host, 0.0), self._clock() + seconds)

    def clear(self) -> None:
        with self._lock:
            self._host_locks.clear()
            self._last_request.clear()
            self._not_before.clear()


# Each script reads and writes a host's keys atomically, so two workers never take one slot.
# Times are seconds on the callers' wall clocks, passed in (and returned) as strings: Redis
# turns Lua numbers into integers on the way out.
_RESERVE = """
local now = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local paused_until = tonumber(redis.call('GET', KEYS[1]) or '0')
if paused_until > now then
    return {'paused', tostring(paused_until - now)}
end
local start = math.max(now, tonumber(redis.call('GET', KEYS[2]) or '0'))
redis.call('SET', KEYS[2], tostring(start + interval), 'PX',
    math.ceil((start + interval - now) * 1000) + 1000)
return {'wait', tostring(start - now)}
"""
_FINISHED = """
local now = tonumber(ARGV[1])
local free_at = math.max(tonumber(redis.call('GET', KEYS[1]) or '0'), now + tonumber(ARGV[2]))
redis.call('SET', KEYS[1], tostring(free_at), 'PX', math.ceil((free_at - now) * 1000) + 1000)
"""
_PAUSE = """
local now = tonumber(ARGV[1])
local paused_until = now + tonumber(ARGV[2])
if paused_until > tonumber(redis.call('GET', KEYS[1]) or '0') then
    redis.call('SET', KEYS[1], tostring(paused_until), 'PX', math.ceil(tonumber(ARGV[2]) * 1000))
end
"""


class RedisHostThrottle:
    """The state in Redis, shared by every process that uses the same server and prefix. A
    request reserves its start time (the host's next free moment), so requests from several
    workers are spaced like those of one."""

    def __init__(
        self,
        client: redis.Redis,
        *,
        prefix: str = "fetcher:host:",
        clock=time.time,
        sleep=time.sleep,
    ) -> None:
        self._client = client
        self._prefix = prefix
        self._clock = clock
        self._sleep = sleep
        self._reserve = client.register_script(_RESERVE)
        self._finished = client.register_script(_FINISHED)
        self._pause = client.register_script(_PAUSE)

    def _keys(self, host: str) -> tuple[str, str]:
        return f"{self._prefix}{host}:paused-until", f"{self._prefix}{host}:free-at"

    def wait_turn(self, host: str, interval: float) -> None:
        paused_key, free_key = self._keys(host)
        state, seconds = self._call(
            self._reserve, keys=[paused_key, free_key], args=[repr(self._clock()), repr(interval)]
        )
        seconds = float(seconds)
        if state == b"paused":
            raise _paused_error(host, seconds)
        if seconds > 0:
            self._sleep(seconds)

    def finished(self, host: str, interval: float) -> None:
        _, free_key = self._keys(host)
        self._call(self._finished, keys=[free_key], args=[repr(self._clock()), repr(interval)])

    def pause(self, host: str, seconds: float) -> None:
        paused_key, _ = self._keys(host)
        self._call(self._pause, keys=[paused_key], args=[repr(self._clock()), repr(seconds)])

    def clear(self) -> None:
        keys = list(self._client.scan_iter(match=f"{self._prefix}*"))
        if keys:
            self._client.delete(*keys)

    def _call(self, script, *, keys: list[str], args: list[str]):
        try:
            return script(keys=keys, args=args)
        except redis.RedisError as error:
            # Without the shared state this worker cannot know whether the host asked for a
            # pause: try again later rather than risk hammering it.
            raise FetchError(
                FetchErrorKind.TRANSIENT, f"per-host politeness state unavailable: {error}"
            ) from error


_local_throttle = LocalHostThrottle()


@functools.cache
def _redis_throttle(url: str) -> RedisHostThrottle:
    return RedisHostThrottle(redis.Redis.from_url(url))


def host_throttle() -> LocalHostThrottle | RedisHostThrottle:
    """The throttle the settings ask for: shared through Redis, or this process's own."""
    url = settings.FETCHER_THROTTLE_REDIS_URL
    return _redis_throttle(url) if url else _local_throttle
