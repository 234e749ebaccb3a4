"""Celery tasks of the documents app: thin wrappers that take ids and call one service each.

All are safe to run twice (acks_late redelivers a task whose worker died): the services
converge on the same versions, snapshots and archive URLs."""

import logging

from celery import shared_task
from django.conf import settings

from apps.documents.models import Document, DocumentVersion
from apps.documents.selectors import snapshots_scrub_batch_size
from apps.documents.services import (
    WaybackState,
    document_snapshot,
    documents_dispatch,
    fetch_attempts_prune,
    fetch_retry_countdown,
    snapshots_verify,
    version_wayback_capture,
)
from apps.documents.wayback import WaybackError

logger = logging.getLogger(__name__)

# Save Page Now usually finishes a capture within a minute or two.
WAYBACK_POLL_SECONDS = 30
WAYBACK_MAX_POLLS = 20


@shared_task
def dispatch_due_documents() -> int:
    return len(documents_dispatch())


@shared_task(bind=True, max_retries=settings.DOCUMENTS_FETCH_MAX_RETRIES)
def snapshot_document(self, document_id: int, lease_token: str | None = None) -> str:
    document = Document.objects.filter(pk=document_id).first()
    if document is None:
        return "missing"
    run = document_snapshot(document=document, lease_token=lease_token)
    if run.attempt is None:
        return "skipped"
    if run.retryable and self.request.retries < self.max_retries:
        # The lease was released when the run ended; the retry claims a fresh one.
        raise self.retry(
            kwargs={"document_id": document_id, "lease_token": None},
            countdown=fetch_retry_countdown(
                retries=self.request.retries, retry_after=run.retry_after
            ),
        )
    return run.attempt.outcome


@shared_task
def verify_archive_batch() -> int:
    report = snapshots_verify(limit=snapshots_scrub_batch_size())
    return len(report.problems)


@shared_task
def prune_fetch_attempts() -> int:
    return fetch_attempts_prune()


@shared_task(
    bind=True,
    rate_limit=settings.WAYBACK_RATE_LIMIT,
    max_retries=WAYBACK_MAX_POLLS,
)
def wayback_capture(self, version_id: int) -> str:
    version = (
        DocumentVersion.objects.select_related("document", "snapshot").filter(pk=version_id).first()
    )
    if version is None:
        return "missing"
    try:
        state = version_wayback_capture(version=version)
    except WaybackError as error:
        if not error.retryable:
            logger.warning("Wayback capture of version %s abandoned: %s", version_id, error)
            return "failed"
        raise self.retry(
            exc=error, countdown=fetch_retry_countdown(retries=self.request.retries)
        ) from error
    if state == WaybackState.PENDING:
        raise self.retry(countdown=WAYBACK_POLL_SECONDS)
    return state
