"""Reactions of the provisions app to what the documents app announces: each only queues a
task, so the pipeline never waits on (or imports) the provisions app."""

from django.dispatch import receiver

from apps.documents.signals import change_event_recorded
from apps.provisions.tasks import provision_impacts_assess_task


@receiver(change_event_recorded, dispatch_uid="provisions.provision_impacts_assess")
def queue_provision_impacts_assess(sender, *, change_event_id: int, **kwargs) -> None:
    provision_impacts_assess_task.delay(change_event_id)
