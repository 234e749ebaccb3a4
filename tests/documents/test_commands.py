import gzip

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from apps.documents.archive import archive_storage_name
from apps.documents.models import ArchivedSnapshot, FetchAttempt
from apps.documents.services import snapshot_ingest
from tests.documents.pipeline_helpers import MARKDOWN, corpus_bytes
from tests.factories import DocumentFactory

pytestmark = pytest.mark.django_db


def archived(document_name: str, file: str) -> ArchivedSnapshot:
    return snapshot_ingest(
        document=DocumentFactory(),
        raw=corpus_bytes(document_name, file),
        content_type=MARKDOWN,
        final_url="https://example.com/terms",
        headers={"content-type": MARKDOWN},
        fetched_at=timezone.now(),
    ).snapshot


def test_verify_archive_passes_on_an_intact_archive_and_records_it(capsys):
    snapshots = [
        archived("zoom__terms-of-service", "v004.md"),
        archived("x__terms-of-service", "v001.md"),
    ]

    ArchivedSnapshot.objects.update(last_verified_at=None, last_verification_ok=None)

    call_command("verify_archive")

    assert "2 snapshots verified" in capsys.readouterr().out
    for snapshot in snapshots:
        snapshot.refresh_from_db()
        assert snapshot.last_verification_ok is True and snapshot.last_verified_at is not None


def test_verify_archive_fails_on_a_corrupted_or_missing_file(capsys):
    corrupted = archived("zoom__terms-of-service", "v004.md")
    missing = archived("x__terms-of-service", "v001.md")
    intact = archived("tiktok__privacy-policy", "v001.md")
    tampered = corpus_bytes("zoom__terms-of-service", "v004.md").replace(b"Zoom", b"Mooz", 1)
    default_storage.delete(corrupted.storage_name)
    default_storage.save(corrupted.storage_name, ContentFile(gzip.compress(tampered)))
    default_storage.delete(missing.storage_name)

    with pytest.raises(CommandError, match="2 of 3 snapshots failed verification"):
        call_command("verify_archive")

    output = capsys.readouterr().out
    assert f"{corrupted.sha256} ({corrupted.storage_name}): hash mismatch" in output
    assert f"{missing.sha256} ({missing.storage_name}): missing file" in output
    for snapshot, ok in ((corrupted, False), (missing, False), (intact, True)):
        snapshot.refresh_from_db()
        assert snapshot.last_verification_ok is ok


def test_archive_files_are_addressed_by_the_hash_of_the_raw_bytes():
    snapshot = archived("zoom__terms-of-service", "v004.md")
    assert snapshot.storage_name == archive_storage_name(snapshot.sha256)
    assert snapshot.size == len(corpus_bytes("zoom__terms-of-service", "v004.md"))


def test_snapshot_command_fetches_the_documents_named(corpus_server, capsys):
    zoom = DocumentFactory(source_url=corpus_server.corpus_url("zoom__terms-of-service", "v004.md"))
    gone = DocumentFactory(source_url=corpus_server.route("/gone", status=410))
    untouched = DocumentFactory(source_url=corpus_server.route("/other", status=410))

    call_command("snapshot", zoom.record_id, gone.record_id.lower())

    output = capsys.readouterr().out
    assert zoom.versions.count() == 1
    assert f"{gone.record_id} gone:" in output
    assert "2 documents: 1 new version, 1 error." in output
    assert not FetchAttempt.objects.filter(document=untouched).exists()


def test_snapshot_all_fetches_every_monitored_document(corpus_server):
    monitored = DocumentFactory(
        source_url=corpus_server.corpus_url("zoom__terms-of-service", "v004.md")
    )
    paused = DocumentFactory(is_monitored=False, source_url=corpus_server.route("/x", status=404))

    call_command("snapshot", "--all")

    assert monitored.versions.count() == 1
    assert not FetchAttempt.objects.filter(document=paused).exists()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["CA-D-99999"], "No document with ID CA-D-99999."),
        ([], "Give document IDs"),
        (["--all", "CA-D-00001"], "Give document IDs"),
    ],
)
def test_snapshot_command_rejects_bad_arguments_clearly(arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("snapshot", *arguments)


def test_the_hourly_task_verifies_the_least_recently_verified_snapshots(settings):
    from apps.documents.tasks import verify_archive_batch

    # Two snapshots over 7 days of hourly runs: one snapshot a run.
    settings.DOCUMENTS_SCRUB_DAYS = 7
    settings.DOCUMENTS_SCRUB_EVERY_SECONDS = 3600
    stale, fresh = (
        archived("zoom__terms-of-service", "v004.md"),
        archived("x__terms-of-service", "v001.md"),
    )
    ArchivedSnapshot.objects.filter(pk=stale.pk).update(last_verified_at=None)
    default_storage.delete(stale.storage_name)

    assert verify_archive_batch.delay().get() == 1

    stale.refresh_from_db()
    fresh_before = fresh.last_verified_at
    fresh.refresh_from_db()
    assert stale.last_verification_ok is False
    assert fresh.last_verified_at == fresh_before
