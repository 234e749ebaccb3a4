"""Wayback Machine captures of the pages recorded versions came from."""

import logging
from enum import StrEnum

from django.conf import settings

from apps.documents import wayback
from apps.documents.models import DocumentVersion

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
