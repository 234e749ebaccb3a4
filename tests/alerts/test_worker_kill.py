"""A real Celery worker, the machine's Redis, the test database and a real SMTP server: a
worker killed in the middle of sending an alert leaves it to the redelivered task, which sends
it once."""

import json
import os
import time

import pytest
from celery import Celery
from django.conf import settings

from apps.documents.models import ChangeEvent, VersionKind
from apps.monitoring.alerts import change_event_fan_out
from apps.monitoring.models import Channel, Delivery, SendStatus
from tests.alerts.helpers import first_record, organization_tracking
from tests.alerts.smtp import SmtpServer
from tests.billing.helpers import default_plans_restore
from tests.documents.test_worker import (  # noqa: F401  (broker is a fixture)
    VISIBILITY_TIMEOUT,
    WorkerProcess,
    _database_url,
    _wait_until,
    broker,
)
from tests.factories import DocumentFactory, DocumentVersionFactory

SUMMARY = {
    "sections_added": [],
    "sections_removed": [],
    "sections_reworded": ["Terms"],
    "words_added": 2,
    "words_removed": 0,
}

pytestmark = [
    pytest.mark.worker,
    # Transactional: the worker process must see the rows. Not serialized_rollback: reloading
    # the whole database clashes with the content types that another transactional test's
    # flush has recreated; the plans this test needs are put back by `plans` below.
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        "sqlite" in settings.DATABASES["default"]["ENGINE"],
        reason="a worker process needs a database it can open too (CI runs this on PostgreSQL)",
    ),
]


@pytest.fixture
def plans():
    """The plans are rows of a data migration, gone if an earlier transactional test flushed
    the database."""
    default_plans_restore()


def test_a_worker_killed_mid_send_sends_the_alert_once_after_redelivery(broker, tmp_path, plans):  # noqa: F811
    queue, transport_options = broker
    document = DocumentFactory()
    user, _organization = organization_tracking("watcher", platform=document.platform)
    # Written without the ingest's announcement (which, eager here, would send the alert from
    # this process): the worker is to send it.
    first = first_record(document)
    second = DocumentVersionFactory(
        document=document, number=2, kind=VersionKind.CHANGE, text="# Terms\n\nNew terms."
    )
    event = ChangeEvent.objects.create(
        document=document, version=second, previous_version=first, summary=SUMMARY
    )
    fan_out = change_event_fan_out(change_event=event)
    (delivery_id,) = fan_out.email_ids

    with SmtpServer() as smtp:
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.alerts.worker_settings",
            "DATABASE_URL": _database_url(),
            "DJANGO_MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "CELERY_BROKER_TRANSPORT_OPTIONS": json.dumps(transport_options),
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp.port),
        }
        smtp.handler.stalled.set()
        first = WorkerProcess(queue=queue, environment=environment, log=tmp_path / "first.log")
        producer = Celery("producer", broker=settings.CELERY_BROKER_URL)
        producer.conf.broker_transport_options = transport_options
        producer.send_task(
            "apps.monitoring.tasks.deliveries_send", args=[[delivery_id]], queue=queue
        )
        # The worker is now inside the SMTP DATA command, the delivery row locked.
        _wait_until(smtp.handler.data_started.is_set, "the worker's email")
        first.kill()

        assert smtp.handler.messages == []
        assert Delivery.objects.get(pk=delivery_id).status == SendStatus.PENDING

        smtp.handler.stalled.clear()
        second = WorkerProcess(queue=queue, environment=environment, log=tmp_path / "second.log")
        try:
            _wait_until(
                lambda: Delivery.objects.get(pk=delivery_id).status == SendStatus.SENT,
                "the redelivered send",
            )
            # Room for a second delivery to show itself, had the message been left unacked.
            time.sleep(VISIBILITY_TIMEOUT + 1)
        finally:
            second.stop()

        assert [message["To"] for message in smtp.handler.messages] == [user.email]
    delivery = Delivery.objects.get(pk=delivery_id)
    assert delivery.channel == Channel.EMAIL and delivery.sent_at is not None
