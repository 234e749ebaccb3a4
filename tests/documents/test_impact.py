import pytest
from django.utils import timezone

from apps.documents.models import ImpactStatus, ProvisionImpact
from apps.documents.services import provision_impacts_assess, snapshot_ingest
from apps.provisions.models import ProvisionStatus
from tests.documents.pipeline_helpers import MARKDOWN, corpus_bytes
from tests.factories import DocumentFactory, ProvisionFactory

pytestmark = pytest.mark.django_db

CLAUDE = "claude-ai__privacy-policy"
# In v007 and v008 of the Claude privacy policy.
KEPT = "Anthropic gives you access to a variety of tools to help you manage your data."
REWORDED = (
    "We take steps to minimise the privacy impact on individuals as part of our data "
    "collection practices. Our general purpose crawling user agent ClaudeBot operates under "
    "strict policies and guidelines."
)  # v008 says "minimize" and drops the second sentence
GONE = (
    "Additionally, our models are specifically trained to respect privacy. We have built key "
    "'privacy by design' safeguards into the development of Claude through our adoption of "
    "\u201cConstitutional AI\u201d."
)  # section 4 of v007, rewritten from scratch in v008


def ingest(document, file):
    return snapshot_ingest(
        document=document,
        raw=corpus_bytes(CLAUDE, file),
        content_type=MARKDOWN,
        final_url="https://example.com/privacy",
        headers={},
        fetched_at=timezone.now(),
    )


def test_a_new_version_checks_every_published_provision_and_flags_the_changed_ones():
    document = DocumentFactory()
    ingest(document, "v007.md")
    kept = ProvisionFactory(document=document, clause_text=f"  {KEPT.upper()}  ")
    reworded = ProvisionFactory(document=document, clause_text=REWORDED)
    gone = ProvisionFactory(document=document, clause_text=GONE)
    draft = ProvisionFactory(document=document, clause_text=GONE, status=ProvisionStatus.DRAFT)

    version = ingest(document, "v008.md").version

    impacts = {
        impact.provision: impact for impact in ProvisionImpact.objects.filter(version=version)
    }
    assert set(impacts) == {kept, reworded, gone}
    assert impacts[kept].status == ImpactStatus.PRESENT
    assert impacts[reworded].status == ImpactStatus.REWORDED
    assert impacts[reworded].closest_passage.startswith(
        "We take steps to minimize the privacy impact"
    )
    assert impacts[gone].status == ImpactStatus.GONE
    for provision in (kept, reworded, gone, draft):
        provision.refresh_from_db()
    assert not kept.needs_review and not draft.needs_review
    assert reworded.needs_review and gone.needs_review
    assert "Version 2" in reworded.review_reason and "reworded" in reworded.review_reason
    assert "minimize the privacy impact" in reworded.review_reason
    assert "gone" in gone.review_reason


def test_assessing_a_version_twice_converges():
    document = DocumentFactory()
    ingest(document, "v007.md")
    ProvisionFactory(document=document, clause_text=REWORDED)
    version = ingest(document, "v008.md").version

    provision_impacts_assess(version=version)

    assert ProvisionImpact.objects.filter(version=version).count() == 1
