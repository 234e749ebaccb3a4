"""Wayback Machine captures of the pages recorded versions came from.

A capture takes several runs (submit, then poll until Save Page Now is done) and may meet
transient failures. None of them waits in the broker: a version owed a capture carries the
time its next run is due, and the capture pass queues the versions whose time has come."""

import logging
from datetime import datetime, timedelta
from enum import StrEnum

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.documents import wayback
from apps.documents.models import DocumentVersion
from apps.documents.services.scheduling import fetch_retry_countdown

logger = logging.getLogger(__name__)


class WaybackState(StrEnum):
    ARCHIVED = "archived"
    PENDING = "pending"
    FAILED = "failed"
    DISABLED = "disabled"


def version_wayback_capture(*, version: DocumentVersion) -> WaybackState:
    """Ask the Wayback Machine (Save Page Now) to capture the page a version came from, then
    poll the capture; once it succeeds its archive URL is stored on the version. Idempotent:
    a version with an archive URL is left alone, a submitted job is polled, not resubmitted.
    Raises wayback.WaybackError on transport failures (the task retries them)."""
    if version.archive_url:
        return WaybackState.ARCHIVED
    if not settings.WAYBACK_ENABLED:
        return WaybackState.DISABLED
    if not version.wayback_job_id:
        snapshot = version.snapshot
        page_url = (snapshot.final_url if snapshot else "") or version.document.source_url
        version.wayback_job_id = wayback.capture_request(page_url)[:100]
        DocumentVersion.objects.filter(pk=version.pk).update(wayback_job_id=version.wayback_job_id)
    status = wayback.capture_status(version.wayback_job_id)
    if status.state == wayback.CaptureState.SUCCESS:
        version.archive_url = status.archive_url
        version.wayback_job_id = ""
        version.full_clean(validate_unique=False, validate_constraints=False)
        DocumentVersion.objects.filter(pk=version.pk).update(
            archive_url=version.archive_url, wayback_job_id=""
        )
        return WaybackState.ARCHIVED
    if status.state == wayback.CaptureState.ERROR:
        logger.warning("Wayback capture of %s failed: %s", version, status.message)
        DocumentVersion.objects.filter(pk=version.pk).update(wayback_job_id="")
        return WaybackState.FAILED
    return WaybackState.PENDING


def _claimed_until(now: datetime) -> datetime:
    return now + timedelta(seconds=settings.WAYBACK_CLAIM_SECONDS)


def version_wayback_queue(*, version_id: int) -> None:
    """Owe a version its capture: queued now, and due again after a claim should that run
    never happen (its worker died, its message was lost)."""
    from apps.documents.tasks import wayback_capture

    DocumentVersion.objects.filter(pk=version_id).update(
        wayback_due_at=_claimed_until(timezone.now()), wayback_attempts=0
    )
    wayback_capture.delay_on_commit(version_id)


def version_wayback_run(*, version: DocumentVersion) -> WaybackState:
    """One run of a version's capture, and when the next is due: a pending job is polled after
    WAYBACK_POLL_SECONDS, a transient failure retried after a backoff, both at most
    WAYBACK_MAX_ATTEMPTS runs in all; an archived, failed or disabled capture is owed no more."""
    attempts = version.wayback_attempts + 1
    retry_in = None
    try:
        state = version_wayback_capture(version=version)
    except wayback.WaybackError as error:
        logger.warning("Wayback capture of version %s failed: %s", version.pk, error)
        state = WaybackState.PENDING if error.retryable else WaybackState.FAILED
        retry_in = fetch_retry_countdown(retries=attempts - 1)
    if state == WaybackState.PENDING and attempts >= settings.WAYBACK_MAX_ATTEMPTS:
        logger.warning(
            "Wayback capture of version %s abandoned after %s runs", version.pk, attempts
        )
        state = WaybackState.FAILED
    due_at = None
    if state == WaybackState.PENDING:
        due_at = timezone.now() + timedelta(seconds=retry_in or settings.WAYBACK_POLL_SECONDS)
    DocumentVersion.objects.filter(pk=version.pk).update(
        wayback_due_at=due_at, wayback_attempts=attempts
    )
    return state


def versions_wayback_dispatch(*, now: datetime | None = None) -> list[int]:
    """Queue the captures whose next run is due, each claimed (due again after a claim)
    first so that the next pass does not queue it twice while it waits in the queue."""
    from apps.documents.tasks import wayback_capture

    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            DocumentVersion.objects.filter(wayback_due_at__lte=now)
            .order_by("wayback_due_at", "pk")
            .values_list("pk", flat=True)[: settings.WAYBACK_DISPATCH_BATCH]
        )
        DocumentVersion.objects.filter(pk__in=due).update(wayback_due_at=_claimed_until(now))
        for version_id in due:
            wayback_capture.delay_on_commit(version_id)
    return due
