"""Alert and digest sends are never scheduled through the broker: a pending row carries the
time its send is due (again), and the retry pass queues the rows whose time has come. A send
whose message was lost with its worker is queued again once its claim runs out."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from apps.monitoring.alerts import change_event_fan_out
from apps.monitoring.models import Channel, Delivery, Digest, SendStatus
from apps.monitoring.tasks import alerts_retry
from tests.alerts.helpers import first_record, organization_tracking, record_change
from tests.factories import DocumentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending_email():
    document = DocumentFactory()
    user, _ = organization_tracking("watcher", platform=document.platform)
    # The fan-out runs; the send it queues never happens (its worker died holding it).
    change_event_fan_out(change_event=record_change(first_record(document)))
    with scopes_disabled():
        return Delivery.objects.get(recipient=user, channel=Channel.EMAIL)


def test_a_new_delivery_is_due_again_only_after_its_claim(pending_email, settings):
    with scopes_disabled():
        assert pending_email.status == SendStatus.PENDING
    claim = pending_email.next_attempt_at - pending_email.created_at
    assert claim == timedelta(seconds=settings.ALERTS_SEND_CLAIM_SECONDS)
    # The send queued with the fan-out is still in time: the pass leaves the row alone.
    assert alerts_retry() == 0


def test_a_send_lost_with_its_worker_is_queued_again_and_sent_once(
    pending_email, smtp_server, django_capture_on_commit_callbacks
):
    with scopes_disabled():
        Delivery.objects.filter(pk=pending_email.pk).update(next_attempt_at=timezone.now())

    with django_capture_on_commit_callbacks(execute=True):
        assert alerts_retry() == 1
    # Queued once: claimed again for a while, so the next pass does not queue it twice.
    assert alerts_retry() == 0

    with scopes_disabled():
        pending_email.refresh_from_db()
    assert pending_email.status == SendStatus.SENT
    assert pending_email.next_attempt_at is None
    assert len(smtp_server.to(pending_email.recipient.email)) == 1


def test_sent_and_in_app_rows_are_never_due():
    document = DocumentFactory()
    organization_tracking("watcher", platform=document.platform)

    change_event_fan_out(change_event=record_change(first_record(document)))

    with scopes_disabled():
        in_app = Delivery.objects.get(channel=Channel.IN_APP)
        assert (in_app.status, in_app.next_attempt_at) == (SendStatus.SENT, None)
        assert not Digest.objects.exists()
