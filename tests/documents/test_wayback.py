"""Wayback Machine captures against a local fake Save Page Now endpoint, reached through the
fetcher like any other host."""

import http.server
import json
import threading
from datetime import timedelta
from urllib.parse import parse_qs

import pytest
from django.utils import timezone

from apps.documents.models import DocumentVersion
from apps.documents.services import (
    WaybackState,
    snapshot_ingest,
    version_wayback_capture,
    version_wayback_queue,
    version_wayback_run,
    versions_wayback_dispatch,
)
from apps.documents.tasks import wayback_capture
from apps.documents.wayback import WaybackError
from conductatlas.celery import app as celery_app
from tests.documents.pipeline_helpers import MARKDOWN, corpus_bytes
from tests.factories import DocumentFactory

pytestmark = pytest.mark.django_db

TIMESTAMP = "20260301120000"


class FakeSavePageNow:
    """POST /save answers a job id; GET /save/status/<job> answers "pending" `pending_polls`
    times, then "success"."""

    def __init__(self):
        self.requests: list[tuple[str, str, dict, str]] = []
        self.pending_polls = 0
        self.fail_with: int | None = None
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _answer(self, payload):
                fake.requests.append((self.command, self.path, dict(self.headers), self.body))
                if fake.fail_with:
                    self.send_response(fake.fail_with)
                    self.end_headers()
                    return
                body = json.dumps(payload).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length", 0))
                self.body = self.rfile.read(length).decode()
                url = parse_qs(self.body)["url"][0]
                self._answer({"url": url, "job_id": "spn2-job-1"})

            def do_GET(self):  # noqa: N802
                self.body = ""
                if fake.pending_polls:
                    fake.pending_polls -= 1
                    self._answer({"status": "pending", "job_id": "spn2-job-1"})
                else:
                    self._answer(
                        {
                            "status": "success",
                            "job_id": "spn2-job-1",
                            "timestamp": TIMESTAMP,
                            "original_url": "https://example.com/terms",
                        }
                    )

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()


@pytest.fixture
def save_page_now(settings):
    fake = FakeSavePageNow()
    settings.WAYBACK_ENABLED = True
    settings.WAYBACK_ENDPOINT = fake.url
    # The fetcher refuses loopback like any non-public address unless the host is allowed.
    settings.FETCHER_ALLOWED_HOSTS = [f"127.0.0.1:{fake.server.server_address[1]}"]
    settings.WAYBACK_ACCESS_KEY = "access"
    settings.WAYBACK_SECRET_KEY = "secret"
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


def ingest(document, file):
    return snapshot_ingest(
        document=document,
        raw=corpus_bytes("zoom__terms-of-service", file),
        content_type=MARKDOWN,
        final_url="https://example.com/terms",
        headers={},
        fetched_at=timezone.now(),
    )


def test_a_change_is_sent_to_the_wayback_machine_and_its_archive_url_stored(
    save_page_now, django_capture_on_commit_callbacks
):
    document = DocumentFactory()

    with django_capture_on_commit_callbacks(execute=True):
        version = ingest(document, "v004.md").version

    version.refresh_from_db()
    assert version.archive_url == f"{save_page_now.url}/web/{TIMESTAMP}/https://example.com/terms"
    method, path, headers, body = save_page_now.requests[0]
    assert (method, path) == ("POST", "/save")
    assert headers["Authorization"] == "LOW access:secret"
    assert parse_qs(body)["url"] == ["https://example.com/terms"]


def test_a_pending_capture_is_polled_not_resubmitted(save_page_now):
    save_page_now.pending_polls = 1
    document = DocumentFactory()
    version = ingest(document, "v004.md").version

    assert version_wayback_capture(version=version) == WaybackState.PENDING
    version.refresh_from_db()
    assert version.wayback_job_id == "spn2-job-1"
    assert version_wayback_capture(version=version) == WaybackState.ARCHIVED

    methods = [request[0] for request in save_page_now.requests]
    assert methods == ["POST", "GET", "GET"]
    version.refresh_from_db()
    assert version.archive_url.endswith("/https://example.com/terms")
    assert version.wayback_job_id == ""
    assert version_wayback_capture(version=version) == WaybackState.ARCHIVED
    assert len(save_page_now.requests) == 3


def test_an_endpoint_failure_raises_for_the_task_to_retry(save_page_now):
    save_page_now.fail_with = 503
    version = ingest(DocumentFactory(), "v004.md").version

    with pytest.raises(WaybackError, match="answered 503"):
        version_wayback_capture(version=version)
    assert DocumentVersion.objects.get(pk=version.pk).archive_url == ""


def test_a_transient_endpoint_failure_is_retried_through_its_due_time(save_page_now, settings):
    settings.DOCUMENTS_FETCH_RETRY_BASE_SECONDS = 60
    save_page_now.fail_with = 503
    version = ingest(DocumentFactory(), "v004.md").version

    result = wayback_capture.apply(args=[version.pk], throw=True)

    assert result.get() == WaybackState.PENDING
    version.refresh_from_db()
    wait = version.wayback_due_at - timezone.now()
    assert timedelta(seconds=25) <= wait <= timedelta(seconds=60)
    assert version.wayback_attempts == 1


def test_a_pending_job_is_polled_again_by_the_capture_pass(
    save_page_now, settings, django_capture_on_commit_callbacks
):
    settings.WAYBACK_POLL_SECONDS = 30
    save_page_now.pending_polls = 1
    document = DocumentFactory()
    with django_capture_on_commit_callbacks(execute=True):
        version = ingest(document, "v004.md").version
    version.refresh_from_db()
    assert version.wayback_job_id == "spn2-job-1"
    assert timezone.now() < version.wayback_due_at <= timezone.now() + timedelta(seconds=30)

    # Nothing is queued before the poll is due; once due, one pass queues it once.
    assert versions_wayback_dispatch() == []
    later = version.wayback_due_at + timedelta(seconds=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert versions_wayback_dispatch(now=later) == [version.pk]
    assert versions_wayback_dispatch(now=later) == []

    version.refresh_from_db()
    assert version.archive_url.endswith("/https://example.com/terms")
    assert version.wayback_due_at is None
    assert [request[0] for request in save_page_now.requests] == ["POST", "GET", "GET"]


def test_a_capture_whose_run_was_lost_is_queued_again_after_its_claim(save_page_now, settings):
    settings.WAYBACK_CLAIM_SECONDS = 900
    version = ingest(DocumentFactory(), "v004.md").version
    # Owed a capture, but its queued run never happened (the worker died holding it).
    version_wayback_queue(version_id=version.pk)
    version.refresh_from_db()

    assert versions_wayback_dispatch(now=version.wayback_due_at - timedelta(seconds=1)) == []
    assert versions_wayback_dispatch(now=version.wayback_due_at) == [version.pk]


def test_a_capture_is_given_up_after_its_last_attempt(save_page_now, settings):
    settings.WAYBACK_MAX_ATTEMPTS = 2
    save_page_now.fail_with = 503
    version = ingest(DocumentFactory(), "v004.md").version

    assert version_wayback_run(version=version) == WaybackState.PENDING
    version.refresh_from_db()
    assert version_wayback_run(version=version) == WaybackState.FAILED
    version.refresh_from_db()
    assert (version.wayback_due_at, version.wayback_attempts) == (None, 2)


def test_a_refused_endpoint_is_not_retried(save_page_now, settings, fake_dns, outbound_connections):
    settings.WAYBACK_ENDPOINT = "https://archive.example.test"
    fake_dns["archive.example.test"] = ["10.0.0.7"]
    version = ingest(DocumentFactory(), "v004.md").version

    result = wayback_capture.apply(args=[version.pk], throw=True)

    assert result.get() == "failed"
    assert outbound_connections == []
    assert DocumentVersion.objects.get(pk=version.pk).archive_url == ""


def test_with_captures_off_nothing_is_sent(
    save_page_now, settings, django_capture_on_commit_callbacks
):
    # The endpoint is up and reachable: only the setting keeps it from being asked.
    settings.WAYBACK_ENABLED = False

    with django_capture_on_commit_callbacks(execute=True):
        version = ingest(DocumentFactory(), "v004.md").version

    assert save_page_now.requests == []
    assert version_wayback_capture(version=version) == WaybackState.DISABLED
    version.refresh_from_db()
    assert (version.archive_url, version.wayback_job_id) == ("", "")


def test_captures_run_on_their_own_rate_limited_queue(settings):
    route = celery_app.amqp.router.route({}, wayback_capture.name)
    assert route["queue"].name == "wayback"
    assert wayback_capture.rate_limit == settings.WAYBACK_RATE_LIMIT


def test_a_failing_capture_never_fails_the_snapshot(
    save_page_now, django_capture_on_commit_callbacks
):
    save_page_now.fail_with = 500
    document = DocumentFactory()

    with django_capture_on_commit_callbacks(execute=True):
        outcome = ingest(document, "v004.md")

    assert outcome.version.pk is not None
    assert document.versions.count() == 1


def test_both_requests_go_through_the_fetcher(save_page_now, settings):
    settings.FETCHER_USER_AGENT = "ConductAtlasBot/1.0 (+https://conductatlas.example/wayback)"
    version = ingest(DocumentFactory(), "v004.md").version

    version_wayback_capture(version=version)

    assert [request[0] for request in save_page_now.requests] == ["POST", "GET"]
    for _, _, headers, _ in save_page_now.requests:
        assert headers["User-Agent"] == settings.FETCHER_USER_AGENT
        # What the fetcher, and not a bare HTTP client, asks for on every request.
        assert headers["Accept-Encoding"] == "gzip, deflate"
        assert headers["Connection"] == "close"
        assert headers["Accept"] == "application/json"
        assert headers["Authorization"] == "LOW access:secret"


def test_an_endpoint_resolving_to_the_metadata_service_is_never_contacted(
    save_page_now, settings, fake_dns, outbound_connections
):
    settings.WAYBACK_ENDPOINT = "https://archive.example.test"
    fake_dns["archive.example.test"] = ["169.254.169.254"]
    version = ingest(DocumentFactory(), "v004.md").version

    with pytest.raises(WaybackError, match="cloud metadata"):
        version_wayback_capture(version=version)

    assert outbound_connections == []
    version.refresh_from_db()
    assert (version.archive_url, version.wayback_job_id) == ("", "")
