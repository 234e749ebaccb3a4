"""Many hosts: two Celery worker processes and two beats (one too many, as after a botched
deploy) against the machine's Redis and the PostgreSQL test database. Every due document is
fetched exactly once."""

import json
import os
import subprocess
import sys
import time
import uuid

import pytest
import redis
from django.conf import settings
from django.utils import timezone

from apps.documents.models import Document, FetchAttempt, FetchOutcome
from tests.documents.pipeline_helpers import MARKDOWN, corpus_bytes
from tests.documents.test_worker import WorkerProcess, _database_url, _wait_until
from tests.factories import DocumentFactory

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        "sqlite" in settings.DATABASES["default"]["ENGINE"],
        reason="worker processes need a database they can open too; the SQLite test database "
        "lives in this process's memory (CI runs this test on PostgreSQL)",
    ),
]

DOCUMENTS = 30


class BeatProcess:
    def __init__(self, *, environment: dict, workdir, name: str):
        self.log = workdir / f"{name}.log"
        self._output = self.log.open("w")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "conductatlas",
                "beat",
                "--schedule",
                str(workdir / f"{name}-schedule"),
                "--pidfile=",
                "--loglevel",
                "info",
            ],
            cwd=settings.BASE_DIR,
            env=environment,
            stdout=self._output,
            stderr=subprocess.STDOUT,
        )

    def sent_dispatches(self) -> int:
        return self.log.read_text().count("Sending due task documents-dispatch")

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)
        self._output.close()


@pytest.fixture
def broker_environment(tmp_path, corpus_server):
    """The environment of every process: this test's own key prefix on the broker, the test
    database, the local document server, and a dispatch pass every second."""
    prefix = f"multi-worker-{uuid.uuid4().hex}:"
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.ping()
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "conductatlas.settings.test",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DATABASE_URL": _database_url(),
        "DJANGO_MEDIA_ROOT": str(tmp_path / "media"),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_BROKER_TRANSPORT_OPTIONS": json.dumps({"global_keyprefix": prefix}),
        "FETCHER_ALLOWED_HOSTS": f"127.0.0.1:{corpus_server.port}",
        "FETCHER_PER_HOST_DELAY": "0",
        "DOCUMENTS_DISPATCH_EVERY_SECONDS": "1",
        # Two solo workers checking a document in about 0.2 s: 10 documents a pass.
        "DOCUMENTS_WORKER_SLOTS": "2",
        "DOCUMENTS_EXPECTED_CHECK_SECONDS": "0.2",
        "DOCUMENTS_DISPATCH_BATCH": "4",
    }
    yield environment
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)


def test_two_workers_and_two_beats_fetch_every_due_document_exactly_once(
    corpus_server, broker_environment, tmp_path
):
    body = corpus_bytes("zoom__terms-of-service", "v004.md")
    documents = []
    for number in range(DOCUMENTS):
        # Each its own text: documents sharing bytes would share one archived snapshot.
        url = corpus_server.route(
            f"/terms-{number}",
            body=body + f"\n\nDocument {number}.\n".encode(),
            content_type=MARKDOWN,
            delay=0.05,
        )
        documents.append(DocumentFactory(source_url=url, next_fetch_at=None))
    started = timezone.now()

    processes = []
    try:
        for name in ("worker-a", "worker-b"):
            processes.append(
                WorkerProcess(
                    queue="celery", environment=broker_environment, log=tmp_path / f"{name}.log"
                )
            )
        beats = [
            BeatProcess(environment=broker_environment, workdir=tmp_path, name=name)
            for name in ("beat-a", "beat-b")
        ]
        processes.extend(beats)
        finished = FetchAttempt.objects.exclude(outcome=FetchOutcome.STARTED)
        _wait_until(lambda: finished.count() >= DOCUMENTS, "every document's fetch", timeout=120)
        # More passes from both beats, which must find nothing due.
        passes = sum(beat.sent_dispatches() for beat in beats)
        _wait_until(
            lambda: sum(beat.sent_dispatches() for beat in beats) >= passes + 4,
            "four more dispatch passes",
        )
        time.sleep(1)
    finally:
        for process in processes:
            process.stop()

    for number, document in enumerate(documents):
        assert len(corpus_server.requests_to(f"/terms-{number}")) == 1, document.source_url
    attempts = FetchAttempt.objects.filter(document__in=documents)
    assert attempts.count() == DOCUMENTS
    assert set(attempts.values_list("outcome", flat=True)) == {FetchOutcome.NEW_VERSION}
    for document in Document.objects.filter(pk__in=[d.pk for d in documents]):
        assert document.versions.count() == 1
        assert document.fetch_lease_until is None
        assert document.next_fetch_at > started + timezone.timedelta(hours=11)
    # Both workers took part, and both beats dispatched.
    for name in ("worker-a", "worker-b"):
        log = (tmp_path / f"{name}.log").read_text()
        assert "snapshot_document" in log and "succeeded" in log, name
    assert all(beat.sent_dispatches() >= 2 for beat in beats)


def test_the_documents_of_a_worker_that_died_are_dispatched_again_after_their_lease(
    corpus_server, broker_environment, tmp_path
):
    """The broker keeps the dead worker's message for its visibility timeout (an hour); the
    lease is what brings the document back: once it expires, the next pass queues it again."""
    # A lease of 5 s: the snapshot time limit (4 s) plus a margin of 1 s.
    environment = {
        **broker_environment,
        "DOCUMENTS_SNAPSHOT_TIME_LIMIT_SECONDS": "4",
        "DOCUMENTS_FETCH_LEASE_MARGIN_SECONDS": "1",
    }
    body = corpus_bytes("x__terms-of-service", "v001.md")
    url = corpus_server.route("/slow-terms", body=body, content_type=MARKDOWN, delay=60)
    document = DocumentFactory(source_url=url, next_fetch_at=None)

    doomed = WorkerProcess(queue="celery", environment=environment, log=tmp_path / "doomed.log")
    beat = BeatProcess(environment=environment, workdir=tmp_path, name="beat")
    survivor = None
    try:
        _wait_until(lambda: corpus_server.requests_to("/slow-terms"), "the first fetch")
        doomed.kill()
        corpus_server.route("/slow-terms", body=body, content_type=MARKDOWN)
        survivor = WorkerProcess(
            queue="celery", environment=environment, log=tmp_path / "survivor.log"
        )
        _wait_until(
            lambda: FetchAttempt.objects.filter(
                document=document, outcome=FetchOutcome.NEW_VERSION
            ).exists(),
            "the fetch after the lease expired",
            timeout=60,
        )
    finally:
        beat.stop()
        if survivor is not None:
            survivor.stop()

    assert len(corpus_server.requests_to("/slow-terms")) == 2
    # The dead worker's run stays started (shown interrupted); the second run finished.
    assert sorted(
        FetchAttempt.objects.filter(document=document).values_list("outcome", flat=True)
    ) == sorted([FetchOutcome.STARTED, FetchOutcome.NEW_VERSION])
    assert document.versions.count() == 1
