from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from apps.documents.services import (
    document_next_fetch_at,
    documents_dispatch,
    documents_dispatch_capacity,
)
from tests.documents.pipeline_helpers import MARKDOWN, corpus_bytes
from tests.factories import DocumentFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def test_each_document_keeps_a_stable_phase_within_its_interval(settings):
    settings.DOCUMENTS_FETCH_JITTER_SECONDS = 0
    documents = DocumentFactory.create_batch(40, fetch_interval_hours=24)

    phases = []
    for document in documents:
        first = document_next_fetch_at(document=document, after=NOW)
        later = document_next_fetch_at(document=document, after=NOW + timedelta(days=3, hours=5))
        assert (later - first).total_seconds() % 86400 == 0
        assert timedelta(hours=12) <= first - NOW <= timedelta(hours=36)
        phases.append(first.timestamp() % 86400)
    # Spread over the day, not bunched: 40 documents land in at least 15 different hours.
    assert len({int(phase // 3600) for phase in phases}) >= 15


def test_jitter_stays_small():
    document = DocumentFactory(fetch_interval_hours=1)
    times = {document_next_fetch_at(document=document, after=NOW) for _ in range(20)}
    assert len(times) > 1
    assert max(times) - min(times) <= timedelta(minutes=3)


@pytest.fixture
def capacity_of(settings):
    """Sets the worker settings so that a dispatch pass may queue `capacity` documents."""

    def set_capacity(capacity: int, *, batch: int = 500):
        settings.DOCUMENTS_DISPATCH_EVERY_SECONDS = 60
        settings.DOCUMENTS_EXPECTED_CHECK_SECONDS = 60
        settings.DOCUMENTS_WORKER_SLOTS = capacity
        settings.DOCUMENTS_DISPATCH_BATCH = batch

    return set_capacity


@pytest.fixture
def published(monkeypatch):
    """The snapshot tasks a dispatch publishes once its transaction commits: (kwargs, options)."""
    from apps.documents.tasks import snapshot_document

    calls = []
    monkeypatch.setattr(
        snapshot_document,
        "apply_async",
        lambda args=None, kwargs=None, **options: calls.append((kwargs, options)),
    )
    return calls


def test_capacity_is_what_the_worker_slots_check_in_one_period(settings):
    settings.DOCUMENTS_DISPATCH_EVERY_SECONDS = 60
    settings.DOCUMENTS_EXPECTED_CHECK_SECONDS = 2
    settings.DOCUMENTS_WORKER_SLOTS = 24
    assert documents_dispatch_capacity() == 720
    settings.DOCUMENTS_WORKER_SLOTS = 48
    assert documents_dispatch_capacity() == 1440


def test_a_new_document_is_due_at_once():
    before = timezone.now()
    document = DocumentFactory(next_fetch_at=None)
    document.refresh_from_db()
    assert before <= document.next_fetch_at <= timezone.now()


def test_dispatch_queues_the_due_documents_most_overdue_first_up_to_capacity(
    capacity_of, published, django_capture_on_commit_callbacks
):
    capacity_of(3, batch=2)
    now = timezone.now()
    overdue = DocumentFactory(next_fetch_at=now - timedelta(hours=5))
    newly_added = DocumentFactory(next_fetch_at=None)
    slightly_overdue = DocumentFactory(next_fetch_at=now - timedelta(minutes=1))
    DocumentFactory(next_fetch_at=now + timedelta(hours=1))  # not due
    DocumentFactory(next_fetch_at=now - timedelta(hours=9), is_monitored=False)
    newly_added.refresh_from_db()
    least_overdue = DocumentFactory(next_fetch_at=newly_added.next_fetch_at)
    now = timezone.now()

    with django_capture_on_commit_callbacks(execute=True):
        first = documents_dispatch(now=now)
    # Two lease batches (of 2, then 1) up to the capacity of 3, in order of lateness.
    assert first == [overdue.pk, slightly_overdue.pk, newly_added.pk]
    assert [kwargs["document_id"] for kwargs, _ in published] == first

    with django_capture_on_commit_callbacks(execute=True):
        second = documents_dispatch(now=now)
    assert second == [least_overdue.pk]


def test_dispatch_queues_every_task_at_once_with_its_lease(
    capacity_of, published, django_capture_on_commit_callbacks
):
    capacity_of(10)
    documents = DocumentFactory.create_batch(4, next_fetch_at=timezone.now() - timedelta(hours=1))

    with django_capture_on_commit_callbacks(execute=True):
        documents_dispatch()

    assert len(published) == 4
    for kwargs, options in published:
        # No countdown or ETA: a task parked in the broker could be stranded by a dead worker.
        assert options == {}
        document = next(d for d in documents if d.pk == kwargs["document_id"])
        document.refresh_from_db()
        assert document.fetch_lease_token == kwargs["lease_token"]


def test_a_dispatch_started_twice_queues_each_document_once(
    capacity_of, published, django_capture_on_commit_callbacks
):
    capacity_of(100)
    due = DocumentFactory.create_batch(5, next_fetch_at=timezone.now() - timedelta(minutes=3))
    now = timezone.now()

    with django_capture_on_commit_callbacks(execute=True):
        first = documents_dispatch(now=now)
        second = documents_dispatch(now=now)

    assert sorted(first) == sorted(d.pk for d in due)
    assert second == []
    assert len(published) == 5


def test_a_claimed_document_leaves_the_due_range_until_its_lease_expires(
    settings, capacity_of, published, django_capture_on_commit_callbacks
):
    """A worker that dies holding leases: the documents are dispatched again after expiry."""
    capacity_of(10)
    settings.DOCUMENTS_FETCH_LEASE_SECONDS = 900
    document = DocumentFactory(next_fetch_at=timezone.now() - timedelta(hours=2))
    now = timezone.now()

    with django_capture_on_commit_callbacks(execute=True):
        assert documents_dispatch(now=now) == [document.pk]
    document.refresh_from_db()
    assert document.next_fetch_at == document.fetch_lease_until == now + timedelta(seconds=900)

    # Nobody runs the task (its worker died). Until the lease expires nothing is queued again.
    with django_capture_on_commit_callbacks(execute=True):
        assert documents_dispatch(now=now + timedelta(seconds=899)) == []
        assert documents_dispatch(now=now + timedelta(seconds=901)) == [document.pk]
    first_token, second_token = (kwargs["lease_token"] for kwargs, _ in published)
    assert first_token != second_token


def test_an_expired_lease_is_dispatched_again(django_capture_on_commit_callbacks):
    now = timezone.now()
    stuck = DocumentFactory(
        next_fetch_at=now - timedelta(hours=2), fetch_lease_until=now - timedelta(minutes=1)
    )
    held = DocumentFactory(
        next_fetch_at=now - timedelta(hours=3), fetch_lease_until=now + timedelta(minutes=5)
    )

    with django_capture_on_commit_callbacks():
        assert documents_dispatch(now=now) == [stuck.pk]
    held.refresh_from_db()
    assert held.fetch_lease_until > now


def test_a_dispatched_document_is_snapshotted_by_its_task(
    corpus_server, django_capture_on_commit_callbacks
):
    url = corpus_server.route(
        "/terms", body=corpus_bytes("zoom__terms-of-service", "v004.md"), content_type=MARKDOWN
    )
    document = DocumentFactory(source_url=url, next_fetch_at=None)

    with django_capture_on_commit_callbacks(execute=True):
        documents_dispatch()

    document.refresh_from_db()
    assert document.versions.count() == 1
    assert document.fetch_lease_until is None
    assert document.next_fetch_at > timezone.now()


def test_the_beat_schedule_names_registered_tasks(settings):
    from conductatlas.celery import app

    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks


def test_the_dispatch_task_queues_due_documents(published, django_capture_on_commit_callbacks):
    from apps.documents.tasks import dispatch_due_documents

    documents = DocumentFactory.create_batch(2, next_fetch_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        assert dispatch_due_documents.delay().get() == 2
    assert sorted(kwargs["document_id"] for kwargs, _ in published) == [d.pk for d in documents]


def test_a_dispatch_whose_sends_fail_gives_the_unsent_leases_back(
    capacity_of, monkeypatch, django_capture_on_commit_callbacks
):
    """The broker went away between the lease batch's commit and its sends: the documents whose
    task was never sent are due again at once, not a lease later, and the pass ends with the
    broker's error."""
    from kombu.exceptions import OperationalError

    from apps.documents.tasks import snapshot_document

    capacity_of(10)
    now = timezone.now()
    documents = [
        DocumentFactory(next_fetch_at=now - timedelta(hours=3 - number)) for number in range(3)
    ]
    sent = []

    def send_until_the_broker_goes(args=None, kwargs=None, **options):
        if sent:
            raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
        sent.append(kwargs)

    monkeypatch.setattr(snapshot_document, "apply_async", send_until_the_broker_goes)

    with pytest.raises(OperationalError), django_capture_on_commit_callbacks(execute=True):
        documents_dispatch(now=now)

    first, *unsent = documents
    first.refresh_from_db()
    assert sent == [{"document_id": first.pk, "lease_token": first.fetch_lease_token}]
    assert first.fetch_lease_until is not None
    for document in unsent:
        document.refresh_from_db()
        assert (document.fetch_lease_token, document.fetch_lease_until) == ("", None)
        assert document.next_fetch_at == now
    # The next pass queues them.
    monkeypatch.setattr(snapshot_document, "apply_async", lambda **call: sent.append(call))
    with django_capture_on_commit_callbacks(execute=True):
        assert documents_dispatch(now=now) == [document.pk for document in unsent]
