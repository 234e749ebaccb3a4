"""Kombu's Redis transport, with one failure turned into the kind the worker survives.

When the broker goes away, the worker closes its connection: the transport is detached from
the channels it made (`transport.client` becomes None) and their connection pools are dropped.
A task that finishes after that acknowledges (or, cancelled, rejects) its message on such a
channel, and kombu's Redis channel rebuilds its pool from `self.connection.client`: an
AttributeError ("'NoneType' object has no attribute 'hostname'"), which the worker does not
expect there and which ends it ("Unrecoverable error"). Raised as a connection error instead,
the worker logs that it could not acknowledge the message and goes on reconnecting; the
message comes back after the visibility timeout and finds its work done or leased elsewhere."""

from kombu.transport import redis as kombu_redis
from redis import exceptions as redis_exceptions


class Channel(kombu_redis.Channel):
    def _connparams(self, asynchronous=False):
        transport = self.connection
        if transport is None or transport.client is None:
            raise redis_exceptions.ConnectionError(
                "this channel's broker connection was closed; a new connection has new channels"
            )
        return super()._connparams(asynchronous=asynchronous)


class Transport(kombu_redis.Transport):
    Channel = Channel
