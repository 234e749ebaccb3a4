"""Provision impact: assessed after the change event's transaction commits, by a task the
provisions app queues from the `change_event_recorded` signal, never inside the ingest."""

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from apps.core.generations import generation_tokens
from apps.core.page_tokens import platform_page_token
from apps.documents import diffing, normalization, selectors
from apps.documents.services import ingest as ingest_module
from apps.documents.services import snapshot_ingest
from apps.provisions.impact import provision_impacts_assess
from apps.provisions.models import ImpactStatus, ProvisionImpact, ProvisionStatus
from apps.provisions.tasks import provision_impacts_assess_task
from apps.site.models import SearchEntry, SearchKind
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


def test_a_new_version_checks_every_published_provision_and_flags_the_changed_ones(
    django_capture_on_commit_callbacks,
):
    document = DocumentFactory()
    ingest(document, "v007.md")
    kept = ProvisionFactory(document=document, clause_text=f"  {KEPT.upper()}  ")
    reworded = ProvisionFactory(document=document, clause_text=REWORDED)
    gone = ProvisionFactory(document=document, clause_text=GONE)
    draft = ProvisionFactory(document=document, clause_text=GONE, status=ProvisionStatus.DRAFT)

    with django_capture_on_commit_callbacks(execute=True):
        version = ingest(document, "v008.md").version

    impacts = {
        impact.provision: impact
        for impact in ProvisionImpact.objects.filter(change_event=version.change_event)
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


def test_the_ingest_itself_writes_no_impact_and_flags_nothing(django_capture_on_commit_callbacks):
    document = DocumentFactory()
    ingest(document, "v007.md")
    gone = ProvisionFactory(document=document, clause_text=GONE)

    with django_capture_on_commit_callbacks() as callbacks:
        ingest(document, "v008.md")

    gone.refresh_from_db()
    assert not ProvisionImpact.objects.exists()
    assert not gone.needs_review
    assert callbacks, "the reaction waits for the commit"


def test_assessing_an_event_twice_creates_nothing_new_and_does_not_flag_again(
    django_capture_on_commit_callbacks,
):
    document = DocumentFactory()
    ingest(document, "v007.md")
    provision = ProvisionFactory(document=document, clause_text=REWORDED)
    with django_capture_on_commit_callbacks(execute=True):
        event = ingest(document, "v008.md").version.change_event
    first = ProvisionImpact.objects.get(change_event=event)
    # A curator looked at the provision and cleared it.
    provision.refresh_from_db()
    provision.needs_review = False
    provision.save()

    again = provision_impacts_assess(change_event=event)
    provision_impacts_assess_task.delay(event.pk)

    assert again == [first]
    assert ProvisionImpact.objects.filter(change_event=event).count() == 1
    provision.refresh_from_db()
    assert not provision.needs_review


def test_a_first_record_is_not_assessed(django_capture_on_commit_callbacks):
    document = DocumentFactory()
    ProvisionFactory(document=document, clause_text=GONE)

    with django_capture_on_commit_callbacks(execute=True):
        event = ingest(document, "v008.md").version.change_event

    assert provision_impacts_assess(change_event=event) == []
    assert not ProvisionImpact.objects.exists()


def test_the_task_of_a_vanished_event_does_nothing():
    assert provision_impacts_assess_task.delay(987654).get() == 0


def test_the_provision_admin_page_shows_what_changes_did_to_the_clause(
    admin_client, django_capture_on_commit_callbacks
):
    document = DocumentFactory()
    ingest(document, "v007.md")
    provision = ProvisionFactory(document=document, clause_text=REWORDED)
    with django_capture_on_commit_callbacks(execute=True):
        ingest(document, "v008.md")

    response = admin_client.get(reverse("admin:provisions_provision_change", args=[provision.pk]))

    assert response.status_code == 200
    assert "Version 2 (" in response.content.decode()
    assert "Reworded, " in response.content.decode()


def test_an_assessment_writes_its_impacts_at_once_and_a_flag_rewrites_no_search_entry(
    django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    document = DocumentFactory()
    ingest(document, "v007.md")
    kept = ProvisionFactory(document=document, clause_text=KEPT)
    reworded = ProvisionFactory(document=document, clause_text=REWORDED)
    gone = ProvisionFactory(document=document, clause_text=GONE)
    # The reactions are left queued: the assessment below is the first.
    with django_capture_on_commit_callbacks(execute=False):
        event = ingest(document, "v008.md").version.change_event
    page = platform_page_token(document.platform_id)
    token_before = generation_tokens([page])[page]
    entry_before = SearchEntry.objects.get(kind=SearchKind.PROVISION, object_id=gone.pk).pk

    # Reads, one INSERT of the three impacts and the pages' invalidation, then per flagged
    # provision its UPDATE, its history row (with its links) and its pages' invalidation; one
    # save per impact with its own reads and signals took four times as many.
    with django_assert_max_num_queries(20):
        impacts = provision_impacts_assess(change_event=event)

    assert {impact.provision: impact.status for impact in impacts} == {
        kept: ImpactStatus.PRESENT,
        reworded: ImpactStatus.REWORDED,
        gone: ImpactStatus.GONE,
    }
    assert generation_tokens([page])[page] != token_before, (
        "the pages listing the provisions are stale"
    )
    gone.refresh_from_db()
    assert gone.needs_review and gone.history.count() == 2
    assert SearchEntry.objects.get(kind=SearchKind.PROVISION, object_id=gone.pk).pk == entry_before


def test_the_assessment_reads_the_new_text_as_the_ingest_normalised_it(
    monkeypatch, django_capture_on_commit_callbacks
):
    document = DocumentFactory()
    ingest(document, "v007.md")
    ProvisionFactory(document=document, clause_text=KEPT)
    new_text = corpus_bytes(CLAUDE, "v008.md").decode()
    whole_texts = []

    def counted(text):
        if len(text) > len(new_text) // 2:
            whole_texts.append(text)
        return normalization.normalize_text(text)

    monkeypatch.setattr(ingest_module, "normalize_text", counted)
    monkeypatch.setattr(selectors, "normalize_text", counted)
    monkeypatch.setattr(diffing, "normalize_text", counted)
    with django_capture_on_commit_callbacks(execute=True):
        event = ingest(document, "v008.md").version.change_event
    assert len(whole_texts) == 1, "normalised by the ingest only"

    # Once the shared copy is gone (another worker's cache, an eviction), it is normalised again.
    cache.clear()
    ProvisionImpact.objects.all().delete()
    assert provision_impacts_assess(change_event=event)[0].status == ImpactStatus.PRESENT
    assert len(whole_texts) == 2
