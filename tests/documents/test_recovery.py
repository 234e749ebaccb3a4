"""Recovery from a dead worker through the database: leases sized to the snapshot task's hard
time limit, the dispatcher queuing a document again once its lease has expired, a run stopped
by its soft time limit tried again after a backoff, not at once, and a run the database's going
away cut off due again as soon as the database is back."""

from datetime import timedelta

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core import checks
from django.db import OperationalError
from django.db.models import QuerySet
from django.utils import timezone

from apps.documents import tasks
from apps.documents.checks import visibility_timeout_covers_the_lease
from apps.documents.models import FetchAttempt, FetchOutcome
from apps.documents.services import documents_dispatch, pipeline, scheduling
from apps.documents.tasks import snapshot_document
from tests.documents.pipeline_helpers import MARKDOWN, corpus_bytes
from tests.factories import DocumentFactory

pytestmark = pytest.mark.django_db


def test_the_lease_outlives_the_snapshot_tasks_hard_time_limit(settings):
    assert snapshot_document.time_limit == settings.DOCUMENTS_SNAPSHOT_TIME_LIMIT_SECONDS
    assert snapshot_document.soft_time_limit < snapshot_document.time_limit
    assert settings.DOCUMENTS_FETCH_LEASE_SECONDS == (
        settings.DOCUMENTS_SNAPSHOT_TIME_LIMIT_SECONDS
        + settings.DOCUMENTS_FETCH_LEASE_MARGIN_SECONDS
    )
    document = DocumentFactory(next_fetch_at=None)
    now = timezone.now()

    documents_dispatch(now=now)

    document.refresh_from_db()
    assert document.fetch_lease_until - now >= timedelta(
        seconds=settings.DOCUMENTS_SNAPSHOT_TIME_LIMIT_SECONDS
    )


def test_a_document_whose_worker_died_is_queued_again_once_its_lease_expires(
    corpus_server, settings, django_capture_on_commit_callbacks
):
    url = corpus_server.route(
        "/terms", body=corpus_bytes("zoom__terms-of-service", "v004.md"), content_type=MARKDOWN
    )
    document = DocumentFactory(source_url=url, next_fetch_at=None)
    dispatched_at = timezone.now()
    # Dispatched, then the worker holding the task dies: the message is never run.
    with django_capture_on_commit_callbacks() as lost:
        assert documents_dispatch(now=dispatched_at) == [document.pk]
    lease = timedelta(seconds=settings.DOCUMENTS_FETCH_LEASE_SECONDS)

    with django_capture_on_commit_callbacks():
        assert documents_dispatch(now=dispatched_at + lease - timedelta(seconds=1)) == []
    with django_capture_on_commit_callbacks(execute=True):
        assert documents_dispatch(now=dispatched_at + lease) == [document.pk]

    document.refresh_from_db()
    assert document.versions.count() == 1
    assert document.fetch_lease_until is None
    # The lost message, delivered at last, finds its lease gone and does nothing.
    (lost_send,) = lost
    lost_send()
    assert document.versions.count() == 1
    assert len(corpus_server.requests) == 1


def test_a_run_stopped_at_its_soft_time_limit_is_tried_again_after_a_backoff(monkeypatch, settings):
    settings.DOCUMENTS_FETCH_RETRY_BASE_SECONDS = 60
    document = DocumentFactory(next_fetch_at=timezone.now() - timedelta(hours=1))

    def overlong(**kwargs):
        raise SoftTimeLimitExceeded

    monkeypatch.setattr(tasks, "document_snapshot_queued", overlong)

    with pytest.raises(SoftTimeLimitExceeded):
        snapshot_document(document.pk)

    document.refresh_from_db()
    wait = document.next_fetch_at - timezone.now()
    assert timedelta(seconds=25) <= wait <= timedelta(seconds=60)


def test_a_visibility_timeout_shorter_than_the_lease_is_reported(settings):
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
    assert visibility_timeout_covers_the_lease(None) == []

    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 60}
    (warning,) = visibility_timeout_covers_the_lease(None)
    assert (warning.level, warning.id) == (checks.WARNING, "documents.W001")


def test_a_redelivered_message_for_a_finished_run_does_nothing(corpus_server):
    url = corpus_server.route(
        "/terms", body=corpus_bytes("zoom__terms-of-service", "v004.md"), content_type=MARKDOWN
    )
    document = DocumentFactory(source_url=url, next_fetch_at=None)
    token = "0" * 32
    type(document).objects.filter(pk=document.pk).update(
        fetch_lease_until=timezone.now() + timedelta(minutes=5), fetch_lease_token=token
    )

    assert snapshot_document(document.pk, lease_token=token) == FetchOutcome.NEW_VERSION
    assert snapshot_document(document.pk, lease_token=token) == "skipped"
    assert len(corpus_server.requests) == 1


def leased(document, *, minutes: float = 5) -> str:
    """Leases the document as the dispatcher does (its due time moved to the lease's end)."""
    token = "1" * 32
    until = timezone.now() + timedelta(minutes=minutes)
    type(document).objects.filter(pk=document.pk).update(
        fetch_lease_until=until, fetch_lease_token=token, next_fetch_at=until
    )
    return token


def database_gone_for(monkeypatch, method: str, calls: int):
    """The database answers the first `calls` calls of QuerySet.`method` as a server that went
    away does; the sleeps between tries are skipped."""
    real = getattr(QuerySet, method)
    failures = iter(range(calls))

    def flaky(queryset, *args, **kwargs):
        if next(failures, None) is not None:
            raise OperationalError("server closed the connection unexpectedly")
        return real(queryset, *args, **kwargs)

    monkeypatch.setattr(QuerySet, method, flaky)
    monkeypatch.setattr(scheduling.time, "sleep", lambda seconds: None)


def test_a_run_the_database_going_away_cut_off_is_due_again_once_it_is_back(monkeypatch):
    document = DocumentFactory()
    token = leased(document)

    def cut_off(**kwargs):
        # The run broke mid-way, and the database refuses the next two statements too.
        database_gone_for(monkeypatch, "update", calls=2)
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(pipeline, "_snapshot_run", cut_off)
    before = timezone.now()

    with pytest.raises(OperationalError):
        snapshot_document(document.pk, lease_token=token)

    document.refresh_from_db()
    assert (document.fetch_lease_token, document.fetch_lease_until) == ("", None)
    assert before <= document.next_fetch_at <= timezone.now()
    assert documents_dispatch() == [document.pk]


def test_a_run_cut_off_by_redis_going_away_is_due_again_at_once(monkeypatch):
    """A new version invalidates cached pages in Redis; with Redis gone the run fails, and its
    document is fetched again at the first dispatch after the outage."""
    import redis

    document = DocumentFactory()
    token = leased(document)

    def cut_off(**kwargs):
        raise redis.ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(pipeline, "_snapshot_run", cut_off)

    with pytest.raises(redis.ConnectionError):
        snapshot_document(document.pk, lease_token=token)

    document.refresh_from_db()
    assert (document.fetch_lease_token, document.fetch_lease_until) == ("", None)
    assert document.next_fetch_at <= timezone.now()


def test_a_task_the_database_kept_from_starting_gives_its_lease_back(monkeypatch):
    document = DocumentFactory()
    token = leased(document)
    database_gone_for(monkeypatch, "first", calls=1)

    with pytest.raises(OperationalError):
        snapshot_document(document.pk, lease_token=token)

    document.refresh_from_db()
    assert (document.fetch_lease_token, document.fetch_lease_until) == ("", None)
    assert document.next_fetch_at <= timezone.now()


def test_a_database_that_stays_away_leaves_the_lease_to_run_out(monkeypatch, settings):
    settings.DOCUMENTS_DATABASE_WAIT_SECONDS = 0
    document = DocumentFactory()
    token = leased(document)
    database_gone_for(monkeypatch, "update", calls=1)

    assert scheduling.document_fetch_lease_return(document_id=document.pk, token=token) is False

    document.refresh_from_db()
    assert document.fetch_lease_token == token


def test_a_run_that_failed_otherwise_waits_for_its_due_time(monkeypatch):
    """Any other error (a bug, say) frees the lease but keeps the due time: a document whose
    runs keep failing is not fetched again at every dispatch."""
    document = DocumentFactory()
    token = leased(document)
    due_at = type(document).objects.get(pk=document.pk).next_fetch_at

    def broken(**kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(pipeline, "_snapshot_run", broken)

    with pytest.raises(RuntimeError):
        snapshot_document(document.pk, lease_token=token)

    document.refresh_from_db()
    assert (document.fetch_lease_token, document.next_fetch_at) == ("", due_at)


# The hook closes the main process's connection, which a test transaction would not survive.
@pytest.mark.django_db(transaction=True)
def test_a_run_cancelled_when_the_worker_lost_the_broker_gives_its_lease_back():
    """Celery's worker cancels the runs it cannot acknowledge after losing the broker, and
    reports each to the task's on_retry in its main process."""
    from celery.exceptions import Retry

    document = DocumentFactory()
    token = leased(document)
    captured = DocumentFactory()
    captured_token = leased(captured)

    snapshot_document.on_retry(
        Retry("cancelled by Celery"),
        "task-id",
        (),
        {"document_id": document.pk, "lease_token": token},
        None,
    )
    # A capture a curator queued carries no lease of the dispatcher's: its run's own expires.
    snapshot_document.on_retry(Retry("cancelled by Celery"), "task-id", (captured.pk,), {}, None)

    document.refresh_from_db()
    assert (document.fetch_lease_token, document.fetch_lease_until) == ("", None)
    assert document.next_fetch_at <= timezone.now()
    captured.refresh_from_db()
    assert captured.fetch_lease_token == captured_token


def test_a_fetch_records_its_worker_run_until_it_finishes(corpus_server, monkeypatch):
    from apps.documents.services.pipeline import _attempt_start

    monkeypatch.setenv("CONDUCTATLAS_WORKER_RUN", "celery@host#run2")
    url = corpus_server.route(
        "/terms", body=corpus_bytes("zoom__terms-of-service", "v004.md"), content_type=MARKDOWN
    )
    document = DocumentFactory(source_url=url)
    token = leased(document)

    started = _attempt_start(document=document, lease_token=token)
    assert FetchAttempt.objects.get(pk=started.pk).runner == "celery@host#run2"

    snapshot_document(document.pk, lease_token=token)
    finished = document.fetch_attempts.exclude(pk=started.pk).get()
    assert (finished.outcome, finished.runner) == (FetchOutcome.NEW_VERSION, "")


def test_a_worker_started_again_gives_back_the_leases_its_previous_start_left(monkeypatch):
    """celery@host died with two fetches running; the same node, started again, gives their
    leases back, and none of another node's, of its own start's, or of a document leased anew."""
    now = timezone.now()

    def fetch_in_flight(runner: str, *, minutes_ago: float = 1):
        document = DocumentFactory()
        leased(document)
        attempt = FetchAttempt.objects.create(
            document=document,
            started_at=now - timedelta(minutes=minutes_ago),
            outcome=FetchOutcome.STARTED,
            runner=runner,
        )
        return document, attempt

    lost = [fetch_in_flight("celery@host#run1"), fetch_in_flight("celery@host#run1")]
    other_node, _ = fetch_in_flight("celery@other#run1")
    this_start, _ = fetch_in_flight("celery@host#run2")
    leased_anew, old_attempt = fetch_in_flight("celery@host#run1", minutes_ago=20)
    FetchAttempt.objects.create(document=leased_anew, started_at=now, outcome=FetchOutcome.STARTED)
    expired, _ = fetch_in_flight("celery@host#run1")
    type(expired).objects.filter(pk=expired.pk).update(fetch_lease_until=now - timedelta(seconds=1))

    returned = scheduling.documents_fetch_leases_of_lost_runs_return(run="celery@host#run2")

    assert sorted(returned) == sorted(document.pk for document, _ in lost)
    for document, attempt in lost:
        document.refresh_from_db()
        assert (document.fetch_lease_token, document.fetch_lease_until) == ("", None)
        assert document.next_fetch_at <= timezone.now()
        attempt.refresh_from_db()
        assert (attempt.outcome, attempt.runner) == (FetchOutcome.STARTED, "")
    for kept in (other_node, this_start, leased_anew):
        kept.refresh_from_db()
        assert kept.fetch_lease_token
    old_attempt.refresh_from_db()
    assert old_attempt.runner == ""
    # The lost ones are looked at once: the next start finds only what run2 left.
    assert scheduling.documents_fetch_leases_of_lost_runs_return(run="celery@host#run3") == [
        this_start.pk
    ]
