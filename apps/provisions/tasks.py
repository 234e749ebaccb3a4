"""Celery tasks of the provisions app: thin wrappers that take ids and call one service each."""

from celery import shared_task

from apps.documents.models import ChangeEvent
from apps.provisions.impact import provision_impacts_assess


@shared_task
def provision_impacts_assess_task(change_event_id: int) -> int:
    """Safe to run twice: the assessment converges on one impact per (event, provision)."""
    change_event = (
        ChangeEvent.objects.select_related("version__document").filter(pk=change_event_id).first()
    )
    if change_event is None:
        return 0
    return len(provision_impacts_assess(change_event=change_event))
