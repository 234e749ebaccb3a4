"""The open-data export: its files, their checksums, no locked text, and the public page that
offers the latest archive."""

import csv
import hashlib
import io
import json
import zipfile
from datetime import UTC, datetime

import pytest
from django.core.management import call_command

from apps.api.dataset import dataset_export, dataset_latest
from tests.billing.test_locked_matrix import MARKERS
from tests.factories import DocumentVersionFactory, ProvisionFactory, RegulationFactory

pytestmark = pytest.mark.django_db


def _download(client):
    page = client.get("/data/")
    assert page.status_code == 200
    archive = dataset_latest()
    assert archive.name in page.content.decode()
    response = client.get(f"/data/{archive.name}")
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert hashlib.sha256(body).hexdigest() == archive.sha256
    return archive, zipfile.ZipFile(io.BytesIO(body))


def test_the_export_holds_every_table_twice_with_checksums_and_no_memo(client, capsys):
    version = DocumentVersionFactory(number=1)
    provision = ProvisionFactory(document=version.document, cited_version=None)
    provision.regulations.add(RegulationFactory(slug="gdpr"))

    call_command("export_dataset")

    assert "sha256" in capsys.readouterr().out
    archive, zipped = _download(client)
    folder = archive.name.removesuffix(".zip")
    assert folder.startswith("conductatlas-dataset-v1-")
    names = set(zipped.namelist())
    for table in ("platforms", "documents", "versions", "provisions", "regulations"):
        assert {f"{folder}/{table}.jsonl", f"{folder}/{table}.csv"} <= names
    sums = zipped.read(f"{folder}/SHA256SUMS").decode().splitlines()
    assert len(sums) == len(names) - 1
    for line in sums:
        digest, path = line.split("  ")
        assert hashlib.sha256(zipped.read(f"{folder}/{path}")).hexdigest() == digest

    provisions = [
        json.loads(line) for line in zipped.read(f"{folder}/provisions.jsonl").splitlines()
    ]
    assert provisions[0]["record_id"] == provision.record_id
    assert provisions[0]["regulations"] == "gdpr"
    rows = list(csv.DictReader(io.StringIO(zipped.read(f"{folder}/versions.csv").decode())))
    assert rows[0]["text_sha256"] == version.text_sha256
    everything = b"".join(zipped.read(name) for name in names).decode()
    for marker in MARKERS.values():
        assert marker not in everything
    readme = zipped.read(f"{folder}/README.md").decode()
    assert "ODC-By" in readme
    assert "CC BY 4.0" in readme


def test_the_page_offers_the_newest_archive(client):
    dataset_export(now=datetime(2026, 1, 1, tzinfo=UTC))
    newest = dataset_export(now=datetime(2026, 2, 1, tzinfo=UTC))

    assert dataset_latest().name == newest.name
    assert newest.name in client.get("/data/").content.decode()


def test_unknown_archive_names_are_404(client):
    assert client.get("/data/").status_code == 200
    for name in ("nope.zip", "../settings.py", "conductatlas-dataset-v1-20260101T000000Z.zip"):
        assert client.get(f"/data/{name}").status_code == 404
