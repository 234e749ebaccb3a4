"""The snapshot pipeline end to end: real corpus documents served by the local server, fetched
through the real fetcher, archived, extracted and decided."""

import gzip
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.documents.models import (
    ArchivedSnapshot,
    AttemptErrorKind,
    DocumentVersion,
    FetchAttempt,
    FetchOutcome,
    VersionKind,
)
from apps.documents.services import IngestReason, document_fetch_lease_claim, document_snapshot
from apps.documents.tasks import snapshot_document
from conductatlas.celery import app as celery_app
from tests.documents.pipeline_helpers import MARKDOWN, PDF, corpus_bytes
from tests.factories import DocumentFactory

pytestmark = pytest.mark.django_db


def snapshot(document):
    run = document_snapshot(document=document)
    document.refresh_from_db()
    return run


def test_first_fetch_records_a_version_and_a_304_only_marks_it_verified(corpus_server):
    document = DocumentFactory(
        source_url=corpus_server.corpus_url("zoom__terms-of-service", "v005.md"),
        first_tracked_at=None,
    )

    first = snapshot(document)

    assert first.attempt.outcome == FetchOutcome.NEW_VERSION
    assert first.attempt.version.kind == VersionKind.FIRST_RECORD
    assert first.attempt.http_status == 200
    assert document.etag and document.first_tracked_at is not None
    verified_before = document.last_verified_at

    second = snapshot(document)

    assert second.attempt.outcome == FetchOutcome.NOT_MODIFIED
    assert corpus_server.requests[-1].headers["if-none-match"] == document.etag
    assert document.last_verified_at > verified_before
    assert document.versions.count() == 1
    assert document.consecutive_failures == 0
    assert document.fetch_lease_until is None
    assert document.next_fetch_at > timezone.now() + timedelta(hours=11)


def test_a_changed_page_records_a_change_with_its_summary(corpus_server):
    url = corpus_server.route(
        "/terms", body=corpus_bytes("zoom__terms-of-service", "v004.md"), content_type=MARKDOWN
    )
    document = DocumentFactory(source_url=url)
    snapshot(document)
    corpus_server.route(
        "/terms", body=corpus_bytes("zoom__terms-of-service", "v005.md"), content_type=MARKDOWN
    )

    run = snapshot(document)

    version = run.attempt.version
    assert (version.number, version.kind) == (2, VersionKind.CHANGE)
    assert version.change_summary["from_number"] == 1
    assert version.change_summary["words_added"] > 100


def test_identical_bytes_without_validators_skip_extraction(corpus_server):
    url = corpus_server.route(
        "/terms", body=corpus_bytes("zoom__terms-of-service", "v004.md"), content_type=MARKDOWN
    )
    document = DocumentFactory(source_url=url)
    snapshot(document)

    run = snapshot(document)

    assert "if-none-match" not in corpus_server.requests[-1].headers
    assert run.ingest.reason == IngestReason.SAME_RAW
    assert run.attempt.outcome == FetchOutcome.UNCHANGED


def test_html_is_extracted_with_the_documents_selectors(corpus_server):
    document = DocumentFactory(
        source_url=corpus_server.corpus_url("claude-ai__terms-of-service", "snapshot_001.html"),
        select_selectors="main",
    )

    run = snapshot(document)

    version = run.attempt.version
    assert "Consumer Terms of Service" in version.text
    snapshot_row = version.snapshot
    assert snapshot_row.content_type.startswith("text/html")
    assert snapshot_row.size == len(
        corpus_bytes("claude-ai__terms-of-service", "snapshot_001.html")
    )


def test_a_pdf_source_is_archived_as_is_and_recorded_as_its_text(corpus_server):
    document = DocumentFactory(
        source_url=corpus_server.corpus_url("zoom__terms-of-service", "v004.pdf"),
        select_selectors="main",  # a PDF has no markup: the document's selectors do not apply
    )

    version = snapshot(document).attempt.version

    assert version.kind == VersionKind.FIRST_RECORD
    assert version.snapshot.content_type == PDF
    assert version.snapshot.size == len(corpus_bytes("zoom__terms-of-service", "v004.pdf"))
    assert "Zoom Video Communications, Inc." in version.text
    assert "%PDF" not in version.text


def _gzip_bomb() -> bytes:
    return gzip.compress(b"\0" * (60 * 1024 * 1024), compresslevel=9)


def _fifty_megabytes():
    chunk = b"<p>" + b"x" * (1024 * 1024 - 3)
    return (chunk for _ in range(50))


BAD_INPUTS = {
    "unreachable host": (None, AttemptErrorKind.TRANSIENT),
    "timeout": ({"delay": 1.5, "body": b"<p>late</p>"}, AttemptErrorKind.TRANSIENT),
    "404": ({"status": 404, "body": b"not here"}, AttemptErrorKind.GONE),
    "410": ({"status": 410, "body": b"gone"}, AttemptErrorKind.GONE),
    "403": ({"status": 403, "body": b"forbidden"}, AttemptErrorKind.BLOCKED),
    "429": ({"status": 429, "headers": {"Retry-After": "120"}}, AttemptErrorKind.TRANSIENT),
    "redirect loop": ("loop", AttemptErrorKind.REFUSED),
    "redirect to a private address": ("private", AttemptErrorKind.REFUSED),
    "50 MB body": ({"body": _fifty_megabytes}, AttemptErrorKind.REFUSED),
    "gzip bomb": (
        {"body": _gzip_bomb(), "headers": {"Content-Encoding": "gzip"}},
        AttemptErrorKind.REFUSED,
    ),
    "non-HTML type": (
        {"body": b"\x89PNG\r\n", "content_type": "image/png"},
        AttemptErrorKind.REFUSED,
    ),
    "malformed HTML": (
        {"body": b"<html><body><div><p>Terms <b>of <i>use</p></div></table></span"},
        AttemptErrorKind.EXTRACTION,
    ),
    "empty page": ({"body": b""}, AttemptErrorKind.EXTRACTION),
    "selector matching nothing": ("selector", AttemptErrorKind.EXTRACTION),
}


def _bad_url(corpus_server, case):
    if case is None:
        return "http://127.0.0.1:9/terms"  # the discard port: nothing listens there
    if case == "loop":
        corpus_server.redirect("/a", "/b")
        return corpus_server.redirect("/b", "/a")
    if case == "private":
        return corpus_server.redirect("/moved", "http://10.0.0.7/terms")
    if case == "selector":
        return corpus_server.corpus_url("claude-ai__terms-of-service", "snapshot_001.html")
    return corpus_server.route("/bad", **case)


@pytest.mark.parametrize("name", BAD_INPUTS)
def test_bad_input_is_a_classified_fetch_error_without_a_version(
    name, corpus_server, settings, outbound_connections
):
    # Only the timeout case may hit the short read deadline: on a loaded runner a local answer
    # can take longer than 0.5 s, which would turn a refused redirect loop into a transient error.
    settings.FETCHER_READ_TIMEOUT = 0.5 if name == "timeout" else 10
    # The discard port of the unreachable-host case is local too.
    settings.FETCHER_ALLOWED_HOSTS = [*settings.FETCHER_ALLOWED_HOSTS, "127.0.0.1:9"]
    case, error_kind = BAD_INPUTS[name]
    document = DocumentFactory(
        source_url=_bad_url(corpus_server, case),
        select_selectors="#no-such-element" if case == "selector" else "",
    )

    run = snapshot(document)

    attempt = FetchAttempt.objects.get(document=document)
    assert run.attempt == attempt
    assert (attempt.outcome, attempt.error_kind) == (FetchOutcome.ERROR, error_kind)
    assert attempt.message
    assert not DocumentVersion.objects.exists()
    assert not ArchivedSnapshot.objects.exists()
    assert document.consecutive_failures == 1
    assert document.last_verified_at is None
    assert outbound_connections == []


def test_failures_in_a_row_are_counted_and_a_success_resets_them(corpus_server):
    url = corpus_server.route("/terms", status=404)
    document = DocumentFactory(source_url=url)
    snapshot(document)
    snapshot(document)
    assert document.consecutive_failures == 2

    corpus_server.route(
        "/terms", body=corpus_bytes("zoom__terms-of-service", "v004.md"), content_type=MARKDOWN
    )
    snapshot(document)

    assert document.consecutive_failures == 0


def test_transient_failures_are_retried_a_bounded_number_of_times(corpus_server, settings):
    settings.DOCUMENTS_FETCH_RETRY_BASE_SECONDS = 60
    url = corpus_server.route("/terms", status=503)
    document = DocumentFactory(source_url=url)

    # Each retry is a due time the dispatcher picks up, a backoff from the run's end that
    # doubles; past the last retry the document waits for its next regular check.
    ceilings = [60 * 2**retry for retry in range(settings.DOCUMENTS_FETCH_MAX_RETRIES)]
    for ceiling in ceilings:
        run = snapshot(document)
        wait = (document.next_fetch_at - run.attempt.finished_at).total_seconds()
        assert ceiling / 2 <= wait <= ceiling
    run = snapshot(document)

    assert document.next_fetch_at - run.attempt.finished_at > timedelta(hours=11)
    attempts = FetchAttempt.objects.filter(document=document)
    assert attempts.count() == 1 + settings.DOCUMENTS_FETCH_MAX_RETRIES
    assert {attempt.error_kind for attempt in attempts} == {AttemptErrorKind.TRANSIENT}


def test_a_transient_failure_queues_no_delayed_message(corpus_server, monkeypatch):
    document = DocumentFactory(source_url=corpus_server.route("/terms", status=503))
    # Eager mode would run a retry at once; a task that still retried through the broker
    # would show here as a second request.
    monkeypatch.setitem(celery_app.conf, "task_eager_propagates", False)

    result = snapshot_document.delay(document.pk)

    assert result.get() == FetchOutcome.ERROR
    assert len(corpus_server.requests) == 1
    document.refresh_from_db()
    assert document.next_fetch_at <= timezone.now() + timedelta(minutes=1)


def test_permanent_failures_are_not_retried(corpus_server):
    document = DocumentFactory(source_url=corpus_server.route("/terms", status=410))

    snapshot_document.delay(document.pk)

    assert FetchAttempt.objects.filter(document=document).count() == 1


def test_a_document_leased_by_another_worker_is_not_fetched(corpus_server):
    document = DocumentFactory(
        source_url=corpus_server.corpus_url("zoom__terms-of-service", "v004.md")
    )
    assert document_fetch_lease_claim(document_id=document.pk) is not None

    run = snapshot(document)

    assert run.attempt is None
    assert corpus_server.requests == []
    assert not FetchAttempt.objects.exists()


def test_an_expired_lease_is_claimed_again(corpus_server, settings):
    document = DocumentFactory(
        source_url=corpus_server.corpus_url("zoom__terms-of-service", "v004.md")
    )
    document_fetch_lease_claim(document_id=document.pk, now=timezone.now() - timedelta(hours=1))

    run = snapshot(document)

    assert run.attempt.outcome == FetchOutcome.NEW_VERSION
