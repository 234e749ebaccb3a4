import gzip

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from apps.core.exceptions import ApplicationError
from apps.documents import normalization
from apps.documents.archive import archive_storage_name, archive_write
from apps.documents.models import ArchivedSnapshot, DocumentVersion, VersionKind
from apps.documents.services import IngestReason, events, snapshot_ingest
from apps.documents.services import ingest as ingest_module
from tests.documents.pipeline_helpers import MARKDOWN, corpus_bytes
from tests.factories import DocumentFactory

pytestmark = pytest.mark.django_db


def ingest(document, raw, content_type=MARKDOWN):
    return snapshot_ingest(
        document=document,
        raw=raw,
        content_type=content_type,
        final_url="https://example.com/terms",
        headers={"Content-Type": content_type},
        fetched_at=timezone.now(),
    )


def test_first_record_archives_the_raw_bytes_and_starts_tracking():
    document = DocumentFactory(first_tracked_at=None)
    raw = corpus_bytes("zoom__terms-of-service", "v004.md")

    outcome = ingest(document, raw)

    assert outcome.changed and outcome.reason == IngestReason.FIRST_RECORD
    version = outcome.version
    assert (version.number, version.kind) == (1, VersionKind.FIRST_RECORD)
    assert version.text == raw.decode()
    snapshot = outcome.snapshot
    assert (
        snapshot.storage_name
        == f"archive/{snapshot.sha256[:2]}/{snapshot.sha256[2:4]}/{snapshot.sha256}.gz"
    )
    with default_storage.open(snapshot.storage_name) as stored:
        assert gzip.decompress(stored.read()) == raw
    assert snapshot.final_url == "https://example.com/terms"
    document.refresh_from_db()
    assert document.first_tracked_at == version.captured_at
    assert document.last_verified_at == version.captured_at


def test_a_first_record_normalises_its_text_once(monkeypatch):
    raw = corpus_bytes("zoom__terms-of-service", "v004.md")
    whole_texts: list[str] = []

    def counted(text):
        if len(text) > len(raw) // 2:
            whole_texts.append(text)
        return normalization.normalize_text(text)

    monkeypatch.setattr(ingest_module, "normalize_text", counted)
    monkeypatch.setattr(events, "normalize_text", counted)

    outcome = ingest(DocumentFactory(), raw)

    assert len(whole_texts) == 1
    words = len(normalization.normalize_text(raw.decode()).split())
    assert outcome.version.change_event.summary["words_added"] == words


def test_the_archive_is_written_at_its_level_and_older_files_stay_valid():
    raw = corpus_bytes("zoom__terms-of-service", "v004.md")

    sha256, name = archive_write(raw)

    with default_storage.open(name) as stored:
        assert stored.read() == gzip.compress(raw, compresslevel=3, mtime=0)
    # A file an earlier release wrote at level 9 (or 6) holds the same bytes: it is kept as it is.
    default_storage.delete(name)
    older = gzip.compress(raw, compresslevel=9, mtime=0)
    default_storage.save(archive_storage_name(sha256), ContentFile(older))
    assert archive_write(raw) == (sha256, name)
    with default_storage.open(name) as stored:
        assert stored.read() == older


def test_a_real_change_records_the_next_version():
    document = DocumentFactory()
    ingest(document, corpus_bytes("zoom__terms-of-service", "v004.md"))

    outcome = ingest(document, corpus_bytes("zoom__terms-of-service", "v005.md"))

    assert outcome.reason == IngestReason.CHANGE
    assert (outcome.version.number, outcome.version.kind) == (2, VersionKind.CHANGE)
    assert ArchivedSnapshot.objects.count() == 2


def test_a_change_is_recorded_in_a_constant_number_of_queries(
    django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    document = DocumentFactory()
    first = ingest(document, corpus_bytes("zoom__terms-of-service", "v004.md")).version

    # The row lock, the matching and latest versions, the snapshot (looked up, then written),
    # the version, the document's marks and the change event: none re-reads what the
    # transaction already holds (the previous chain link, the rows the event points to, the
    # document's platform for the pages to invalidate).
    with django_capture_on_commit_callbacks(execute=False), django_assert_max_num_queries(15):
        version = ingest(document, corpus_bytes("zoom__terms-of-service", "v005.md")).version

    assert version.previous_chain_sha256 == first.chain_sha256
    assert version.change_event.previous_version == first


def test_link_token_churn_only_marks_the_document_verified():
    document = DocumentFactory()
    original = corpus_bytes("claude-ai__privacy-policy", "v001.md")
    ingest(document, original)
    token = b"website.v1.14b44331-cbf7-46ac-8837-0cf371722325"
    assert token in original
    churned = original.replace(token, b"website.v1.a499be62-09cc-4eec-a82b-20a8bf1574f8")

    outcome = ingest(document, churned)

    assert outcome.reason == IngestReason.UNCHANGED and not outcome.changed
    assert document.versions.count() == 1
    assert ArchivedSnapshot.objects.count() == 1


def test_a_flip_back_to_an_earlier_text_is_not_a_change():
    document = DocumentFactory()
    for file in ("v003.md", "v004.md"):
        ingest(document, corpus_bytes("tiktok__privacy-policy", file))

    outcome = ingest(document, corpus_bytes("tiktok__privacy-policy", "v005.md"))

    assert outcome.reason == IngestReason.REVERTED
    assert outcome.matched_version.number == 1
    assert document.versions.count() == 2


def test_identical_bytes_take_the_fast_path_and_a_rule_change_reads_them_again():
    document = DocumentFactory()
    raw = corpus_bytes("airbnb__terms-of-service", "v002.md")
    ingest(document, raw)

    assert ingest(document, raw).reason == IngestReason.SAME_RAW

    document.extraction_rule_version = 2
    document.save()
    assert ingest(document, raw).reason == IngestReason.UNCHANGED


def test_a_different_text_after_a_rule_change_is_a_technical_reextraction():
    document = DocumentFactory()
    ingest(document, corpus_bytes("airbnb__terms-of-service", "v002.md"))
    document.extraction_rule_version = 2
    document.save()

    outcome = ingest(document, corpus_bytes("airbnb__terms-of-service", "v003.md"))

    assert outcome.reason == IngestReason.REEXTRACTION
    assert outcome.version.kind == VersionKind.REEXTRACTION
    assert outcome.version.extraction_rule_version == 2


def test_an_error_page_is_rejected_without_a_version_or_snapshot():
    document = DocumentFactory()

    with pytest.raises(ApplicationError) as raised:
        ingest(document, corpus_bytes("spotify__privacy-policy", "v001.md"))

    assert raised.value.extra["kind"] == "extraction"
    assert not DocumentVersion.objects.exists()
    assert not ArchivedSnapshot.objects.exists()
    document.refresh_from_db()
    assert document.last_verified_at is None


def test_the_same_bytes_for_two_documents_share_one_snapshot():
    raw = corpus_bytes("zoom__terms-of-service", "v004.md")
    first = ingest(DocumentFactory(), raw)
    second = ingest(DocumentFactory(), raw)

    assert first.snapshot == second.snapshot
    assert ArchivedSnapshot.objects.count() == 1


def test_after_a_rule_change_verified_the_same_words_the_next_difference_is_a_change():
    document = DocumentFactory()
    ingest(document, corpus_bytes("zoom__terms-of-service", "v004.md"))
    document.extraction_rule_version = 2
    document.save()
    assert ingest(document, corpus_bytes("zoom__terms-of-service", "v004.md")).reason == (
        IngestReason.UNCHANGED
    )

    outcome = ingest(document, corpus_bytes("zoom__terms-of-service", "v005.md"))

    assert outcome.version.kind == VersionKind.CHANGE


def test_a_new_snapshot_is_read_back_and_verified_before_it_is_recorded():
    outcome = ingest(DocumentFactory(), corpus_bytes("zoom__terms-of-service", "v004.md"))

    assert outcome.snapshot.last_verification_ok is True
    assert outcome.snapshot.last_verified_at is not None
