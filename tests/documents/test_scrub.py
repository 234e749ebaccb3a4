"""The scrub re-hashes the whole archive every DOCUMENTS_SCRUB_DAYS, a share per run, and the
admin shows how far it is."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.documents.archive import archive_write
from apps.documents.models import ArchivedSnapshot
from apps.documents.selectors import (
    archive_scrub_progress,
    snapshot_ids_least_recently_verified,
    snapshots_scrub_batch_size,
)
from apps.documents.tasks import verify_archive_batch

pytestmark = pytest.mark.django_db


def snapshot(number: int, *, verified_days_ago: float | None) -> ArchivedSnapshot:
    sha256, name = archive_write(f"snapshot {number}".encode())
    now = timezone.now()
    return ArchivedSnapshot.objects.create(
        sha256=sha256,
        storage_name=name,
        size=10,
        fetched_at=now,
        last_verified_at=None
        if verified_days_ago is None
        else now - timedelta(days=verified_days_ago),
        last_verification_ok=None if verified_days_ago is None else True,
    )


def test_the_batch_is_the_archive_over_the_runs_of_the_cycle(settings):
    for number in range(30):
        snapshot(number, verified_days_ago=1)
    settings.DOCUMENTS_SCRUB_DAYS = 1
    settings.DOCUMENTS_SCRUB_EVERY_SECONDS = 6 * 3600  # four runs a cycle
    assert snapshots_scrub_batch_size() == 8
    settings.DOCUMENTS_SCRUB_DAYS = 7
    settings.DOCUMENTS_SCRUB_EVERY_SECONDS = 3600
    assert snapshots_scrub_batch_size() == 1


def test_the_runs_of_one_cycle_verify_every_snapshot_once(settings):
    snapshots = [snapshot(number, verified_days_ago=number % 5) for number in range(30)]
    settings.DOCUMENTS_SCRUB_DAYS = 1
    settings.DOCUMENTS_SCRUB_EVERY_SECONDS = 6 * 3600
    started = timezone.now()

    for _ in range(4):
        assert verify_archive_batch.delay().get() == 0

    verified = ArchivedSnapshot.objects.filter(last_verified_at__gte=started)
    assert verified.count() == len(snapshots)
    assert set(verified.values_list("last_verification_ok", flat=True)) == {True}


def test_never_verified_snapshots_come_first_then_the_least_recently_verified():
    recent = snapshot(1, verified_days_ago=1)
    never = snapshot(2, verified_days_ago=None)
    oldest = snapshot(3, verified_days_ago=9)
    older = snapshot(4, verified_days_ago=3)

    order = list(snapshot_ids_least_recently_verified(limit=3))

    assert order == [never.pk, oldest.pk, older.pk]
    assert recent.pk in snapshot_ids_least_recently_verified()


def test_progress_counts_what_is_overdue_and_when_the_last_full_cycle_began(settings):
    settings.DOCUMENTS_SCRUB_DAYS = 7
    snapshot(1, verified_days_ago=1)
    snapshot(2, verified_days_ago=3)
    stale = snapshot(3, verified_days_ago=10)
    failed = snapshot(4, verified_days_ago=2)
    ArchivedSnapshot.objects.filter(pk=failed.pk).update(last_verification_ok=False)

    progress = archive_scrub_progress()

    assert (progress.snapshots, progress.overdue, progress.never_verified) == (4, 1, 0)
    assert progress.failed == 1
    assert progress.percent_verified == 75
    assert progress.complete_since == ArchivedSnapshot.objects.get(pk=stale.pk).last_verified_at

    snapshot(5, verified_days_ago=None)
    progress = archive_scrub_progress()
    assert (progress.overdue, progress.never_verified, progress.complete_since) == (2, 1, None)


def test_the_snapshot_admin_list_shows_the_scrubs_progress(admin_client, settings):
    settings.DOCUMENTS_SCRUB_DAYS = 7
    snapshot(1, verified_days_ago=1)
    snapshot(2, verified_days_ago=8)
    snapshot(3, verified_days_ago=None)

    response = admin_client.get("/admin/documents/archivedsnapshot/")

    assert response.status_code == 200
    page = " ".join(response.content.decode().split())
    assert "33.3% of about 3 snapshots verified within the last 7 days" in page
    assert "2 overdue, of which 1 never verified" in page
    assert "No full cycle yet" in page
