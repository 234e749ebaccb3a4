"""Retention of the fetch history: attempts older than DOCUMENTS_FETCH_ATTEMPT_RETENTION_DAYS
are deleted, in batches, except each document's latest, which the admin shows as its state."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from apps.documents.models import FetchAttempt

# Small enough that one DELETE never holds its locks for long.
PRUNE_BATCH_SIZE = 1000


def fetch_attempts_prune(*, now: datetime | None = None, batch_size: int = PRUNE_BATCH_SIZE) -> int:
    """Delete the fetch attempts past the retention age, keeping every document's latest;
    returns how many went."""
    cutoff = (now or timezone.now()) - timedelta(
        days=settings.DOCUMENTS_FETCH_ATTEMPT_RETENTION_DAYS
    )
    latest_of_document = (
        FetchAttempt.objects.filter(document=OuterRef("document"))
        .order_by("-started_at", "-id")
        .values("pk")[:1]
    )
    expired = FetchAttempt.objects.filter(started_at__lt=cutoff).exclude(
        pk=Subquery(latest_of_document)
    )
    deleted = 0
    while batch := list(expired.order_by().values_list("pk", flat=True)[:batch_size]):
        deleted += FetchAttempt.objects.filter(pk__in=batch).delete()[0]
    return deleted
