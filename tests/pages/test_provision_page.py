import json
import re
from dataclasses import replace

import pytest
from django.utils import timezone

from apps.billing.entitlements import VISITOR
from apps.provisions.models import ProvisionStatus
from tests.pages.sample_catalog import LUMA_CLAUSE

MEMO_MARKERS = (
    "LOCKED-REGULATORY-FRAMEWORK",
    "LOCKED-GOVERNANCE-EXPOSURE",
    "LOCKED-JURISDICTION-FLAGS",
    "LOCKED-CONTRACT-IMPLICATIONS",
    "LOCKED-COMPLIANCE-CONSIDERATIONS",
    "LOCKED-ENFORCEMENT-RISK",
    "LOCKED-ACTION-ITEMS",
)


def get_page(client, provision):
    response = client.get(provision.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_page_shows_every_section(client, catalog, settings):
    settings.SITE_URL = "https://atlas.example"
    provision = catalog.provision
    html = get_page(client, provision)

    assert "<h1>Prohibition on Using Output to Train Competing AI Models</h1>" in html
    assert "Medium severity" in html
    assert "Shared · 1 of 2 platforms" in html
    assert "It is not a legal opinion" in html and 'href="/methodology/"' in html
    for marker in ("SUMMARY-TEXT", "WHY-TEXT", "IMPACT-TEXT", "NOTE-TEXT"):
        assert marker in html
    # How other platforms handle this: the published peer with its severity, and the way on.
    assert "PEER-CLAUSE" in html and catalog.peer.get_absolute_url() in html
    assert "See all platforms with this clause type →" in html
    assert f'href="{provision.clause_type.get_absolute_url()}"' in html
    # Original clause language and where it comes from.
    assert LUMA_CLAUSE in html
    assert "— Excerpt from Luma AI's Luma AI Terms of Service" in html
    # Regulations with jurisdiction and links.
    assert 'href="/regulations/eu-ai-act/"' in html and "European Union" in html
    assert "Colorado AI Act" in html and "US-CO" in html
    # Compliance analysis teaser.
    assert "Compliance intelligence locked" in html and "Enforcement risk" in html
    # Agencies with the per-provision note and the complaint link.
    assert "Federal Trade Commission" in html and "AGENCY-NOTE" in html
    assert 'href="https://reportfraud.ftc.example/"' in html
    # Provision details.
    assert provision.record_id in html and provision.document.record_id in html
    assert "May 5, 2026" in html
    # Evidence provenance.
    assert "https://lumalabs.example/legal/tos" in html
    assert "https://web.archive.org/web/2026/https://lumalabs.example/legal/tos" in html
    assert catalog.snapshot.sha256 in html
    assert "Snapshot stored ✓" in html and "Hash verified ✓" in html
    # Citation record.
    assert f"https://atlas.example{provision.get_absolute_url()}" in html
    assert timezone.localdate().strftime("%B %-d, %Y") in html
    assert f"https://atlas.example/records/{provision.record_id}/" in html
    # Classification.
    assert "AI governance" in html
    # Other provisions of the document: published only.
    assert "Usage Data Ownership" in html and "DRAFT-SIBLING" not in html
    # Related analysis: linked through the provision and through its clause type, published only.
    assert "ARTICLE-ONE" in html and "ARTICLE-TWO" in html and "ARTICLE-HIDDEN" not in html
    # FAQ: generated questions and the curated one.
    assert "What does Luma AI&#x27;s Prohibition on Using Output" in html
    assert "Can I fine-tune my own model on outputs?" in html
    assert "Is ConductAtlas affiliated with Luma AI?" in html
    # Change activity: one change in 30 days (the 45-day-old change and the re-extraction
    # do not count) and the monitoring call to action.
    assert "Luma AI recorded <strong>1</strong> documented change in the last 30 days." in html
    assert "Start monitoring" in html


def test_faq_json_ld_is_an_faq_page(client, catalog):
    html = get_page(client, catalog.provision)
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    by_type = {json.loads(block)["@type"]: json.loads(block) for block in blocks}
    # Beside the FAQ, the breadcrumb trail (tests/pages/test_sharing.py checks it).
    assert sorted(by_type) == ["BreadcrumbList", "FAQPage"]
    data = by_type["FAQPage"]
    questions = [entry["name"] for entry in data["mainEntity"]]
    assert "Can I fine-tune my own model on outputs?" in questions
    assert questions[-1] == "Is ConductAtlas affiliated with Luma AI?"
    assert all(entry["acceptedAnswer"]["text"] for entry in data["mainEntity"])


def test_json_ld_cannot_break_out_of_its_script(client, catalog):
    catalog.provision.faq_entries.update(question="</script><script>alert(1)</script>")
    html = get_page(client, catalog.provision)
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert "alert(1)" in json.loads(block.group(1))["mainEntity"][2]["name"]
    assert "<script>alert(1)" not in html


def test_visitor_never_receives_memo_text(client, catalog):
    html = get_page(client, catalog.provision)
    for marker in MEMO_MARKERS:
        assert marker not in html


@pytest.mark.parametrize(
    ("entitlements", "shown", "withheld"),
    [
        (
            replace(VISITOR, features=frozenset({"regulatory_citations"})),
            {"LOCKED-REGULATORY-FRAMEWORK", "LOCKED-JURISDICTION-FLAGS"},
            set(MEMO_MARKERS) - {"LOCKED-REGULATORY-FRAMEWORK", "LOCKED-JURISDICTION-FLAGS"},
        ),
        (
            replace(VISITOR, features=frozenset({"full_memo"})),
            set(MEMO_MARKERS),
            set(),
        ),
    ],
    ids=["watcher", "professional"],
)
def test_paid_viewers_receive_their_layers(
    client, catalog, monkeypatch, entitlements, shown, withheld
):
    monkeypatch.setattr("apps.site.views.entitlements_for_request", lambda request: entitlements)
    html = get_page(client, catalog.provision)
    assert all(marker in html for marker in shown)
    assert not any(marker in html for marker in withheld)
    assert ("Compliance intelligence locked" in html) == bool(withheld)


def test_unverified_evidence_is_said_plainly(client, catalog):
    catalog.snapshot.last_verification_ok = None
    catalog.snapshot.save()
    html = get_page(client, catalog.provision)
    assert "Snapshot stored ✓" in html
    assert "Hash verified" not in html and "Hash not yet verified" in html


def test_failed_verification_is_shown(client, catalog):
    catalog.snapshot.last_verification_ok = False
    catalog.snapshot.save()
    html = get_page(client, catalog.provision)
    assert "Hash verified" not in html and "Hash check failed" in html


def test_version_without_snapshot_claims_nothing(client, catalog):
    version = catalog.provision.cited_version
    version.snapshot = None
    version.save()
    html = get_page(client, catalog.provision)
    assert "Snapshot stored ✓" not in html and "Hash verified ✓" not in html
    assert version.text_sha256 in html and "SHA-256 of the extracted text" in html


def test_provision_without_cited_version(client, catalog):
    catalog.sibling.cited_version = None
    catalog.sibling.save()
    html = get_page(client, catalog.sibling)
    assert "does not cite an archived version yet" in html
    assert "Snapshot stored" not in html


def test_unique_provision(client, catalog):
    html = get_page(client, catalog.other_type)
    # Luma AI and Hulu have published provisions, of other clause types; Draftly has none.
    assert "Unique · 0 of 2 platforms" in html
    assert "No other tracked platform has a published provision of this clause type" in html


@pytest.mark.parametrize("status", [ProvisionStatus.DRAFT, ProvisionStatus.IN_REVIEW])
def test_unpublished_provision_is_404(client, catalog, status):
    catalog.provision.status = status
    catalog.provision.save()
    response = client.get(catalog.provision.get_absolute_url())
    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


def test_provision_url_must_match_its_platform_and_document(client, catalog):
    url = catalog.provision.get_absolute_url().replace("/luma-ai/", "/hulu/")
    assert client.get(url).status_code == 404
