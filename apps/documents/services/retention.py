"""Retention of the fetch history: attempts older than DOCUMENTS_FETCH_ATTEMPT_RETENTION_DAYS
are deleted, in batches, except each document's latest, which the admin shows as its state."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from apps.documents.models import FetchAttempt

# Small enough that one DELETE never holds its locks for long.
PRUNE_BATCH_SIZE = 1000


def fetch_attempts_prune_cutoff(*, now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - timedelta(days=settings.DOCUMENTS_FETCH_ATTEMPT_RETENTION_DAYS)


def fetch_attempts_prune_batch(
    *,
    cutoff: datetime | None = None,
    after: tuple[datetime, int] | None = None,
    batch_size: int = PRUNE_BATCH_SIZE,
) -> tuple[list[int], tuple[datetime, int] | None]:
    """The ids of the next `batch_size` attempts started before `cutoff`, oldest first, after
    the position `after` (started_at, id), and the position after them (None when none are
    left): one range of the `fetchattempt_started` index per batch, so each batch costs the
    same however many rows were deleted or kept before it."""
    rows = FetchAttempt.objects.filter(started_at__lt=cutoff or fetch_attempts_prune_cutoff())
    if after is not None:
        started_at, pk = after
        rows = rows.filter(started_at__gte=started_at).filter(
            Q(started_at__gt=started_at) | Q(pk__gt=pk)
        )
    ids = list(rows.order_by("started_at", "pk").values_list("pk", flat=True)[:batch_size])
    if not ids:
        return ids, None
    # Only the last row's time is read: turning a thousand timestamps into aware datetimes
    # cost five times the rest of the selection.
    return ids, FetchAttempt.objects.values_list("started_at", "pk").get(pk=ids[-1])


def fetch_attempts_prune(*, now: datetime | None = None, batch_size: int = PRUNE_BATCH_SIZE) -> int:
    """Delete the fetch attempts past the retention age, keeping every document's latest;
    returns how many went."""
    cutoff = fetch_attempts_prune_cutoff(now=now)
    latest_of_document = (
        FetchAttempt.objects.filter(document=OuterRef("document"))
        .order_by("-started_at", "-id")
        .values("pk")[:1]
    )
    deleted = 0
    ids, position = fetch_attempts_prune_batch(cutoff=cutoff, batch_size=batch_size)
    while ids:
        deleted += (
            FetchAttempt.objects.filter(pk__in=ids)
            .exclude(pk=Subquery(latest_of_document))
            .delete()[0]
        )
        ids, position = fetch_attempts_prune_batch(
            cutoff=cutoff, after=position, batch_size=batch_size
        )
    return deleted
