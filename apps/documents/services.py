"""Writes of the documents app: the snapshot pipeline (fetch, archive, extract, normalise,
decide, record the change event), fetch scheduling with leases, archive verification and
Wayback Machine captures."""

import hashlib
import logging
import math
import random
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from apps.core.exceptions import ApplicationError
from apps.documents import fetcher, wayback
from apps.documents.archive import archive_problem, archive_write, raw_sha256
from apps.documents.diffing import change_summary_build
from apps.documents.extraction import ExtractionError, extract_text
from apps.documents.models import (
    ArchivedSnapshot,
    AttemptErrorKind,
    ChangeEvent,
    Document,
    DocumentVersion,
    FetchAttempt,
    FetchOutcome,
    VersionKind,
)
from apps.documents.normalization import normalize_text, normalized_fingerprint
from apps.documents.signals import change_event_recorded

logger = logging.getLogger(__name__)

# Fewer reader-visible words than this is an error page, a consent wall or a broken selector,
# never a legal document (the shortest real document in the corpus has about 800).
MIN_DOCUMENT_WORDS = 50

_TEXT_MEDIA_TYPES = {"text/markdown", "text/plain"}


class IngestReason(StrEnum):
    FIRST_RECORD = "first_record"
    CHANGE = "change"
    REEXTRACTION = "reextraction"
    UNCHANGED = "unchanged"  # same words as the latest version
    REVERTED = "reverted"  # same words as an earlier version: a flip back, not a change
    SAME_RAW = "same_raw"  # byte-identical to the last ingest: nothing was extracted


@dataclass(frozen=True)
class IngestOutcome:
    reason: IngestReason
    raw_sha256: str
    version: DocumentVersion | None = None
    snapshot: ArchivedSnapshot | None = None
    matched_version: DocumentVersion | None = None

    @property
    def changed(self) -> bool:
        return self.version is not None


def _media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def _charset(content_type: str) -> str | None:
    for parameter in content_type.split(";")[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            return value.strip().strip('"')
    return None


def _selector_lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


def _markup_extract(
    *, document: Document, raw: bytes, media_type: str, charset: str | None, base_url: str
) -> str:
    try:
        return extract_text(
            raw,
            media_type,
            select=_selector_lines(document.select_selectors),
            remove=_selector_lines(document.remove_selectors),
            charset=charset,
            base_url=base_url or None,
        )
    except ExtractionError as error:
        raise ApplicationError(
            f"No text could be extracted: {error.message}", extra={"kind": "extraction"}
        ) from error


def document_text_extract(
    *, document: Document, raw: bytes, content_type: str, base_url: str = ""
) -> str:
    """The document's text as Markdown. Markdown and plain text are the text already; HTML and
    PDF go through the extractor with the document's selectors. Raises ApplicationError (extra
    kind "extraction") when the extractor finds no usable text."""
    media_type = _media_type(content_type)
    charset = _charset(content_type)
    if media_type in _TEXT_MEDIA_TYPES:
        try:
            text = raw.decode(charset or "utf-8", errors="replace")
        except LookupError as error:
            raise ApplicationError(
                f"Unknown character set {charset!r}.", extra={"kind": "extraction"}
            ) from error
    else:
        text = _markup_extract(
            document=document, raw=raw, media_type=media_type, charset=charset, base_url=base_url
        )
    return text


def _require_words(normalized: str) -> None:
    word_count = normalized.count(" ") + 1 if normalized else 0
    if word_count < MIN_DOCUMENT_WORDS:
        raise ApplicationError(
            f"The extracted text has {word_count} words (at least {MIN_DOCUMENT_WORDS} expected): "
            "an error page or a selector that no longer matches the document.",
            extra={"kind": "extraction", "words": word_count},
        )


def snapshot_get_or_create(
    *, raw: bytes, content_type: str, final_url: str, headers: dict, fetched_at: datetime
) -> ArchivedSnapshot:
    """The archived snapshot of these bytes, storing them on first sight. Idempotent: the same
    bytes always give the same row and file, and an existing snapshot is never altered. A new
    file is read back from storage and re-hashed before its row is written, so its "hash
    verified" mark is true from the start; one that does not verify raises OSError."""
    sha256 = raw_sha256(raw)
    existing = ArchivedSnapshot.objects.filter(sha256=sha256).first()
    if existing is not None:
        return existing
    sha256, storage_name = archive_write(raw)
    problem = archive_problem(storage_name, sha256)
    if problem is not None:
        raise OSError(f"Archived snapshot {sha256} did not verify after writing: {problem}")
    snapshot = ArchivedSnapshot(
        sha256=sha256,
        storage_name=storage_name,
        size=len(raw),
        content_type=content_type[:100],
        final_url=final_url,
        headers={str(name): str(value) for name, value in headers.items()},
        fetched_at=fetched_at,
        last_verified_at=timezone.now(),
        last_verification_ok=True,
    )
    snapshot.full_clean(validate_unique=False)
    with transaction.atomic():
        snapshot, _ = ArchivedSnapshot.objects.get_or_create(
            sha256=sha256,
            defaults={
                field: getattr(snapshot, field)
                for field in (
                    "storage_name",
                    "size",
                    "content_type",
                    "final_url",
                    "headers",
                    "fetched_at",
                    "last_verified_at",
                    "last_verification_ok",
                )
            },
        )
    return snapshot


def _document_mark_ingested(*, document: Document, raw_sha: str, verified_at: datetime) -> None:
    updates = {
        "last_verified_at": verified_at,
        "last_raw_sha256": raw_sha,
        "last_raw_rule_version": document.extraction_rule_version,
    }
    Document.objects.filter(pk=document.pk).update(**updates)
    for name, value in updates.items():
        setattr(document, name, value)


def _already_read(*, document: Document, raw_sha: str) -> bool:
    """The fast path of the daily check: identical bytes read with the same rule cannot yield
    a different text, so nothing needs extracting."""
    return (
        raw_sha == document.last_raw_sha256
        and document.last_raw_rule_version == document.extraction_rule_version
    )


def snapshot_ingest(
    *,
    document: Document,
    raw: bytes,
    content_type: str,
    final_url: str,
    headers: dict,
    fetched_at: datetime,
) -> IngestOutcome:
    """Decide what one fetched body means for a document and record it.

    A new version is recorded only when the normalised text differs from every earlier version
    of the document (a flip back to an earlier text is not a change); it is a technical
    re-extraction when the document's extraction rule changed since the last body was read
    (a source change that lands in the very fetch that first applies a new rule is recorded as
    a re-extraction too: the two cannot be told apart from one fetch). The raw bytes are
    archived with the version. Otherwise only "last verified" moves. Raises ApplicationError
    (extra kind "extraction") when the body holds no usable text."""
    raw_sha = raw_sha256(raw)
    if _already_read(document=document, raw_sha=raw_sha):
        _document_mark_ingested(document=document, raw_sha=raw_sha, verified_at=fetched_at)
        return IngestOutcome(reason=IngestReason.SAME_RAW, raw_sha256=raw_sha)

    text = document_text_extract(
        document=document, raw=raw, content_type=content_type, base_url=final_url
    )
    normalized = normalize_text(text)
    _require_words(normalized)
    fingerprint = normalized_fingerprint(normalized)

    with transaction.atomic():
        # Serialises concurrent ingests of one document (PostgreSQL row lock; SQLite serialises
        # writers anyway), so version numbers are handed out once each.
        Document.objects.select_for_update().filter(pk=document.pk).first()
        matched = (
            DocumentVersion.objects.filter(document=document, text_sha256=fingerprint)
            .order_by("-number")
            .first()
        )
        latest = DocumentVersion.objects.filter(document=document).order_by("-number").first()
        if matched is not None:
            _document_mark_ingested(document=document, raw_sha=raw_sha, verified_at=fetched_at)
            reason = IngestReason.UNCHANGED if matched == latest else IngestReason.REVERTED
            return IngestOutcome(reason=reason, raw_sha256=raw_sha, matched_version=matched)

        # The rule the previous body was read with: a re-extraction that found the same words
        # already moved it on, so the next differing text is a change at the source again.
        previous_rule = document.last_raw_rule_version or (
            latest.extraction_rule_version if latest else None
        )
        if latest is None:
            kind = VersionKind.FIRST_RECORD
        elif previous_rule != document.extraction_rule_version:
            kind = VersionKind.REEXTRACTION
        else:
            kind = VersionKind.CHANGE
        snapshot = snapshot_get_or_create(
            raw=raw,
            content_type=content_type,
            final_url=final_url,
            headers=headers,
            fetched_at=fetched_at,
        )
        version = DocumentVersion(
            document=document,
            number=(latest.number + 1) if latest else 1,
            kind=kind,
            captured_at=fetched_at,
            text=text,
            text_sha256=fingerprint,
            snapshot=snapshot,
            extraction_rule_version=document.extraction_rule_version,
            change_summary=(
                {"from_number": latest.number, **change_summary_build(latest.text, text)}
                if latest
                else {}
            ),
        )
        version.full_clean(validate_unique=False)
        version.save()
        _document_mark_ingested(document=document, raw_sha=raw_sha, verified_at=fetched_at)
        if document.first_tracked_at is None:
            Document.objects.filter(pk=document.pk).update(first_tracked_at=fetched_at)
            document.first_tracked_at = fetched_at
        if kind != VersionKind.REEXTRACTION:
            change_event_record(version=version, previous_version=latest)
    return IngestOutcome(
        reason=IngestReason(kind), raw_sha256=raw_sha, version=version, snapshot=snapshot
    )


# --- change events --------------------------------------------------------------------------


def change_event_summary(*, change_summary: dict, text: str) -> dict:
    """An event's structured summary from its version's change summary: section titles as plain
    text and word counts. A first record (no change summary) adds every word of its text."""
    if not change_summary:
        return {
            "sections_added": [],
            "sections_removed": [],
            "sections_reworded": [],
            "words_added": len(normalize_text(text).split()),
            "words_removed": 0,
        }
    return {
        "sections_added": change_summary["sections_added"],
        "sections_removed": change_summary["sections_removed"],
        "sections_reworded": [item["heading"] for item in change_summary["sections_reworded"]],
        "words_added": change_summary["words_added"],
        "words_removed": change_summary["words_removed"],
    }


def change_event_record(
    *, version: DocumentVersion, previous_version: DocumentVersion | None
) -> ChangeEvent:
    """Record that a version changed its document, inside the caller's transaction, and
    announce it once that transaction commits."""
    event = ChangeEvent(
        document_id=version.document_id,
        version=version,
        previous_version=previous_version,
        summary=change_event_summary(change_summary=version.change_summary, text=version.text),
        # When the change was seen, not when the row was written: a replayed history (the demo
        # loader) keeps its dates.
        created_at=version.captured_at,
    )
    event.full_clean(validate_unique=False)
    event.save()
    event_id, version_id = event.pk, version.pk
    transaction.on_commit(
        lambda: _change_event_announce(change_event_id=event_id, version_id=version_id)
    )
    return event


def _change_event_announce(*, change_event_id: int, version_id: int) -> None:
    # Each reaction is queued on its own: one that cannot be queued (or, run eagerly, fails) is
    # logged and must neither stop the others nor fail the snapshot just committed.
    responses = change_event_recorded.send_robust(
        sender=ChangeEvent, change_event_id=change_event_id, version_id=version_id
    )
    for receiver, response in responses:
        if isinstance(response, Exception):
            logger.error(
                "Reaction %s to change event %s failed: %r",
                getattr(receiver, "__qualname__", receiver),
                change_event_id,
                response,
                exc_info=response,
            )


# --- extraction rules ------------------------------------------------------------------------


def document_extraction_rule_update(
    *, document: Document, select_selectors: str, remove_selectors: str
) -> Document:
    """Change a document's selectors. A real change raises its extraction rule version, so the
    next differing text is recorded as a technical re-extraction, not a change at the source."""
    if (select_selectors, remove_selectors) != (
        document.select_selectors,
        document.remove_selectors,
    ):
        document.select_selectors = select_selectors
        document.remove_selectors = remove_selectors
        document.extraction_rule_version += 1
        document.full_clean()
        document.save()
    return document


# --- scheduling and leases -------------------------------------------------------------------


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


def _lease_holds(*, document_id: int, token: str) -> bool:
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


# --- the pipeline ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SnapshotRun:
    """What one run of the pipeline did. `attempt` is None when the run was skipped because
    another worker holds the document's lease."""

    attempt: FetchAttempt | None
    ingest: IngestOutcome | None = None
    retry_after: float | None = None

    @property
    def retryable(self) -> bool:
        return self.attempt is not None and self.attempt.error_kind == AttemptErrorKind.TRANSIENT


def document_snapshot(*, document: Document, lease_token: str | None = None) -> SnapshotRun:
    """Fetch one document now and record what came of it.

    Conditional request with the stored ETag/Last-Modified (a 304 only moves "last verified");
    identical bytes skip extraction; otherwise archive, extract, normalise and decide through
    `snapshot_ingest`. Every run leaves a FetchAttempt: fetch failures keep the fetcher's class
    (transient, blocked, gone, refused), an unusable body is an extraction failure, and failures
    in a row are counted. With `lease_token` the caller already holds the document's lease
    (the dispatcher took it); without, one is claimed here. The lease is released at the end."""
    if lease_token is None:
        lease_token = document_fetch_lease_claim(document_id=document.pk)
        if lease_token is None:
            return SnapshotRun(attempt=None)
    elif not _lease_holds(document_id=document.pk, token=lease_token):
        return SnapshotRun(attempt=None)
    try:
        return _snapshot_run(document=document, lease_token=lease_token)
    except BaseException:
        _lease_release(document_id=document.pk, token=lease_token)
        raise


def _lease_release(*, document_id: int, token: str) -> None:
    Document.objects.filter(pk=document_id, fetch_lease_token=token).update(
        fetch_lease_until=None, fetch_lease_token=""
    )


def _snapshot_run(*, document: Document, lease_token: str) -> SnapshotRun:
    started_at = timezone.now()
    clock = time.perf_counter()
    attempt = FetchAttempt(document=document, started_at=started_at)
    retry_after = None
    ingest = None
    result = None
    conditional = document.last_raw_rule_version == document.extraction_rule_version
    try:
        result = fetcher.fetch(
            document.source_url,
            etag=(document.etag or None) if conditional else None,
            last_modified=(document.last_modified or None) if conditional else None,
        )
        attempt.http_status = result.status
    except fetcher.FetchError as error:
        attempt.outcome = FetchOutcome.ERROR
        attempt.error_kind = AttemptErrorKind(str(error.kind))
        attempt.message = error.message
        attempt.http_status = error.status
        retry_after = error.retry_after

    # One transaction for everything written after the fetch: on the daily path of an
    # unchanged document that is the whole cost beside the lease claim (SQLite commits fsync).
    raw_sha = raw_sha256(result.body) if result is not None else ""
    with transaction.atomic():
        if result is not None and result.not_modified:
            attempt.outcome = FetchOutcome.NOT_MODIFIED
            attempt.raw_sha256 = document.last_raw_sha256
        elif result is not None and _already_read(document=document, raw_sha=raw_sha):
            # As snapshot_ingest would decide, but "last verified" goes into the one UPDATE below.
            ingest = IngestOutcome(reason=IngestReason.SAME_RAW, raw_sha256=raw_sha)
            attempt.outcome = FetchOutcome.UNCHANGED
            attempt.raw_sha256 = raw_sha
            attempt.message = str(ingest.reason)
        elif result is not None:
            try:
                ingest = snapshot_ingest(
                    document=document,
                    raw=result.body,
                    content_type=result.headers.get("content-type") or result.content_type,
                    final_url=result.final_url,
                    headers=result.headers,
                    fetched_at=timezone.now(),
                )
            except ApplicationError as error:
                attempt.outcome = FetchOutcome.ERROR
                attempt.error_kind = AttemptErrorKind.EXTRACTION
                attempt.message = error.message
            else:
                attempt.raw_sha256 = ingest.raw_sha256
                attempt.version = ingest.version
                attempt.outcome = (
                    FetchOutcome.NEW_VERSION if ingest.changed else FetchOutcome.UNCHANGED
                )
                attempt.message = str(ingest.reason)
        finished_at = timezone.now()
        attempt.finished_at = finished_at
        attempt.duration_ms = round((time.perf_counter() - clock) * 1000)
        attempt.full_clean(exclude=["document", "version"])
        attempt.save()

        next_fetch_at = document_next_fetch_at(document=document, after=finished_at)
        if retry_after:
            next_fetch_at = max(next_fetch_at, finished_at + timedelta(seconds=retry_after))
        updates: dict = {
            "next_fetch_at": next_fetch_at,
            "fetch_lease_until": None,
            "fetch_lease_token": "",
        }
        if attempt.outcome == FetchOutcome.ERROR:
            updates["consecutive_failures"] = F("consecutive_failures") + 1
        else:
            updates["consecutive_failures"] = 0
            if ingest is None or ingest.reason == IngestReason.SAME_RAW:
                # Nothing to read: the stored text is still the document's text.
                updates["last_verified_at"] = finished_at
            updates["etag"] = (result.etag or "")[:500]
            updates["last_modified"] = (result.last_modified or "")[:100]
        # The lease holder owns the schedule: had this run outlived its lease, whoever holds
        # it now writes the schedule and ends that lease.
        Document.objects.filter(pk=document.pk, fetch_lease_token=lease_token).update(**updates)
    return SnapshotRun(attempt=attempt, ingest=ingest, retry_after=retry_after)


def fetch_retry_countdown(*, retries: int, retry_after: float | None = None) -> float:
    """Seconds before retry number `retries + 1` of a transient failure: exponential backoff
    with full jitter, never sooner than the server's Retry-After, capped."""
    backoff = min(settings.DOCUMENTS_FETCH_RETRY_BASE_SECONDS * 2**retries, 3600)
    return max(retry_after or 0.0, random.uniform(backoff / 2, backoff))


# --- archive verification --------------------------------------------------------------------


@dataclass
class ArchiveVerification:
    checked: int = 0
    problems: list[tuple[ArchivedSnapshot, str]] = field(default_factory=list)


def snapshots_verify(*, limit: int | None = None, progress=None) -> ArchiveVerification:
    """Re-hash stored snapshots (decompress, SHA-256, compare with the address) and record the
    outcome on each, which is what the public "hash verified" mark reads. Least recently
    verified first, all of them or the first `limit`; `progress` is called once per snapshot."""
    snapshots = ArchivedSnapshot.objects.order_by(
        F("last_verified_at").asc(nulls_first=True), "pk"
    )[:limit]
    report = ArchiveVerification()
    for snapshot in snapshots.iterator():
        problem = archive_problem(snapshot.storage_name, snapshot.sha256)
        ArchivedSnapshot.objects.filter(pk=snapshot.pk).update(
            last_verified_at=timezone.now(), last_verification_ok=problem is None
        )
        report.checked += 1
        if problem is not None:
            report.problems.append((snapshot, problem))
            logger.error("Archived snapshot %s failed verification: %s", snapshot.sha256, problem)
        if progress is not None:
            progress()
    return report


# --- Wayback Machine -------------------------------------------------------------------------


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
