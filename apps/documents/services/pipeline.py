"""The snapshot pipeline: one run for one document (lease, fetch, ingest, record the attempt,
schedule the next run)."""

import time
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from apps.core.exceptions import ApplicationError
from apps.documents import fetcher
from apps.documents.archive import raw_sha256
from apps.documents.models import AttemptErrorKind, Document, FetchAttempt, FetchOutcome
from apps.documents.services.ingest import (
    IngestOutcome,
    IngestReason,
    snapshot_already_read,
    snapshot_ingest,
)
from apps.documents.services.rows import row_update
from apps.documents.services.scheduling import (
    DATABASE_GONE,
    OUTAGE_ERRORS,
    document_fetch_due_after,
    document_fetch_lease_claim,
    document_fetch_lease_release,
    document_fetch_lease_return,
    worker_run,
)


@dataclass(frozen=True)
class SnapshotRun:
    """What one run of the pipeline did. `attempt` is None when the run was skipped because
    another worker holds the document's lease."""

    attempt: FetchAttempt | None
    ingest: IngestOutcome | None = None


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
    try:
        return _snapshot_run(document=document, lease_token=lease_token)
    except OUTAGE_ERRORS:
        document_fetch_lease_return(document_id=document.pk, token=lease_token)
        raise
    except BaseException:
        document_fetch_lease_release(document_id=document.pk, token=lease_token)
        raise


def document_snapshot_queued(*, document_id: int, lease_token: str | None) -> SnapshotRun | None:
    """The run a queued task asks for; None when the document no longer exists. A dispatcher's
    lease that the database's going away kept the task from starting on is given back once the
    database returns, as the lease of a run an outage cut off is (`document_snapshot`)."""
    try:
        document = Document.objects.filter(pk=document_id).first()
    except DATABASE_GONE:
        if lease_token is not None:
            document_fetch_lease_return(document_id=document_id, token=lease_token)
        raise
    if document is None:
        return None
    return document_snapshot(document=document, lease_token=lease_token)


# What the attempt's finishing UPDATE writes (its start INSERT wrote the rest).
_ATTEMPT_FINISH_FIELDS = [
    "finished_at",
    "outcome",
    "error_kind",
    "message",
    "http_status",
    "duration_ms",
    "raw_sha256",
    "version",
    "runner",
]


def _attempt_start(*, document: Document, lease_token: str) -> FetchAttempt | None:
    """Record the run's attempt as started, before the network call and in its own short
    commit, so a run a crash cuts off stays in the fetch history (as interrupted once its lease
    is over); None when the lease is no longer this run's (it expired and another run took it).

    One INSERT ... SELECT checks the lease and writes the row: on the daily check of an
    unchanged document a separate lease read would cost as much as the insert. The values are
    the pipeline's own (an enum, a time), so there is nothing for full_clean to catch."""
    started_at = timezone.now()
    attempt_columns = {field.name: field.column for field in FetchAttempt._meta.concrete_fields}
    document_columns = {field.name: field.column for field in Document._meta.concrete_fields}
    quote = connection.ops.quote_name
    when = connection.ops.adapt_datetimefield_value(started_at)
    inserted = ", ".join(
        quote(attempt_columns[name])
        for name in ("document", "started_at", "outcome", "error_kind", "message")
        + ("duration_ms", "raw_sha256", "runner")
    )
    # Identifiers come from the models' metadata, every value is a parameter.
    sql = (
        f"INSERT INTO {quote(FetchAttempt._meta.db_table)} ({inserted}) "  # noqa: S608
        f"SELECT {quote(document_columns['id'])}, %s, %s, '', '', 0, '', %s "
        f"FROM {quote(Document._meta.db_table)} WHERE {quote(document_columns['id'])} = %s "
        f"AND {quote(document_columns['fetch_lease_token'])} = %s "
        f"AND {quote(document_columns['fetch_lease_until'])} > %s "
        f"RETURNING {quote(attempt_columns['id'])}"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql, [when, FetchOutcome.STARTED, worker_run(), document.pk, lease_token, when]
        )
        row = cursor.fetchone()
    if row is None:
        return None
    return FetchAttempt(
        pk=row[0], document=document, started_at=started_at, outcome=FetchOutcome.STARTED
    )


def _snapshot_run(*, document: Document, lease_token: str) -> SnapshotRun:
    clock = time.perf_counter()
    attempt = _attempt_start(document=document, lease_token=lease_token)
    if attempt is None:
        return SnapshotRun(attempt=None)
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

    # One transaction for everything written after the fetch, the attempt's finish included: on
    # the daily path of an unchanged document that and the start INSERT are the whole cost
    # beside the lease claim (SQLite commits fsync).
    raw_sha = raw_sha256(result.body) if result is not None else ""
    with transaction.atomic():
        if result is not None and result.not_modified:
            attempt.outcome = FetchOutcome.NOT_MODIFIED
            attempt.raw_sha256 = document.last_raw_sha256
        elif result is not None and snapshot_already_read(document=document, raw_sha=raw_sha):
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
        row_update(
            FetchAttempt,
            values={
                name: getattr(attempt, FetchAttempt._meta.get_field(name).attname)
                for name in _ATTEMPT_FINISH_FIELDS
            },
            where={"id": attempt.pk},
        )

        updates: dict = {
            "next_fetch_at": document_fetch_due_after(
                document=document,
                finished_at=finished_at,
                transient=attempt.error_kind == AttemptErrorKind.TRANSIENT,
                retry_after=retry_after,
            ),
            "fetch_lease_until": None,
            "fetch_lease_token": "",
        }
        increments = ()
        if attempt.outcome == FetchOutcome.ERROR:
            increments = ("consecutive_failures",)
        else:
            updates["consecutive_failures"] = 0
            if ingest is None or ingest.reason == IngestReason.SAME_RAW:
                # Nothing to read: the stored text is still the document's text.
                updates["last_verified_at"] = finished_at
            updates["etag"] = (result.etag or "")[:500]
            updates["last_modified"] = (result.last_modified or "")[:100]
        # The lease holder owns the schedule: had this run outlived its lease, whoever holds
        # it now writes the schedule and ends that lease.
        row_update(
            Document,
            values=updates,
            where={"id": document.pk, "fetch_lease_token": lease_token},
            increments=increments,
        )
    return SnapshotRun(attempt=attempt, ingest=ingest)
