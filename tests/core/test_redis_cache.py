"""The Redis cache backend (apps/core/redis_cache.py) against the real Redis at REDIS_URL,
under a key prefix of its own (never flushed: the database may be shared)."""

import uuid

from django.conf import settings

from apps.core.redis_cache import RedisCache


def test_it_caches_as_djangos_backend_does_with_one_client_object():
    cache = RedisCache(settings.REDIS_URL, {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"})
    keys = ["a", "b", "missing"]
    try:
        cache.set("a", {"value": 1})
        cache.set_many({"b": [2, 3]})
        assert cache.get_many(keys) == {"a": {"value": 1}, "b": [2, 3]}
        assert cache.add("a", "other") is False
        assert cache.get("a") == {"value": 1}
        client = cache._cache.get_client("a")
        assert cache._cache.get_client("b", write=True) is client
    finally:
        cache.delete_many(keys)
    assert cache.get_many(keys) == {}
