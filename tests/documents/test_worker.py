"""A real Celery worker, the machine's Redis and the test database: a worker killed in the
middle of a snapshot loses nothing and duplicates nothing once another worker takes over."""

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from celery import Celery
from django.conf import settings
from django.db import connection
from django.utils import timezone

from apps.documents.models import Document, FetchAttempt, FetchOutcome
from apps.documents.services import document_fetch_lease_claim
from tests.documents.pipeline_helpers import MARKDOWN, corpus_bytes
from tests.factories import DocumentFactory

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        "sqlite" in settings.DATABASES["default"]["ENGINE"],
        reason="a worker process needs a database it can open too; the SQLite test database "
        "lives in this process's memory (CI runs this test on PostgreSQL)",
    ),
]

# The broker gives an unacknowledged task to another worker this long after its delivery.
VISIBILITY_TIMEOUT = 2
STARTUP_TIMEOUT = 30


def _database_url() -> str:
    database = connection.settings_dict
    password = f":{database['PASSWORD']}" if database["PASSWORD"] else ""
    return (
        f"postgres://{database['USER']}{password}@{database['HOST'] or '127.0.0.1'}:"
        f"{database['PORT'] or 5432}/{database['NAME']}"
    )


class WorkerProcess:
    """`celery worker` in its own process, consuming one queue, with the solo pool so the
    task runs in the process we kill."""

    def __init__(self, *, queue: str, environment: dict, log: Path, hostname: str = ""):
        self.log = log
        self._output = log.open("w")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "conductatlas",
                "worker",
                "--pool",
                "solo",
                "--queues",
                queue,
                "--hostname",
                hostname or f"{queue}-{uuid.uuid4().hex[:6]}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel",
                "info",
            ],
            cwd=settings.BASE_DIR,
            env=environment,
            stdout=self._output,
            stderr=subprocess.STDOUT,
        )
        self._wait_for(lambda: " ready." in self.log.read_text(), "the worker to start")

    def _wait_for(self, condition, what: str, timeout: float = STARTUP_TIMEOUT):
        deadline = time.monotonic() + timeout
        while not condition():
            if self.process.poll() is not None:
                pytest.fail(f"the worker exited while waiting for {what}:\n{self.log.read_text()}")
            if time.monotonic() > deadline:
                pytest.fail(f"timed out waiting for {what}:\n{self.log.read_text()}")
            time.sleep(0.1)

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        self._output.close()

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=20)
        self._output.close()


def _wait_until(condition, what: str, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.1)


@pytest.fixture
def broker(tmp_path):
    """A queue and key prefix no other test run shares, cleaned up afterwards."""
    queue = f"worker-test-{uuid.uuid4().hex}"
    options = {
        "visibility_timeout": VISIBILITY_TIMEOUT,
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
        "global_keyprefix": f"{queue}:",
    }
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.ping()
    yield queue, options
    for key in client.scan_iter(f"{queue}:*"):
        client.delete(key)


def _worker_environment(corpus_server, transport_options: dict) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "conductatlas.settings.test",
        "DATABASE_URL": _database_url(),
        "DJANGO_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_BROKER_TRANSPORT_OPTIONS": json.dumps(transport_options),
        "FETCHER_ALLOWED_HOSTS": f"127.0.0.1:{corpus_server.port}",
        "FETCHER_PER_HOST_DELAY": "0",
        "FETCHER_READ_TIMEOUT": "120",
        "FETCHER_TOTAL_TIMEOUT": "120",
    }


def _worker_killed_mid_fetch(corpus_server, broker, tmp_path, *, hostname: str = ""):
    """A worker (`hostname`, or a name of its own) is SIGKILLed while its snapshot task waits on
    a slow server: the lease the task ran under is still held. Returns the document, that lease's
    token, the served body and the workers' environment."""
    queue, transport_options = broker
    body = corpus_bytes("zoom__terms-of-service", "v004.md")
    url = corpus_server.route("/slow-terms", body=body, content_type=MARKDOWN, delay=60)
    document = DocumentFactory(source_url=url, next_fetch_at=None)
    lease_token = document_fetch_lease_claim(document_id=document.pk)
    environment = _worker_environment(corpus_server, transport_options)

    first = WorkerProcess(
        queue=queue, environment=environment, log=tmp_path / "first.log", hostname=hostname
    )
    producer = Celery("producer", broker=settings.CELERY_BROKER_URL)
    producer.conf.broker_transport_options = transport_options
    producer.send_task(
        "apps.documents.tasks.snapshot_document",
        kwargs={"document_id": document.pk, "lease_token": lease_token},
        queue=queue,
    )
    # The task is now blocked inside the fetch, waiting for the slow server.
    _wait_until(lambda: corpus_server.requests_to("/slow-terms"), "the worker's request")
    first.kill()
    return document, lease_token, body, environment


def test_a_worker_killed_mid_snapshot_leaves_one_version_after_redelivery(
    corpus_server, broker, tmp_path
):
    queue, _ = broker
    document, _, body, environment = _worker_killed_mid_fetch(corpus_server, broker, tmp_path)

    assert not document.versions.exists()
    # The killed run is in the fetch history as started, never finished.
    cut_off = FetchAttempt.objects.get(document=document)
    assert cut_off.outcome == FetchOutcome.STARTED

    corpus_server.route("/slow-terms", body=body, content_type=MARKDOWN)
    second = WorkerProcess(queue=queue, environment=environment, log=tmp_path / "second.log")
    try:
        _wait_until(
            lambda: (
                FetchAttempt.objects.filter(document=document)
                .exclude(outcome=FetchOutcome.STARTED)
                .exists()
            ),
            "the redelivery",
        )
        # Room for a second delivery to show itself, had the message been left unacknowledged.
        time.sleep(VISIBILITY_TIMEOUT + 1)
    finally:
        second.stop()

    assert len(corpus_server.requests_to("/slow-terms")) == 2
    attempt = FetchAttempt.objects.exclude(pk=cut_off.pk).get(document=document)
    assert attempt.outcome == FetchOutcome.NEW_VERSION
    cut_off.refresh_from_db()
    assert cut_off.outcome == FetchOutcome.STARTED
    assert document.versions.count() == 1
    document.refresh_from_db()
    assert document.fetch_lease_until is None


def test_a_worker_started_again_gives_back_the_lease_of_the_fetch_it_was_killed_in(
    corpus_server, broker, tmp_path
):
    """The same node started again after a SIGKILL knows the fetch its previous start left and
    gives its lease back at once, not when the lease (minutes) runs out."""
    queue, _ = broker
    hostname = f"{queue}@%h"
    document, lease_token, _, environment = _worker_killed_mid_fetch(
        corpus_server, broker, tmp_path, hostname=hostname
    )
    cut_off = FetchAttempt.objects.get(document=document)
    assert cut_off.runner.startswith(f"{queue}@")
    document.refresh_from_db()
    assert document.fetch_lease_token == lease_token
    assert document.fetch_lease_until > timezone.now() + timedelta(minutes=1)

    second = WorkerProcess(
        queue=queue, environment=environment, log=tmp_path / "second.log", hostname=hostname
    )
    try:
        _wait_until(
            lambda: (
                not Document.objects.filter(pk=document.pk, fetch_lease_token=lease_token).exists()
            ),
            "the lease given back",
        )
    finally:
        second.stop()

    document.refresh_from_db()
    assert document.fetch_lease_until is None
    assert document.next_fetch_at <= timezone.now()
    cut_off.refresh_from_db()
    assert (cut_off.outcome, cut_off.runner) == (FetchOutcome.STARTED, "")
    assert "Gave back the leases of 1 fetches" in (tmp_path / "second.log").read_text()
