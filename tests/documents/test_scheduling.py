from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from apps.documents.services import document_next_fetch_at, documents_dispatch
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


def test_dispatch_takes_the_most_overdue_due_documents_in_bounded_batches(
    settings, django_capture_on_commit_callbacks
):
    settings.DOCUMENTS_DISPATCH_BATCH = 2
    now = timezone.now()
    newly_added = DocumentFactory(next_fetch_at=None)
    overdue = DocumentFactory(next_fetch_at=now - timedelta(hours=5))
    slightly_overdue = DocumentFactory(next_fetch_at=now - timedelta(minutes=1))
    DocumentFactory(next_fetch_at=now + timedelta(hours=1))  # not due
    DocumentFactory(next_fetch_at=None, is_monitored=False)

    with django_capture_on_commit_callbacks() as queued:
        first = documents_dispatch(now=now)
    assert first == [newly_added.pk, overdue.pk]
    assert len(queued) == 2

    with django_capture_on_commit_callbacks():
        second = documents_dispatch(now=now)
    # The first batch is leased: never queued twice, the next due document comes instead.
    assert second == [slightly_overdue.pk]


def test_dispatch_spreads_the_batch_over_the_spread_window(settings):
    settings.DOCUMENTS_DISPATCH_BATCH = 4
    settings.DOCUMENTS_DISPATCH_SPREAD_SECONDS = 120
    documents = DocumentFactory.create_batch(4, next_fetch_at=None)
    now = timezone.now()

    documents_dispatch(now=now)

    leases = sorted(
        (document.refresh_from_db() or document.fetch_lease_until) for document in documents
    )
    gaps = {round((b - a).total_seconds()) for a, b in zip(leases, leases[1:], strict=False)}
    assert gaps == {30}


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


def test_the_dispatch_task_queues_due_documents(django_capture_on_commit_callbacks):
    from apps.documents.tasks import dispatch_due_documents

    DocumentFactory.create_batch(2, next_fetch_at=None)
    with django_capture_on_commit_callbacks() as queued:
        assert dispatch_due_documents.delay().get() == 2
    assert len(queued) == 2
