"""Celery tasks of the monitoring app: thin wrappers that take ids and call one service each.
All are safe to run twice (see apps.monitoring.sending for why a send never repeats)."""

from celery import shared_task

from apps.documents.models import ChangeEvent
from apps.monitoring.alerts import (
    change_event_alerts_queue,
    change_event_fan_outs_retry_queue,
    deliveries_retry_queue,
    deliveries_send_batch,
)
from apps.monitoring.digests import digests_dispatch, digests_retry_queue, digests_send_batch


@shared_task
def change_event_alerts(change_event_id: int) -> int:
    change_event = ChangeEvent.objects.select_related("document").filter(pk=change_event_id).first()
    if change_event is None:
        return 0
    return len(change_event_alerts_queue(change_event=change_event).email_ids)


@shared_task
def deliveries_send(delivery_ids: list[int]) -> int:
    return deliveries_send_batch(delivery_ids=delivery_ids).sent


@shared_task
def alerts_dispatch() -> int:
    """The one periodic task of alerts: builds and queues the digests that are due."""
    return len(digests_dispatch())


@shared_task
def digests_send(digest_ids: list[int]) -> int:
    return digests_send_batch(digest_ids=digest_ids).sent


@shared_task
def alerts_retry() -> int:
    """The retry pass: queues the fan-outs that never happened and the emails whose send is
    due again (a transient failure's backoff is over, or a queued send never happened). No
    retry waits in the broker."""
    return (
        len(change_event_fan_outs_retry_queue())
        + len(deliveries_retry_queue())
        + len(digests_retry_queue())
    )
