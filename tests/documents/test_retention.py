"""The fetch history is pruned past its retention age, each document keeping its latest."""

from datetime import UTC, datetime, timedelta

import pytest

from apps.documents.models import FetchAttempt, FetchOutcome
from apps.documents.services import fetch_attempts_prune, fetch_attempts_prune_batch
from apps.documents.tasks import prune_fetch_attempts
from conductatlas.celery import app as celery_app
from tests.factories import DocumentFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def attempt(document, days_ago: float) -> FetchAttempt:
    started_at = NOW - timedelta(days=days_ago)
    return FetchAttempt.objects.create(
        document=document,
        started_at=started_at,
        finished_at=started_at + timedelta(seconds=1),
        outcome=FetchOutcome.UNCHANGED,
    )


def test_attempts_past_the_retention_age_go_but_each_documents_latest_stays(settings):
    settings.DOCUMENTS_FETCH_ATTEMPT_RETENTION_DAYS = 90
    active, silent = DocumentFactory(), DocumentFactory()
    recent = attempt(active, 1)
    boundary = attempt(active, 89.9)
    for days in (91, 120, 400):
        attempt(active, days)
    silent_latest = attempt(silent, 100)
    attempt(silent, 130)

    deleted = fetch_attempts_prune(now=NOW, batch_size=2)

    assert deleted == 4
    assert set(FetchAttempt.objects.all()) == {recent, boundary, silent_latest}


def test_a_prune_batch_gives_ids_oldest_first_and_where_the_next_one_starts():
    document = DocumentFactory()
    oldest, older, old = (attempt(document, days) for days in (300, 200, 100))
    attempt(document, 1)
    cutoff = NOW - timedelta(days=90)

    first, position = fetch_attempts_prune_batch(cutoff=cutoff, batch_size=2)
    second, last_position = fetch_attempts_prune_batch(cutoff=cutoff, after=position)
    rest = fetch_attempts_prune_batch(cutoff=cutoff, after=last_position)

    assert first == [oldest.pk, older.pk]
    assert position == (older.started_at, older.pk)
    assert second == [old.pk]
    assert rest == ([], None)


def test_the_retention_age_is_a_setting(settings):
    document = DocumentFactory()
    latest = attempt(document, 1)
    kept = attempt(document, 20)
    attempt(document, 40)

    settings.DOCUMENTS_FETCH_ATTEMPT_RETENTION_DAYS = 30
    assert fetch_attempts_prune(now=NOW) == 1
    assert set(FetchAttempt.objects.all()) == {latest, kept}


def test_pruning_runs_daily_from_the_beat_schedule(settings):
    attempt(DocumentFactory(), 1)

    entry = next(
        entry
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == prune_fetch_attempts.name
    )

    assert entry["schedule"] == 24 * 3600
    assert prune_fetch_attempts.name in celery_app.tasks
    assert prune_fetch_attempts.delay().get() == 0
