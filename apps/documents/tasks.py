"""Celery tasks of the documents app: thin wrappers that take ids and call one service each.

All are safe to run twice (acks_late redelivers a task whose worker died): the services
converge on the same versions, snapshots and archive URLs. None depends on being redelivered:
a document's fetch is held by its lease and due time in the database, which the dispatcher
reads every period."""

import logging

from celery import shared_task
from celery.contrib.django.task import DjangoTask
from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import worker_ready
from django.conf import settings
from django.db import connection

from apps.documents.models import DocumentVersion
from apps.documents.selectors import snapshots_scrub_batch_size
from apps.documents.services import (
    DATABASE_GONE,
    document_fetch_lease_hand_back,
    document_fetch_postpone,
    document_snapshot_queued,
    documents_dispatch,
    documents_fetch_leases_of_lost_runs_return,
    fetch_attempts_prune,
    snapshots_verify,
    version_wayback_run,
    versions_wayback_dispatch,
    worker_run,
)

logger = logging.getLogger(__name__)


@worker_ready.connect
def return_the_leases_of_lost_runs(sender, **kwargs):
    """A worker started again after a crash gives back the leases of the fetches its previous
    start left unfinished, in its main process before it takes any task."""
    run = worker_run()
    if not run:
        return
    try:
        documents = documents_fetch_leases_of_lost_runs_return(run=run)
    except DATABASE_GONE:
        logger.warning("Could not give back the leases of a previous start's fetches")
        return
    finally:
        # The main process keeps no connection of its own, for its pool processes to inherit.
        connection.close()
    if documents:
        logger.warning(
            "Gave back the leases of %s fetches a previous start of this worker left unfinished",
            len(documents),
        )


@shared_task
def dispatch_due_documents() -> int:
    return len(documents_dispatch())


class SnapshotTask(DjangoTask):
    def on_retry(self, exc, task_id, args, kwargs, einfo):
        """The worker that loses the broker cancels the runs it cannot acknowledge, and says so
        here, in its main process (snapshot runs never retry themselves, so this is always that
        cancellation). A run queued by the dispatcher gives its lease back, so the first dispatch
        after the broker returns queues the document again, not one a lease later."""
        token = kwargs.get("lease_token")
        if not token:
            return
        try:
            document_fetch_lease_hand_back(document_id=kwargs["document_id"], token=token)
        except DATABASE_GONE:
            # The database is away too: the lease runs out on its own.
            logger.warning("Could not give back the lease of cancelled run %s", task_id)
        finally:
            # The main process keeps no connection of its own, for its pool processes to inherit.
            connection.close()


@shared_task(
    base=SnapshotTask,
    soft_time_limit=settings.DOCUMENTS_SNAPSHOT_SOFT_TIME_LIMIT_SECONDS,
    time_limit=settings.DOCUMENTS_SNAPSHOT_TIME_LIMIT_SECONDS,
)
def snapshot_document(document_id: int, lease_token: str | None = None) -> str:
    """A failed fetch is not retried here: the run sets the document's next due time (a
    backoff after a transient failure) and the dispatcher queues it then."""
    try:
        run = document_snapshot_queued(document_id=document_id, lease_token=lease_token)
    except SoftTimeLimitExceeded:
        # The run released its lease on the way out; without a later due time the next
        # dispatch would start the same overlong run again at once.
        document_fetch_postpone(document_id=document_id)
        raise
    if run is None:
        return "missing"
    if run.attempt is None:
        return "skipped"
    return run.attempt.outcome


@shared_task
def verify_archive_batch() -> int:
    report = snapshots_verify(limit=snapshots_scrub_batch_size())
    return len(report.problems)


@shared_task
def prune_fetch_attempts() -> int:
    return fetch_attempts_prune()


@shared_task(rate_limit=settings.WAYBACK_RATE_LIMIT)
def wayback_capture(version_id: int) -> str:
    version = (
        DocumentVersion.objects.select_related("document", "snapshot").filter(pk=version_id).first()
    )
    if version is None:
        return "missing"
    return version_wayback_run(version=version)


@shared_task
def dispatch_wayback_captures() -> int:
    return len(versions_wayback_dispatch())
