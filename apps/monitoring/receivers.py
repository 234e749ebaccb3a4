"""The monitoring app's reaction to a recorded change: it only queues the fan-out task, so the
pipeline never waits on (or imports) alerts."""

from django.dispatch import receiver

from apps.documents.signals import change_event_recorded
from apps.monitoring.tasks import change_event_alerts


@receiver(change_event_recorded, dispatch_uid="monitoring.change_event_alerts")
def queue_change_event_alerts(sender, *, change_event_id: int, **kwargs) -> None:
    change_event_alerts.delay(change_event_id)
