"""The documents app's own reactions to its change events: each only queues a task."""

from django.conf import settings
from django.dispatch import receiver

from apps.documents.signals import change_event_recorded
from apps.documents.tasks import wayback_capture


@receiver(change_event_recorded, dispatch_uid="documents.wayback_capture")
def queue_wayback_capture(sender, *, version_id: int, **kwargs) -> None:
    if settings.WAYBACK_ENABLED:
        wayback_capture.delay(version_id)
