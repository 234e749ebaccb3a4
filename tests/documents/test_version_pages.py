"""Archived versions for everyone: each version's page, the exact captured bytes and the
extracted text for download (the bytes hash to the SHA-256 shown), and the compare picker."""

import gzip
import hashlib

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from apps.documents.archive import archive_write
from apps.documents.models import ArchivedSnapshot
from tests.factories import DocumentVersionFactory

pytestmark = pytest.mark.django_db

RAW = b"<html><body><h1>Terms</h1><p>Clause one applies to every user.</p></body></html>"


def _archived_version(number=1, document=None, raw=RAW):
    sha256, storage_name = archive_write(raw)
    snapshot = ArchivedSnapshot.objects.create(
        sha256=sha256,
        storage_name=storage_name,
        size=len(raw),
        content_type="text/html; charset=utf-8",
        fetched_at=timezone.now(),
    )
    extra = {"document": document} if document else {}
    return DocumentVersionFactory(number=number, snapshot=snapshot, **extra)


def _url(name, version, **extra):
    document = version.document
    return reverse(
        name,
        kwargs={
            "platform_slug": document.platform.slug,
            "document_slug": document.slug,
            "number": version.number,
            **extra,
        },
    )


def test_the_archived_bytes_downloaded_from_the_public_url_hash_to_the_shown_sha256(client):
    version = _archived_version()

    page = client.get(_url("documents:version_detail", version)).content.decode()
    assert version.snapshot.sha256 in page
    download = client.get(_url("documents:version_raw", version))

    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert hashlib.sha256(download.content).hexdigest() == version.snapshot.sha256
    assert download.content == RAW


def test_the_extracted_text_downloads_with_the_hash_the_page_shows(client):
    version = _archived_version()

    page = client.get(_url("documents:version_detail", version)).content.decode()
    text = client.get(_url("documents:version_text", version))

    assert text.content.decode() == version.text
    assert hashlib.sha256(text.content).hexdigest() in page


def test_unknown_versions_are_404(client):
    version = _archived_version()
    document = version.document
    for number in (2, 0, 2**40):
        url = reverse(
            "documents:version_detail",
            kwargs={
                "platform_slug": document.platform.slug,
                "document_slug": document.slug,
                "number": number,
            },
        )
        assert client.get(url).status_code == 404


def test_a_tampered_file_fails_verify_archive_and_the_page_stops_saying_verified(client):
    version = _archived_version()
    call_command("verify_archive")
    page_url = _url("documents:version_detail", version)
    assert "Verified ✓" in client.get(page_url).content.decode()

    with default_storage.open(version.snapshot.storage_name, "wb") as stored:
        stored.write(gzip.compress(RAW.replace(b"every", b"no"), mtime=0))

    with pytest.raises(CommandError):
        call_command("verify_archive")
    page = client.get(page_url).content.decode()
    assert "Verified ✓" not in page
    assert "Hash mismatch" in page


def test_the_compare_picker_leads_to_the_diff_of_any_two_versions_in_either_order(client):
    first = _archived_version()
    for number in (2, 3):
        DocumentVersionFactory(document=first.document, number=number)
    document = first.document
    compare = reverse(
        "documents:version_compare",
        kwargs={"platform_slug": document.platform.slug, "document_slug": document.slug},
    )
    document_page = client.get(document.get_absolute_url()).content.decode()
    assert compare in document_page

    response = client.get(compare, {"from": 3, "to": 1})

    assert response.status_code == 302
    assert response["Location"] == reverse(
        "documents:version_diff",
        kwargs={
            "platform_slug": document.platform.slug,
            "document_slug": document.slug,
            "from_number": 1,
            "to_number": 3,
        },
    )
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.parametrize("query", [{"from": 2, "to": 2}, {"from": "x", "to": 1}, {}])
def test_the_compare_picker_explains_a_bad_choice(client, query):
    version = _archived_version()
    document = version.document
    compare = reverse(
        "documents:version_compare",
        kwargs={"platform_slug": document.platform.slug, "document_slug": document.slug},
    )

    response = client.get(compare, query, follow=True)

    assert response.status_code == 200
    assert "Choose two different versions" in response.content.decode()
