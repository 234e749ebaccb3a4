"""The documents app's own reactions to its change events: each only queues a task."""

from django.conf import settings
from django.dispatch import receiver

from apps.documents.services import version_wayback_queue
from apps.documents.signals import change_event_recorded


@receiver(change_event_recorded, dispatch_uid="documents.wayback_capture")
def queue_wayback_capture(sender, *, version_id: int, **kwargs) -> None:
    if settings.WAYBACK_ENABLED:
        version_wayback_queue(version_id=version_id)
