"""Scheduling: when each document is next due, the leases that give one worker the right to
fetch it, the dispatcher that queues due documents, and the backoff of retried fetches."""

import hashlib
import math
import random
import uuid
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from apps.documents.models import Document


def document_next_fetch_at(*, document: Document, after: datetime) -> datetime:
    """When the document is next due: the next point of its own stable phase within its
    interval (an offset from a hash of its id, so documents spread evenly over the interval
    and stay there across restarts), at least half an interval away, plus a little jitter."""
    interval = max(document.fetch_interval_hours, 1) * 3600
    digest = hashlib.sha256(f"document-{document.pk}".encode()).digest()
    offset = int.from_bytes(digest[:8], "big") % interval
    moment = after.timestamp()
    slot = (math.floor((moment - offset) / interval) + 1) * interval + offset
    if slot - moment < interval / 2:
        slot += interval
    jitter = random.uniform(0, min(interval * 0.05, settings.DOCUMENTS_FETCH_JITTER_SECONDS))
    return datetime.fromtimestamp(slot + jitter, tz=UTC)


def document_fetch_lease_claim(
    *, document_id: int, now: datetime | None = None, extra_seconds: float = 0
) -> str | None:
    """Take the right to fetch a document, or None when a live lease is held elsewhere. The
    conditional UPDATE is atomic in the database, so of two claimers exactly one wins; a lease
    whose holder died expires after DOCUMENTS_FETCH_LEASE_SECONDS and can be claimed again."""
    now = now or timezone.now()
    token = uuid.uuid4().hex
    lease_until = now + timedelta(seconds=settings.DOCUMENTS_FETCH_LEASE_SECONDS + extra_seconds)
    claimed = (
        Document.objects.filter(pk=document_id)
        .filter(Q(fetch_lease_until__isnull=True) | Q(fetch_lease_until__lte=now))
        .update(fetch_lease_until=lease_until, fetch_lease_token=token)
    )
    return token if claimed else None


def document_fetch_lease_holds(*, document_id: int, token: str) -> bool:
    return Document.objects.filter(
        pk=document_id, fetch_lease_token=token, fetch_lease_until__gt=timezone.now()
    ).exists()


def documents_dispatch(*, now: datetime | None = None) -> list[int]:
    """Queue the snapshot of the documents that are due, most overdue first.

    At most DOCUMENTS_DISPATCH_BATCH per call, their start spread over
    DOCUMENTS_DISPATCH_SPREAD_SECONDS: after a restart with every document overdue the backlog
    drains batch by batch instead of all at once. Each document is leased before it is queued,
    so a document already queued or being fetched is never queued twice."""
    from apps.documents.tasks import snapshot_document

    now = now or timezone.now()
    batch = settings.DOCUMENTS_DISPATCH_BATCH
    due = list(
        Document.objects.filter(is_monitored=True)
        .filter(Q(next_fetch_at__isnull=True) | Q(next_fetch_at__lte=now))
        .filter(Q(fetch_lease_until__isnull=True) | Q(fetch_lease_until__lte=now))
        .order_by(F("next_fetch_at").asc(nulls_first=True), "pk")
        .values_list("pk", flat=True)[:batch]
    )
    queued = []
    for position, document_id in enumerate(due):
        countdown = settings.DOCUMENTS_DISPATCH_SPREAD_SECONDS * position / batch
        token = document_fetch_lease_claim(
            document_id=document_id, now=now, extra_seconds=countdown
        )
        if token is None:
            continue
        snapshot_document.apply_async_on_commit(
            kwargs={"document_id": document_id, "lease_token": token}, countdown=countdown
        )
        queued.append(document_id)
    return queued


def document_fetch_lease_release(*, document_id: int, token: str) -> None:
    Document.objects.filter(pk=document_id, fetch_lease_token=token).update(
        fetch_lease_until=None, fetch_lease_token=""
    )


def document_fetch_due_after(
    *, document: Document, finished_at: datetime, transient: bool, retry_after: float | None
) -> datetime:
    """When the document is next due after a run that ended at `finished_at`. A transient
    failure is tried again after a backoff while DOCUMENTS_FETCH_MAX_RETRIES failures in a row
    have not been reached; otherwise the document waits for its next regular check. Either way
    never before the server's Retry-After. The due time is the retry: the dispatcher queues the
    document when it comes, so no worker holds a delayed message that its death would strand."""
    if transient and document.consecutive_failures < settings.DOCUMENTS_FETCH_MAX_RETRIES:
        countdown = fetch_retry_countdown(
            retries=document.consecutive_failures, retry_after=retry_after
        )
        return finished_at + timedelta(seconds=countdown)
    next_fetch_at = document_next_fetch_at(document=document, after=finished_at)
    if retry_after:
        next_fetch_at = max(next_fetch_at, finished_at + timedelta(seconds=retry_after))
    return next_fetch_at


def document_fetch_postpone(*, document_id: int, seconds: float) -> None:
    """Move a document's due time `seconds` from now: a run stopped before it could record
    anything (its time limit) is tried again after a backoff, not at the next dispatch."""
    Document.objects.filter(pk=document_id).update(
        next_fetch_at=timezone.now() + timedelta(seconds=seconds)
    )


def fetch_retry_countdown(*, retries: int, retry_after: float | None = None) -> float:
    """Seconds before retry number `retries + 1` of a transient failure: exponential backoff
    with full jitter, never sooner than the server's Retry-After, capped."""
    backoff = min(settings.DOCUMENTS_FETCH_RETRY_BASE_SECONDS * 2**retries, 3600)
    return max(retry_after or 0.0, random.uniform(backoff / 2, backoff))
