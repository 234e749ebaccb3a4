"""The archive on an S3-compatible object store, as production runs it with several hosts: a
real S3 API (moto's server mode, on a loopback port) behind django-storages' S3 backend."""

import uuid

import boto3
import pytest
from botocore.config import Config
from django.core.management import CommandError, call_command
from django.urls import reverse
from moto.server import ThreadedMotoServer

from apps.documents.archive import ArchiveUnavailable
from apps.documents.models import ArchivedSnapshot, FetchAttempt, FetchOutcome
from apps.documents.services import document_snapshot
from tests.documents.pipeline_helpers import MARKDOWN, corpus_bytes
from tests.factories import DocumentFactory

pytestmark = pytest.mark.django_db

CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
REGION = "us-east-1"
# A stopped server must fail a request at once, not after boto's usual retries.
CLIENT_CONFIG = Config(
    connect_timeout=1,
    read_timeout=5,
    retries={"max_attempts": 1, "mode": "standard"},
    s3={"addressing_style": "path"},
)


class S3Server:
    """moto's S3 server on a loopback port that stays the same across stop and start (its
    buckets live in this process, so they survive a restart, as a real store's do)."""

    def __init__(self):
        self.port = 0
        self.start()

    def start(self):
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self._server.start()
        self.port = self._server.get_host_and_port()[1]

    def stop(self):
        self._server.stop()

    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self):
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            region_name=REGION,
            config=CLIENT_CONFIG,
            **CREDENTIALS,
        )


@pytest.fixture(scope="module")
def s3_server():
    server = S3Server()
    yield server
    server.stop()


@pytest.fixture
def bucket(s3_server, settings):
    """A fresh bucket, made the default storage the way production's environment makes it:
    DJANGO_FILE_STORAGE names the S3 backend, the AWS_* settings say where."""
    name = f"archive-{uuid.uuid4().hex[:12]}"
    s3_server.client().create_bucket(Bucket=name)
    settings.AWS_STORAGE_BUCKET_NAME = name
    settings.AWS_S3_ENDPOINT_URL = s3_server.endpoint_url
    settings.AWS_S3_REGION_NAME = REGION
    settings.AWS_S3_ACCESS_KEY_ID = CREDENTIALS["aws_access_key_id"]
    settings.AWS_S3_SECRET_ACCESS_KEY = CREDENTIALS["aws_secret_access_key"]
    settings.AWS_S3_CLIENT_CONFIG = CLIENT_CONFIG
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage"},
    }
    return name


def objects_in(s3_server, bucket: str) -> list[str]:
    listing = s3_server.client().list_objects_v2(Bucket=bucket)
    return [item["Key"] for item in listing.get("Contents", [])]


def test_a_capture_is_archived_in_the_bucket_served_by_its_page_and_verified(
    s3_server, bucket, corpus_server, client, capsys, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    body = corpus_bytes("zoom__terms-of-service", "v004.md")
    document = DocumentFactory(
        source_url=corpus_server.route("/terms", body=body, content_type=MARKDOWN)
    )

    run = document_snapshot(document=document)

    assert run.attempt.outcome == FetchOutcome.NEW_VERSION
    version = document.versions.get()
    assert objects_in(s3_server, bucket) == [version.snapshot.storage_name]
    assert not (tmp_path / "media").exists()  # nothing on the local disk

    response = client.get(
        reverse(
            "documents:version_raw",
            kwargs={
                "platform_slug": document.platform.slug,
                "document_slug": document.slug,
                "number": version.number,
            },
        )
    )
    assert response.status_code == 200
    assert response.content == body

    ArchivedSnapshot.objects.update(last_verified_at=None, last_verification_ok=None)
    call_command("verify_archive")
    assert "1 snapshots verified" in capsys.readouterr().out
    snapshot = ArchivedSnapshot.objects.get()
    assert snapshot.last_verification_ok is True

    # An object altered in the bucket is caught.
    s3_server.client().put_object(Bucket=bucket, Key=snapshot.storage_name, Body=b"not gzip")
    with pytest.raises(CommandError):
        call_command("verify_archive")
    snapshot.refresh_from_db()
    assert snapshot.last_verification_ok is False


def test_a_storage_outage_mid_capture_records_nothing_and_the_next_run_succeeds(
    s3_server, bucket, corpus_server
):
    body = corpus_bytes("x__terms-of-service", "v001.md")
    document = DocumentFactory(
        source_url=corpus_server.route("/terms", body=body, content_type=MARKDOWN)
    )

    s3_server.stop()
    try:
        # The fetch succeeds (the document's server is up); storing its bytes does not.
        with pytest.raises(ArchiveUnavailable):
            document_snapshot(document=document)
    finally:
        s3_server.start()

    assert len(corpus_server.requests_to("/terms")) == 1
    assert not ArchivedSnapshot.objects.exists()
    assert not document.versions.exists()
    # The attempt stays as it was written when the run began: started, never finished (the
    # history shows it interrupted once its lease is over).
    assert list(
        FetchAttempt.objects.filter(document=document).values_list("outcome", flat=True)
    ) == [FetchOutcome.STARTED]
    assert objects_in(s3_server, bucket) == []
    document.refresh_from_db()
    assert document.fetch_lease_until is None  # free for the next dispatch

    run = document_snapshot(document=document)

    assert run.attempt.outcome == FetchOutcome.NEW_VERSION
    assert document.versions.count() == 1
    assert objects_in(s3_server, bucket) == [ArchivedSnapshot.objects.get().storage_name]


def test_an_unreachable_store_is_a_clear_error_on_the_page_and_in_verify_archive(
    s3_server, bucket, corpus_server, client
):
    body = corpus_bytes("zoom__terms-of-service", "v004.md")
    document = DocumentFactory(
        source_url=corpus_server.route("/terms", body=body, content_type=MARKDOWN)
    )
    document_snapshot(document=document)
    version = document.versions.get()
    raw_url = reverse(
        "documents:version_raw",
        kwargs={
            "platform_slug": document.platform.slug,
            "document_slug": document.slug,
            "number": version.number,
        },
    )

    s3_server.stop()
    try:
        response = client.get(raw_url)
        with pytest.raises(CommandError, match="cannot be reached"):
            call_command("verify_archive")
    finally:
        s3_server.start()

    assert response.status_code == 503
    assert "try again" in response.content.decode()
    # Nothing was learned about the file, so nothing is recorded against it.
    assert ArchivedSnapshot.objects.get().last_verification_ok is True
