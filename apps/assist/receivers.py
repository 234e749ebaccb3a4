"""Reactions of curator assistance to what the documents app announces: each only queues a
task, so the pipeline never waits on (or imports) this app."""

from django.conf import settings
from django.dispatch import receiver

from apps.assist.tasks import version_clauses_suggest_task
from apps.documents.signals import change_event_recorded


@receiver(change_event_recorded, dispatch_uid="assist.version_clauses_suggest")
def queue_version_clauses_suggest(sender, *, version_id: int, **kwargs) -> None:
    if settings.CLAUSE_SUGGESTIONS_ENABLED:
        version_clauses_suggest_task.delay(version_id)
