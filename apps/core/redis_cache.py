"""Django's Redis cache backend, without its cost per call: Django's client builds a new
`redis.Redis` object for every cache operation (a few hundred response callbacks set up each
time: a third of a cached page's CPU time). The object holds nothing per call but its
connection pool, which is shared and safe across threads, so one per pool is enough."""

from django.core.cache.backends import redis as django_redis


class _ReusedClientCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ReusedClientCacheClient
