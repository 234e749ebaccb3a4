"""Writes of the documents app, one module per job:

- ``ingest``: decide what a fetched body means and record version, snapshot and change event;
- ``events``: the change event and its announcement after commit;
- ``scheduling``: due times, fetch leases, the dispatcher, retry backoff;
- ``pipeline``: one snapshot run of one document;
- ``verification``: re-hashing the archive;
- ``retention``: pruning the fetch history;
- ``wayback``: Wayback Machine captures.

The public names are importable from here as well."""

from apps.documents.services.events import change_event_record, change_event_summary
from apps.documents.services.ingest import (
    IngestOutcome,
    IngestReason,
    document_extraction_rule_update,
    document_text_extract,
    snapshot_get_or_create,
    snapshot_ingest,
)
from apps.documents.services.pipeline import (
    SnapshotRun,
    document_snapshot,
    document_snapshot_queued,
)
from apps.documents.services.retention import fetch_attempts_prune, fetch_attempts_prune_batch
from apps.documents.services.scheduling import (
    DATABASE_GONE,
    document_capture_queue,
    document_fetch_due_after,
    document_fetch_lease_claim,
    document_fetch_lease_hand_back,
    document_fetch_postpone,
    document_next_fetch_at,
    documents_dispatch,
    documents_dispatch_capacity,
    documents_fetch_leases_of_lost_runs_return,
    fetch_retry_countdown,
    worker_run,
)
from apps.documents.services.verification import ArchiveVerification, snapshots_verify
from apps.documents.services.wayback import (
    WaybackState,
    version_wayback_capture,
    version_wayback_queue,
    version_wayback_run,
    versions_wayback_dispatch,
)

__all__ = [
    "DATABASE_GONE",
    "ArchiveVerification",
    "IngestOutcome",
    "IngestReason",
    "SnapshotRun",
    "WaybackState",
    "change_event_record",
    "change_event_summary",
    "document_capture_queue",
    "document_extraction_rule_update",
    "document_fetch_due_after",
    "document_fetch_lease_claim",
    "document_fetch_lease_hand_back",
    "document_fetch_postpone",
    "document_next_fetch_at",
    "document_snapshot",
    "document_snapshot_queued",
    "document_text_extract",
    "documents_dispatch",
    "documents_dispatch_capacity",
    "documents_fetch_leases_of_lost_runs_return",
    "fetch_attempts_prune",
    "fetch_attempts_prune_batch",
    "fetch_retry_countdown",
    "snapshot_get_or_create",
    "snapshot_ingest",
    "snapshots_verify",
    "version_wayback_capture",
    "version_wayback_queue",
    "version_wayback_run",
    "versions_wayback_dispatch",
    "worker_run",
]
