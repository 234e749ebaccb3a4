"""The hash chain of a document's versions: made on save, walked by verify_archive, checked by
the version page, published by the API, and re-verifiable by the README's script."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from apps.documents.chain import chain_hash, version_chain_record
from apps.documents.models import DocumentVersion
from apps.documents.selectors import chain_problems
from apps.documents.services import snapshot_ingest
from tests.documents.test_version_pages import _archived_version
from tests.factories import DocumentFactory, DocumentVersionFactory

README = Path(__file__).resolve().parent.parent.parent / "README.md"


def _three_versions():
    first = _archived_version()
    second = DocumentVersionFactory(document=first.document, number=2)
    third = DocumentVersionFactory(document=first.document, number=3)
    return first, second, third


def _page(client, version):
    document = version.document
    url = reverse(
        "documents:version_detail",
        kwargs={
            "platform_slug": document.platform.slug,
            "document_slug": document.slug,
            "number": version.number,
        },
    )
    return client.get(url).content.decode()


@pytest.mark.django_db
def test_each_version_links_to_the_one_before():
    first, second, third = _three_versions()

    assert first.previous_chain_sha256 == ""
    assert second.previous_chain_sha256 == first.chain_sha256
    assert third.previous_chain_sha256 == second.chain_sha256
    for version in DocumentVersion.objects.all():
        assert chain_hash(version_chain_record(version)) == version.chain_sha256
    call_command("verify_archive")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "tamper",
    [
        {"text_sha256": "0" * 64},  # a record rewritten after the fact
        {"chain_sha256": "f" * 64},  # a link forged
    ],
)
def test_a_tampered_link_fails_verify_archive_and_the_page_stops_saying_verified(
    client, tamper, capsys
):
    first, _second, _third = _three_versions()
    call_command("verify_archive")
    assert "Verified ✓" in _page(client, first)

    DocumentVersion.objects.filter(pk=first.pk).update(**tamper)

    with pytest.raises(CommandError, match="[12] of 3 chain links are broken"):
        call_command("verify_archive")
    assert f"{first.document.record_id} v1" in capsys.readouterr().out
    page = _page(client, DocumentVersion.objects.get(pk=first.pk))
    assert "Verified ✓" not in page
    assert "Chain broken" in page


@pytest.mark.django_db
def test_the_chain_endpoint_publishes_every_record_oldest_first():
    first, second, third = _three_versions()

    body = APIClient().get(f"/api/v1/documents/{first.document.record_id}/chain/").json()

    assert [link["chain_sha256"] for link in body["links"]] == [
        first.chain_sha256,
        second.chain_sha256,
        third.chain_sha256,
    ]
    assert body["links"][0]["record"]["snapshot_sha256"] == first.snapshot.sha256
    assert body["links"][1]["raw_url"] is None


def _readme_script() -> str:
    match = re.search(r"```python\n(# verify_chain\.py.*?)```", README.read_text(), re.S)
    assert match, "the README's verification script"
    return match.group(1)


@pytest.mark.django_db(transaction=True)
def test_the_readme_script_verifies_a_chain_from_outside(live_server, tmp_path):
    first, _second, _third = _three_versions()
    script = tmp_path / "verify_chain.py"
    script.write_text(_readme_script())
    record_id = first.document.record_id

    verified = subprocess.run(
        [sys.executable, str(script), live_server.url, record_id],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert verified.returncode == 0, verified.stderr
    assert "3 versions, chain and files verified" in verified.stdout

    DocumentVersion.objects.filter(pk=first.pk).update(
        captured_at=first.captured_at.replace(year=2001)
    )
    refused = subprocess.run(
        [sys.executable, str(script), live_server.url, record_id],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert refused.returncode != 0
    assert "v1" in refused.stderr


def _terms(sentence: str) -> bytes:
    body = " ".join(
        f"Clause {n} says that {sentence} for every user of the service." for n in range(12)
    )
    return f"# Terms of service\n\n{body}\n".encode()


@pytest.mark.django_db
def test_the_pipeline_chains_the_versions_it_records():
    document = DocumentFactory()
    for sentence in ("the licence is broad", "the licence is narrow"):
        snapshot_ingest(
            document=document,
            raw=_terms(sentence),
            content_type="text/markdown; charset=utf-8",
            final_url="https://example.com/terms",
            headers={},
            fetched_at=timezone.now(),
        )

    first, second = DocumentVersion.objects.filter(document=document).order_by("number")
    assert second.previous_chain_sha256 == first.chain_sha256 != ""
    assert chain_problems(document=document) == (2, [])
