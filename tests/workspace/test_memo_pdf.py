"""The compliance memo as a PDF, read back with pypdf: every part of the memo for a plan with
the full memo, none of the locked parts for a plan without it, page numbers and the record ID
in the footer, and a 403 (never a partial file) for plans without the PDF."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.billing.models import Plan
from apps.billing.services import subscription_grant
from apps.monitoring.models import WatchedPlatform, WatchedProvision
from apps.provisions.models import ProvisionStatus
from tests.billing.test_locked_matrix import MARKERS
from tests.factories import DocumentFactory, ProvisionFactory
from tests.pages.sample_catalog import LUMA_CLAUSE, build_sample_catalog
from tests.tiers import csrf_client, member_on_plan
from tests.workspace.helpers import compact, pdf_pages

pytestmark = pytest.mark.django_db


def memo_url(provision) -> str:
    return reverse(
        "workspace:provision_memo_pdf",
        kwargs={
            "platform_slug": provision.document.platform.slug,
            "document_slug": provision.document.slug,
            "provision_slug": provision.slug,
        },
    )


def pdf_of(client, url) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    return pdf_pages(response.content)


def test_a_professional_memo_holds_every_part_with_its_evidence():
    catalog = build_sample_catalog()
    provision = catalog.provision
    version = provision.cited_version
    user, organization = member_on_plan("professional", email="preparer@example.test")
    pages = pdf_of(csrf_client(user), memo_url(provision))
    text = " ".join(pages)

    cover = pages[0]
    assert organization.name in cover
    assert "preparer@example.test" in cover
    assert timezone.localdate().strftime("%B") in cover
    assert provision.title in text
    assert "Severity Medium" in text
    assert provision.clause_type.name in text
    assert " ".join(LUMA_CLAUSE.split()[:12]) in text
    assert provision.document.record_id in text
    assert f"Version {version.number}" in text
    assert catalog.snapshot.sha256 in compact(text)
    assert compact(version.archive_url) in compact(text)
    for marker in MARKERS.values():
        assert marker in text, marker
    for heading in ("What it is", "Why it matters", "Consumer impact", "Citation record"):
        assert heading in text
    assert "EU AI Act (European Union)" in text and "Colorado AI Act (US-CO)" in text
    assert "Federal Trade Commission" in text
    assert "reportfraud.ftc.example" in compact(text)
    assert "Methodology and disclaimer" in text and "not legal advice" in text
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
    assert all(provision.record_id in page for page in pages[1:-1])


def test_a_plan_with_the_pdf_but_not_the_full_memo_gets_no_locked_text():
    """The PDF holds what the plan reads on the page, no more: the citations here."""
    provision = ProvisionFactory()
    citations_with_pdf = Plan.objects.create(
        code="citations-pdf",
        name="Citations with PDF",
        monthly_price=20,
        max_tracked_platforms=5,
        regulatory_citations=True,
        memo_pdf=True,
    )
    user, organization = member_on_plan("free")
    subscription_grant(organization=organization, plan=citations_with_pdf)
    text = " ".join(pdf_of(csrf_client(user), memo_url(provision)))

    for field, marker in MARKERS.items():
        if field in {"regulatory_framework", "jurisdiction_flags"}:
            assert marker in text
        else:
            assert marker not in text, field
    assert "Not included in your plan: Governance exposure" in text


@pytest.mark.parametrize("tier", ["visitor", "free", "watcher"])
def test_plans_without_the_pdf_get_a_403_page_not_a_file(tier):
    provision = ProvisionFactory()
    client = csrf_client(None if tier == "visitor" else member_on_plan(tier)[0])
    response = client.get(memo_url(provision))
    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "Audit-ready memo PDF" in html and "Professional includes it" in html
    assert reverse("billing:pricing") in html
    assert not any(marker in html for marker in MARKERS.values())


def test_a_memo_without_an_archived_version_says_so():
    provision = ProvisionFactory(cited_version=None)
    user, _organization = member_on_plan("professional")
    text = " ".join(pdf_of(csrf_client(user), memo_url(provision)))
    assert "No archived version" in text
    assert "does not cite an archived version" in text
    assert provision.document.record_id in text


def test_an_unknown_or_unpublished_provision_is_a_404():
    draft = ProvisionFactory(status=ProvisionStatus.DRAFT, published_at=None)
    client = csrf_client(member_on_plan("professional")[0])
    assert client.get(memo_url(draft)).status_code == 404
    url = reverse(
        "workspace:provision_memo_pdf",
        kwargs={"platform_slug": "nope", "document_slug": "nope", "provision_slug": "nope"},
    )
    assert client.get(url).status_code == 404


def test_the_platform_memo_bundles_its_published_provisions_with_contents():
    catalog = build_sample_catalog()
    user, _organization = member_on_plan("professional")
    url = reverse("workspace:platform_memo_pdf", kwargs={"platform_slug": "luma-ai"})
    pages = pdf_of(csrf_client(user), url)
    contents = pages[1]
    assert "Contents" in contents
    for provision in (catalog.provision, catalog.sibling):
        assert provision.title in contents
        assert provision.record_id in contents
        starts_on = next(
            number
            for number, page in enumerate(pages, start=1)
            if number > 2 and f"record {provision.record_id} {provision.title}" in page
        )
        # The table of contents gives the page each memo starts on.
        listed = re.search(rf"\({provision.record_id}\) \.+ (\d+)", contents)
        assert listed and int(listed.group(1)) == starts_on
    text = " ".join(pages)
    assert catalog.draft_sibling.title not in text
    assert catalog.peer.title not in text


def test_the_watchlist_memo_holds_the_organizations_provisions_only(two_orgs):
    tracked_platform_provision = ProvisionFactory(title="TRACKED-PLATFORM clause")
    tracked_clause = ProvisionFactory(title="TRACKED-CLAUSE clause")
    untracked = ProvisionFactory(title="UNTRACKED clause")
    ProvisionFactory(
        document=DocumentFactory(platform=tracked_platform_provision.document.platform),
        title="DRAFT-ON-TRACKED clause",
        status=ProvisionStatus.DRAFT,
        published_at=None,
    )
    WatchedPlatform.objects.create(
        organization=two_orgs.org_a, platform=tracked_platform_provision.document.platform
    )
    WatchedProvision.objects.create(organization=two_orgs.org_a, provision=tracked_clause)
    WatchedPlatform.objects.create(
        organization=two_orgs.org_b, platform=untracked.document.platform
    )

    url = reverse("workspace_org:watchlist_memo_pdf", kwargs={"org_slug": two_orgs.org_a.slug})
    text = " ".join(pdf_of(csrf_client(two_orgs.owner_a), url))
    assert two_orgs.org_a.name in text
    assert "TRACKED-PLATFORM clause" in text and "TRACKED-CLAUSE clause" in text
    assert "UNTRACKED clause" not in text and "DRAFT-ON-TRACKED" not in text


@pytest.mark.parametrize(("tier", "offered"), [("free", False), ("professional", True)])
def test_the_dashboard_offers_the_watchlist_memo_to_plans_with_the_pdf(tier, offered):
    user, organization = member_on_plan(tier)
    WatchedPlatform.objects.create(
        organization=organization, platform=ProvisionFactory().document.platform
    )
    html = csrf_client(user).get(organization.get_absolute_url()).content.decode()
    url = reverse("workspace_org:watchlist_memo_pdf", kwargs={"org_slug": organization.slug})
    assert (url in html) is offered
