"""Scheduling: when each document is next due, the leases that give one worker the right to
fetch it, the dispatcher that queues due documents, and the backoff of retried fetches."""

import functools
import hashlib
import logging
import math
import os
import random
import time
import uuid
from datetime import UTC, datetime, timedelta

import redis
from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from apps.documents.models import Document, FetchAttempt, FetchOutcome
from apps.documents.selectors import documents_due
from apps.documents.services.rows import column_name, row_update

logger = logging.getLogger(__name__)


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


def document_fetch_lease_claim(*, document_id: int, now: datetime | None = None) -> str | None:
    """Take the right to fetch a document, or None when a live lease is held elsewhere. The
    conditional UPDATE is atomic in the database, so of two claimers exactly one wins; a lease
    whose holder died expires after DOCUMENTS_FETCH_LEASE_SECONDS and can be claimed again."""
    now = now or timezone.now()
    token = uuid.uuid4().hex
    lease_until = now + timedelta(seconds=settings.DOCUMENTS_FETCH_LEASE_SECONDS)
    lease_column = column_name(Document, "fetch_lease_until")
    claimed = row_update(
        Document,
        values={"fetch_lease_until": lease_until, "fetch_lease_token": token},
        where={"id": document_id},
        # Free: never leased, or the lease has run out (its holder died).
        where_sql=f"{lease_column} IS NULL OR {lease_column} <= %s",
        where_params=(
            Document._meta.get_field("fetch_lease_until").get_db_prep_value(now, connection),
        ),
    )
    return token if claimed else None


def document_fetch_lease_holds(*, document_id: int, token: str) -> bool:
    return Document.objects.filter(
        pk=document_id, fetch_lease_token=token, fetch_lease_until__gt=timezone.now()
    ).exists()


def documents_dispatch_capacity() -> int:
    """How many documents one dispatch pass may queue: what the worker slots can check before
    the next pass. Queueing more would only leave tasks waiting in the broker while their leases
    run out, and the documents would be queued again."""
    checks_per_slot = settings.DOCUMENTS_DISPATCH_EVERY_SECONDS / max(
        settings.DOCUMENTS_EXPECTED_CHECK_SECONDS, 0.001
    )
    return max(1, math.floor(settings.DOCUMENTS_WORKER_SLOTS * checks_per_slot))


def documents_dispatch(*, now: datetime | None = None) -> list[int]:
    """Queue the snapshot of the documents due now, most overdue first, up to the capacity.

    Every due document is queued at once, with no countdown: the schedule's per-document phase
    already spreads the load over the interval, and a task parked in the broker for later could
    be stranded by a dead worker. Leases are claimed a batch at a time in one transaction that
    locks the batch's rows and skips rows another transaction holds, so two dispatchers (a beat
    started twice) share the due documents instead of queueing them twice. A claimed document's
    next_fetch_at moves to the end of its lease: it leaves the due range of the index, and falls
    due again on its own if its worker dies; a finished run sets the real next time. The tasks
    are sent once the batch commits; a send that fails gives the unsent documents their leases
    back (`_batch_publish`)."""
    now = now or timezone.now()
    capacity = documents_dispatch_capacity()
    lease_until = now + timedelta(seconds=settings.DOCUMENTS_FETCH_LEASE_SECONDS)
    queued: list[int] = []
    while len(queued) < capacity:
        size = min(settings.DOCUMENTS_DISPATCH_BATCH, capacity - len(queued))
        token = uuid.uuid4().hex
        with transaction.atomic():
            batch = list(
                documents_due(now=now)
                .select_for_update(skip_locked=True)
                .values_list("pk", flat=True)[:size]
            )
            Document.objects.filter(pk__in=batch).update(
                fetch_lease_until=lease_until, fetch_lease_token=token, next_fetch_at=lease_until
            )
            transaction.on_commit(
                functools.partial(_batch_publish, document_ids=batch, token=token, due_at=now)
            )
        queued.extend(batch)
        if len(batch) < size:
            break
    if len(queued) >= capacity:
        logger.warning(
            "Document dispatch at capacity (%s a pass): due documents are waiting; "
            "add worker slots (DOCUMENTS_WORKER_SLOTS) if this lasts",
            capacity,
        )
    return queued


def _batch_publish(*, document_ids: list[int], token: str, due_at: datetime) -> None:
    """Send the snapshot task of each document of a committed lease batch. When a send fails
    (the broker is down, or its connection broke) the documents not sent get their leases back
    and are due at `due_at` again, and the error goes on up (it ends the pass): otherwise each
    would wait out a whole lease, claimed by a task that never existed."""
    from apps.documents.tasks import snapshot_document

    for position, document_id in enumerate(document_ids):
        try:
            snapshot_document.apply_async(kwargs={"document_id": document_id, "lease_token": token})
        except Exception:
            Document.objects.filter(pk__in=document_ids[position:], fetch_lease_token=token).update(
                fetch_lease_until=None, fetch_lease_token="", next_fetch_at=due_at
            )
            raise


def document_capture_queue(*, document: Document) -> bool:
    """Queue a capture of the document as soon as the caller's transaction commits (a curator
    saved a new or changed source, and wants to see it fetched now, not at the next due time).
    False, and nothing queued, when the document is not monitored or has no source URL. The
    task claims the lease itself, so a fetch already running elsewhere is not doubled."""
    from apps.documents.tasks import snapshot_document

    if not document.is_monitored or not document.source_url:
        return False
    snapshot_document.delay_on_commit(document.pk)
    return True


def document_fetch_lease_release(*, document_id: int, token: str) -> None:
    Document.objects.filter(pk=document_id, fetch_lease_token=token).update(
        fetch_lease_until=None, fetch_lease_token=""
    )


# What the database raises when it went away (a restart, a failover): the connection broke, or
# no connection could be made.
DATABASE_GONE = (OperationalError, InterfaceError)
# What a run raises when a service it needs went away: the database, or Redis (the page cache
# a new version invalidates, the fetcher's shared politeness state).
OUTAGE_ERRORS = (*DATABASE_GONE, redis.ConnectionError, redis.TimeoutError)


def document_fetch_lease_return(*, document_id: int, token: str) -> bool:
    """Give back the lease of a run an outage cut off, once the database is there: the document
    is due at once, so the next dispatch after the outage queues it again, rather than a lease
    later. Waits up to DOCUMENTS_DATABASE_WAIT_SECONDS for the database; False when it did not
    come back by then (the lease then runs out on its own)."""
    deadline = time.monotonic() + settings.DOCUMENTS_DATABASE_WAIT_SECONDS
    while True:
        if not connection.in_atomic_block:
            # A broken connection is dropped here; the next query opens a new one.
            connection.close_if_unusable_or_obsolete()
        try:
            document_fetch_lease_hand_back(document_id=document_id, token=token)
            return True
        except DATABASE_GONE:
            if time.monotonic() >= deadline:
                return False
            time.sleep(1)


def worker_run() -> str:
    """This worker start's name, "<node name>#<random>" (set by conductatlas.celery when a
    worker starts); empty outside a worker."""
    return os.environ.get("CONDUCTATLAS_WORKER_RUN", "")


def documents_fetch_leases_of_lost_runs_return(*, run: str) -> list[int]:
    """Give back the leases of the fetches a previous start of this worker left unfinished:
    it died (a kill, a crash, the host's restart) and its node name is this worker's, so none
    of them is still running. Their documents are due at once instead of a lease later. Only a
    live lease of a document whose latest attempt is such a fetch is given back; should the
    dispatcher have leased the document anew a moment before (its fetch not started yet), that
    task finds no lease and does nothing, and the next dispatch queues the document. Returns
    the documents."""
    node = run.partition("#")[0]
    lost = (
        FetchAttempt.objects.filter(outcome=FetchOutcome.STARTED, runner__startswith=f"{node}#")
        .exclude(runner=run)
        .annotate(
            newer=Exists(
                FetchAttempt.objects.filter(
                    document=OuterRef("document"), started_at__gt=OuterRef("started_at")
                )
            )
        )
    )
    lost_ids, documents = [], []
    now = timezone.now()
    for attempt_id, document_id, newer in lost.values_list("pk", "document_id", "newer"):
        lost_ids.append(attempt_id)
        if not newer and Document.objects.filter(pk=document_id, fetch_lease_until__gt=now).update(
            fetch_lease_until=None, fetch_lease_token="", next_fetch_at=now
        ):
            documents.append(document_id)
    # Looked at once: they show as interrupted from now on.
    FetchAttempt.objects.filter(pk__in=lost_ids).update(runner="")
    return documents


def document_fetch_lease_hand_back(*, document_id: int, token: str) -> None:
    """Free a lease whose run an outage cut off, and make the document due at once."""
    Document.objects.filter(pk=document_id, fetch_lease_token=token).update(
        fetch_lease_until=None, fetch_lease_token="", next_fetch_at=timezone.now()
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


def document_fetch_postpone(*, document_id: int) -> None:
    """Move a document's due time a backoff from now: a run stopped before it could record
    anything (its time limit) is tried again after a backoff, not at the next dispatch."""
    failures = (
        Document.objects.filter(pk=document_id)
        .values_list("consecutive_failures", flat=True)
        .first()
    )
    seconds = fetch_retry_countdown(retries=failures or 0)
    Document.objects.filter(pk=document_id).update(
        next_fetch_at=timezone.now() + timedelta(seconds=seconds)
    )


def fetch_retry_countdown(*, retries: int, retry_after: float | None = None) -> float:
    """Seconds before retry number `retries + 1` of a transient failure: exponential backoff
    with full jitter, never sooner than the server's Retry-After, capped."""
    backoff = min(settings.DOCUMENTS_FETCH_RETRY_BASE_SECONDS * 2**retries, 3600)
    return max(retry_after or 0.0, random.uniform(backoff / 2, backoff))
