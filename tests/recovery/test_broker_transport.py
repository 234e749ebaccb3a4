"""The worker's Redis transport (conductatlas/broker.py): a late acknowledgement after the
worker closed its broker connection is a connection error the worker logs and survives, not
the AttributeError that ended it (issue 16)."""

import logging
import uuid

import kombu
import pytest
import redis
from django.conf import settings
from kombu.transport import redis as kombu_redis

from conductatlas.broker import Transport
from conductatlas.celery import app as celery_app


@pytest.fixture
def queue_name():
    name = f"broker-test-{uuid.uuid4().hex}"
    yield name
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.delete(name, "unacked", "unacked_index")


def _message_on_a_closed_channel(transport_class, queue_name):
    """A message delivered to a consumer, then the consumer's connection closed as a worker
    closes it when the broker went away: the channel's pool dropped, its transport detached."""
    connection = kombu.Connection(settings.CELERY_BROKER_URL, transport=transport_class)
    channel = connection.channel()
    queue = kombu.Queue(queue_name, exchange=kombu.Exchange(queue_name), routing_key=queue_name)
    kombu.Producer(channel, exchange=queue.exchange, routing_key=queue_name).publish(
        {"document_id": 1}, declare=[queue]
    )
    received = []
    consumer = kombu.Consumer(channel, queues=[queue], callbacks=[lambda _b, m: received.append(m)])
    consumer.consume()
    connection.drain_events(timeout=5)
    connection.collect()
    # The state of the trace at the late ack: no pool on the channel (closing drops
    # them) and nothing left to rebuild one from (the transport, or its client, is gone).
    channel._disconnect_pools()
    (message,) = received
    return message, connection


def test_kombus_own_transport_fails_the_late_ack_with_an_attribute_error(queue_name):
    message, _connection = _message_on_a_closed_channel(kombu_redis.Transport, queue_name)

    with pytest.raises(AttributeError, match="NoneType"):
        message.ack()


def test_the_late_ack_is_a_connection_error_that_the_worker_logs(queue_name, caplog):
    message, connection = _message_on_a_closed_channel(Transport, queue_name)
    logger = logging.getLogger("celery.worker.request")

    # How the worker acknowledges: connection errors are logged, anything else ends it.
    with caplog.at_level(logging.CRITICAL, logger="celery.worker.request"):
        message.ack_log_error(logger, connection.connection_errors)

    assert "Couldn't ack" in caplog.text


def test_the_project_uses_it_for_redis_brokers():
    assert settings.CELERY_BROKER_TRANSPORT == "conductatlas.broker:Transport"
    with celery_app.connection_for_write() as connection:
        assert isinstance(connection.transport, Transport)
