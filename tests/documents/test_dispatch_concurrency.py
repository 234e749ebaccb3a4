"""Two dispatchers at the same moment (a beat started twice, on two hosts) share the due
documents: each is queued by exactly one of them."""

import threading
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from apps.documents.models import Document
from apps.documents.services import documents_dispatch
from tests.factories import DocumentFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        "sqlite" in settings.DATABASES["default"]["ENGINE"],
        reason="SQLite serialises writers whole; the row locks this test races need PostgreSQL",
    ),
]


class RecordingTask:
    """Stands in for the snapshot task: records what is published (the dispatcher sends once
    its transaction commits). (The task itself is a proxy resolved per thread's current app, so
    patching it would not reach the dispatcher threads.)"""

    def __init__(self):
        self.published: list[int] = []

    def apply_async(self, *, kwargs: dict, **options):
        assert not transaction.get_connection().in_atomic_block
        self.published.append(kwargs["document_id"])


def test_two_dispatchers_at_once_queue_each_due_document_once(settings, monkeypatch):
    settings.DOCUMENTS_WORKER_SLOTS = 1000
    settings.DOCUMENTS_EXPECTED_CHECK_SECONDS = 60
    # Small batches, so the two dispatchers interleave many claims.
    settings.DOCUMENTS_DISPATCH_BATCH = 5
    task = RecordingTask()
    monkeypatch.setattr("apps.documents.tasks.snapshot_document", task)
    due = DocumentFactory.create_batch(120, next_fetch_at=timezone.now() - timedelta(minutes=5))
    now = timezone.now()
    start = threading.Barrier(2)
    results: dict[str, list[int]] = {}

    def dispatcher(name: str):
        try:
            start.wait()
            results[name] = documents_dispatch(now=now)
        finally:
            connection.close()

    threads = [threading.Thread(target=dispatcher, args=(name,)) for name in ("one", "two")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert set(results) == {"one", "two"}
    assert not set(results["one"]) & set(results["two"])
    assert sorted(results["one"] + results["two"]) == sorted(d.pk for d in due)
    assert sorted(task.published) == sorted(d.pk for d in due)
    assert Document.objects.filter(fetch_lease_token="").count() == 0
