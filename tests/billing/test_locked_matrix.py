"""Tier × locked-section matrix: each part of the compliance memo reaches exactly the tiers
entitled to it, on the provision page and in search results. The factory's memo fields carry
"LOCKED-..." markers, so their absence from a response proves the text was never sent."""

import pytest
from django.urls import reverse

from tests.factories import ProvisionFactory
from tests.tiers import TIERS, client_for_tier

pytestmark = pytest.mark.django_db

MARKERS = {
    "regulatory_framework": "LOCKED-REGULATORY-FRAMEWORK",
    "governance_exposure": "LOCKED-GOVERNANCE-EXPOSURE",
    "jurisdiction_flags": "LOCKED-JURISDICTION-FLAGS",
    "contract_vendor_implications": "LOCKED-CONTRACT-IMPLICATIONS",
    "compliance_considerations": "LOCKED-COMPLIANCE-CONSIDERATIONS",
    "enforcement_risk": "LOCKED-ENFORCEMENT-RISK",
    "action_items": "LOCKED-ACTION-ITEMS",
}
CITATIONS = {"regulatory_framework", "jurisdiction_flags"}
VISIBLE_TO = {
    "visitor": set(),
    "free": set(),
    "watcher": CITATIONS,
    "professional": set(MARKERS),
}


@pytest.fixture
def provision():
    return ProvisionFactory(title="Training on customer output")


def _provision_url(provision) -> str:
    return reverse(
        "platforms:provision_detail",
        kwargs={
            "platform_slug": provision.document.platform.slug,
            "document_slug": provision.document.slug,
            "provision_slug": provision.slug,
        },
    )


@pytest.mark.parametrize("tier", TIERS)
def test_provision_page_sends_only_the_memo_parts_the_tier_may_read(tier, provision):
    html = client_for_tier(tier).get(_provision_url(provision)).content.decode()

    assert provision.title in html
    for field, marker in MARKERS.items():
        if field in VISIBLE_TO[tier]:
            assert marker in html, f"{tier} should see {field}"
        else:
            assert marker not in html, f"{tier} must not be sent {field}"


@pytest.mark.parametrize("tier", TIERS)
def test_search_results_never_carry_or_reveal_locked_memo_text(tier, provision):
    client = client_for_tier(tier)
    by_title = client.get("/search/", {"q": "Training on customer output"}).content.decode()
    assert provision.title in by_title

    for field, marker in MARKERS.items():
        if field in VISIBLE_TO[tier]:
            continue
        assert marker not in by_title
        # Words found only in a locked part must not even find the provision: a hit would
        # reveal what the locked text says.
        # (As a phrase: search accepts any of a query's words, and "compliance" alone is
        # rightly found in the public "why it matters".)
        locked_phrase = f'"{marker.replace("-", " ")}"'
        by_memo_words = client.get("/search/", {"q": locked_phrase}).content.decode()
        assert marker not in by_memo_words, f"{tier} was sent {field} through search"
        assert provision.title not in by_memo_words, f"{tier} found the provision by {field}"


@pytest.mark.parametrize("tier", TIERS)
def test_comparison_page_is_public_and_carries_no_memo_text(tier, provision):
    other = ProvisionFactory(title="Arbitration of every dispute")
    platforms = f"{provision.document.platform.slug},{other.document.platform.slug}"
    response = client_for_tier(tier).get("/compare/", {"platforms": platforms})

    assert response.status_code == 200
    html = response.content.decode()
    # Every tier sees the same public cells: title, severity, link.
    for shown in (provision, other):
        assert shown.title in html and shown.get_absolute_url() in html
    for field, marker in MARKERS.items():
        assert marker not in html, f"{tier} was sent {field} on the comparison page"
