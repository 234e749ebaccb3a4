"""Visible attempts: a fetch attempt is written as started before the network call and finished
after it, so a run a crash cuts off shows as interrupted in the fetch history."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.documents import fetcher
from apps.documents.models import FetchAttempt, FetchOutcome
from apps.documents.selectors import fetch_attempt_outcome_label, fetch_attempts_interrupted
from apps.documents.services import document_fetch_lease_claim, document_snapshot
from tests.factories import DocumentFactory

pytestmark = pytest.mark.django_db


class WorkerKilled(BaseException):
    """What a SIGKILL looks like from inside the run: nothing after it executes normally."""


@pytest.fixture
def curator_client(client, django_user_model):
    user = django_user_model.objects.create_superuser(email="curator@example.com", password="pw")
    client.force_login(user)
    return client


def crashed_run(corpus_server, monkeypatch):
    """A run killed during its fetch, after the start was recorded."""
    document = DocumentFactory(
        source_url=corpus_server.corpus_url("zoom__terms-of-service", "v004.md")
    )
    seen_during_fetch = []

    def killed_mid_fetch(*args, **kwargs):
        seen_during_fetch.extend(FetchAttempt.objects.filter(document=document))
        raise WorkerKilled

    monkeypatch.setattr(fetcher, "fetch", killed_mid_fetch)
    with pytest.raises(WorkerKilled):
        document_snapshot(document=document)
    return document, seen_during_fetch


def test_the_attempt_is_recorded_as_started_before_the_network_call(corpus_server, monkeypatch):
    document, seen_during_fetch = crashed_run(corpus_server, monkeypatch)

    assert [(a.outcome, a.finished_at) for a in seen_during_fetch] == [(FetchOutcome.STARTED, None)]
    assert FetchAttempt.objects.get(document=document).outcome == FetchOutcome.STARTED


def test_a_crashed_run_shows_as_interrupted_once_its_lease_is_over(
    corpus_server, monkeypatch, settings
):
    document, _ = crashed_run(corpus_server, monkeypatch)
    attempt = FetchAttempt.objects.get(document=document)
    lease = timedelta(seconds=settings.DOCUMENTS_FETCH_LEASE_SECONDS)

    # While the lease lasts the run may still be going: it is only "started".
    assert fetch_attempt_outcome_label(attempt=attempt) == "Started"
    assert not fetch_attempts_interrupted().exists()

    later = timezone.now() + lease + timedelta(seconds=1)
    assert fetch_attempt_outcome_label(attempt=attempt, now=later) == "Interrupted"
    assert list(fetch_attempts_interrupted(now=later)) == [attempt]


def test_a_finished_run_updates_its_started_attempt(corpus_server):
    document = DocumentFactory(
        source_url=corpus_server.corpus_url("zoom__terms-of-service", "v004.md")
    )

    run = document_snapshot(document=document)

    attempt = FetchAttempt.objects.get(document=document)
    assert attempt.pk == run.attempt.pk
    assert attempt.outcome == FetchOutcome.NEW_VERSION
    assert attempt.finished_at >= attempt.started_at
    assert attempt.version == run.attempt.version


def test_admin_lists_and_filters_interrupted_attempts(
    corpus_server, monkeypatch, settings, curator_client
):
    document, _ = crashed_run(corpus_server, monkeypatch)
    interrupted = FetchAttempt.objects.get(document=document)
    FetchAttempt.objects.filter(pk=interrupted.pk).update(
        started_at=timezone.now() - timedelta(seconds=settings.DOCUMENTS_FETCH_LEASE_SECONDS + 60)
    )
    monkeypatch.undo()
    # The next run, once the lease expired, finishes normally beside the interrupted one.
    token = document_fetch_lease_claim(
        document_id=document.pk, now=timezone.now() + timedelta(days=1)
    )
    finished = document_snapshot(document=document, lease_token=token).attempt

    listing = curator_client.get(
        reverse("admin:documents_fetchattempt_changelist"), {"outcome": "interrupted"}
    )
    assert listing.status_code == 200
    assert list(listing.context["cl"].result_list) == [interrupted]
    assert "Interrupted" in listing.content.decode()

    history = curator_client.get(reverse("admin:documents_document_change", args=[document.pk]))
    page = history.content.decode()
    assert history.status_code == 200
    assert "Interrupted" in page
    assert finished.get_outcome_display() in page


def test_a_run_whose_lease_another_run_took_records_nothing_and_fetches_nothing(corpus_server):
    document = DocumentFactory(
        source_url=corpus_server.corpus_url("zoom__terms-of-service", "v004.md")
    )
    stale = document_fetch_lease_claim(
        document_id=document.pk, now=timezone.now() - timedelta(days=1)
    )
    assert document_fetch_lease_claim(document_id=document.pk) is not None  # the lease expired

    run = document_snapshot(document=document, lease_token=stale)

    assert run.attempt is None
    assert corpus_server.requests == []
    assert not FetchAttempt.objects.exists()
