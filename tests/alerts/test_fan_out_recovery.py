"""A change event's alert fan-out that never ran (its message was not published because the
broker was down when the version committed, or it was lost with its worker) is queued again by
the retry pass once its claim runs out, and runs once."""

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled
from kombu.exceptions import OperationalError

from apps.monitoring.models import ChangeEventFanOut, Channel, Delivery, SendStatus
from apps.monitoring.tasks import alerts_retry, change_event_alerts
from tests.alerts.helpers import first_record, organization_tracking, record_change
from tests.factories import DocumentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tracked_document():
    document = DocumentFactory()
    user, _ = organization_tracking("watcher", platform=document.platform)
    return document, user


def emails_to(user):
    with scopes_disabled():
        return Delivery.objects.filter(recipient=user, channel=Channel.EMAIL)


def later(seconds: float):
    """Runs the passes as if `seconds` had gone by since the event."""
    return mock.patch(
        "django.utils.timezone.now", return_value=timezone.now() + timedelta(seconds=seconds)
    )


def test_a_fan_out_the_broker_never_got_is_queued_again_after_its_claim_and_sent_once(
    tracked_document, smtp_server, settings, django_capture_on_commit_callbacks
):
    document, user = tracked_document
    previous = first_record(document)
    # The broker is down when the version commits: the announcement's queueing fails, is
    # logged, and the snapshot stands.
    with (
        mock.patch.object(change_event_alerts, "delay", side_effect=OperationalError("down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        event = record_change(previous)
    assert not emails_to(user).exists()

    # Within the claim the normal path still has its chance: the pass leaves the event alone.
    assert alerts_retry() == 0

    claim = settings.ALERTS_FAN_OUT_CLAIM_SECONDS
    with later(claim + 1), django_capture_on_commit_callbacks(execute=True):
        assert alerts_retry() == 1
    [delivery] = emails_to(user)
    assert delivery.change_event_id == event.pk
    assert delivery.status == SendStatus.SENT
    assert len(smtp_server.to(user.email)) == 1
    assert ChangeEventFanOut.objects.get(change_event=event).done_at is not None

    # Done: no later pass queues it again.
    with later(3 * claim), django_capture_on_commit_callbacks(execute=True):
        assert alerts_retry() == 0
    assert len(smtp_server.to(user.email)) == 1


def test_a_claimed_fan_out_is_not_queued_twice_until_its_claim_runs_out(
    tracked_document, settings, django_capture_on_commit_callbacks
):
    document, user = tracked_document
    event = record_change(first_record(document))  # announced after a commit that never comes
    claim = settings.ALERTS_FAN_OUT_CLAIM_SECONDS

    # The pass queues it, and that task is lost too (its callbacks are never run).
    with later(claim + 1), django_capture_on_commit_callbacks(execute=False) as queued:
        assert alerts_retry() == 1
    assert len(queued) == 1
    with later(claim + 2):
        assert alerts_retry() == 0
    with later(2 * claim + 2), django_capture_on_commit_callbacks(execute=True):
        assert alerts_retry() == 1
    assert emails_to(user).count() == 1
    assert ChangeEventFanOut.objects.get(change_event=event).done_at is not None


def test_a_fan_out_that_ran_is_never_queued_again(tracked_document, settings, send_alerts):
    document, user = tracked_document
    event = record_change(first_record(document))
    send_alerts(event.pk)
    assert emails_to(user).count() == 1

    with later(settings.ALERTS_FAN_OUT_CLAIM_SECONDS + 1):
        assert alerts_retry() == 0


def test_events_older_than_the_lookback_and_first_records_are_left_to_digests(
    tracked_document, settings
):
    document, user = tracked_document
    previous = first_record(document)
    record_change(previous)
    lookback = settings.ALERTS_FAN_OUT_LOOKBACK_HOURS * 3600
    with later(lookback + 60):
        assert alerts_retry() == 0
    assert not emails_to(user).exists()
    assert not ChangeEventFanOut.objects.exists()
