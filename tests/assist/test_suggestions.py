"""Clause suggestions in the product: a recorded version is classified in a background task;
curators accept (a draft provision) or reject (never suggested again); re-runs change nothing."""

import pytest
from django.utils import timezone

from apps.assist.classifier import SMALL_MODEL_NAME
from apps.assist.labels import LABEL_CLAUSE_TYPES, LABELS
from apps.assist.models import ClauseSuggestion, SuggestionStatus, VersionClassification
from apps.assist.selectors import suggestions_awaiting_triage
from apps.assist.services import (
    clause_suggestion_accept,
    clause_suggestion_reject,
    version_clauses_suggest,
)
from apps.assist.tasks import version_clauses_suggest_task
from apps.core.exceptions import ApplicationError
from apps.documents.services import snapshot_ingest
from apps.provisions.models import ClauseType, ProvisionStatus
from tests.assist.conftest import EXPECTED_LABELS, LIABILITY, TERMINATION, TERMS
from tests.documents.pipeline_helpers import MARKDOWN
from tests.factories import DocumentFactory, ProvisionFactory, UserFactory

pytestmark = pytest.mark.django_db


def ingest(document, text: str):
    return snapshot_ingest(
        document=document,
        raw=text.encode(),
        content_type=MARKDOWN,
        final_url="https://example.com/terms",
        headers={},
        fetched_at=timezone.now(),
    ).version


def suggested(version) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for suggestion in ClauseSuggestion.objects.filter(version=version):
        found.setdefault(suggestion.sentence, set()).add(suggestion.label)
    return found


def test_every_category_has_a_clause_type_in_the_catalog():
    slugs = {slug for slug, _name, _description in LABEL_CLAUSE_TYPES.values()}
    assert set(LABEL_CLAUSE_TYPES) == set(LABELS)
    assert set(ClauseType.objects.filter(slug__in=slugs).values_list("slug", flat=True)) == slugs


def test_a_recorded_version_is_classified_in_a_background_task(
    classification_on, django_capture_on_commit_callbacks
):
    document = DocumentFactory()
    with django_capture_on_commit_callbacks(execute=True):
        version = ingest(document, TERMS)

    assert suggested(version) == EXPECTED_LABELS
    classification = VersionClassification.objects.get(version=version)
    assert classification.model_name == SMALL_MODEL_NAME
    assert "No model file" in classification.fallback_reason
    assert classification.sentences == 11
    assert classification.suggestions == len(EXPECTED_LABELS)
    liability = ClauseSuggestion.objects.get(version=version, sentence=LIABILITY)
    assert liability.clause_type.slug == "liability-limitation"
    assert liability.document == document
    assert liability.status == SuggestionStatus.PENDING
    assert 0.5 < liability.confidence <= 1


def test_nothing_is_classified_when_suggestions_are_off(
    classification_on, django_capture_on_commit_callbacks
):
    classification_on.CLAUSE_SUGGESTIONS_ENABLED = False
    with django_capture_on_commit_callbacks(execute=True):
        version = ingest(DocumentFactory(), TERMS)
    assert not ClauseSuggestion.objects.filter(version=version).exists()


def test_the_trained_model_is_used_when_its_file_is_sound(settings, trained_model_file):
    settings.CLAUSE_MODEL_PATH = trained_model_file
    version = ingest(DocumentFactory(), TERMS)
    classification = version_clauses_suggest(version=version)
    assert (classification.model_name, classification.fallback_reason) == ("test model", "")
    assert suggested(version) == EXPECTED_LABELS


def test_a_corrupt_model_file_falls_back_and_the_run_says_so(settings, tmp_path):
    settings.CLAUSE_MODEL_PATH = tmp_path / "model.npz"
    settings.CLAUSE_MODEL_PATH.write_bytes(b"PK\x03\x04 truncated")
    version = ingest(DocumentFactory(), TERMS)
    classification = version_clauses_suggest(version=version)
    assert classification.model_name == SMALL_MODEL_NAME
    assert "cannot be read" in classification.fallback_reason
    assert suggested(version) == EXPECTED_LABELS


def test_running_again_changes_nothing(classification_on):
    version = ingest(DocumentFactory(), TERMS)
    version_clauses_suggest(version=version)
    before = list(ClauseSuggestion.objects.order_by("pk").values())
    assert version_clauses_suggest_task.delay(version.pk).get() == len(EXPECTED_LABELS)
    assert list(ClauseSuggestion.objects.order_by("pk").values()) == before
    assert VersionClassification.objects.filter(version=version).count() == 1


def test_a_later_version_suggests_only_its_new_sentences_and_never_a_rejected_one(
    classification_on, curator
):
    document = DocumentFactory()
    first = ingest(document, TERMS)
    version_clauses_suggest(version=first)
    clause_suggestion_reject(
        suggestion=ClauseSuggestion.objects.get(version=first, sentence=TERMINATION), by=curator
    )
    added = "We may delete your account and all your data at any time without notice."
    second = ingest(document, TERMS.replace(TERMINATION, f"{TERMINATION} {added}"))
    assert second.number == 2

    version_clauses_suggest(version=second)

    assert list(suggested(second)) == [added]
    assert "Unilateral termination" in suggested(second)[added]
    rejected = ClauseSuggestion.objects.get(sentence=TERMINATION)
    assert (rejected.version, rejected.status) == (first, SuggestionStatus.REJECTED)


def test_accepting_makes_a_draft_provision_citing_the_version(classification_on, curator):
    version = ingest(DocumentFactory(), TERMS)
    version_clauses_suggest(version=version)
    suggestion = ClauseSuggestion.objects.get(version=version, sentence=LIABILITY)

    provision = clause_suggestion_accept(suggestion=suggestion, by=curator)

    provision.full_clean()
    assert provision.status == ProvisionStatus.DRAFT
    assert provision.clause_text == LIABILITY
    assert provision.cited_version == version
    assert provision.document == version.document
    assert provision.clause_type.slug == "liability-limitation"
    assert provision.title.startswith("Limitation of liability: In no event shall we be liable")
    assert provision.history.first().history_user == curator
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.ACCEPTED
    assert (suggestion.provision, suggestion.decided_by) == (provision, curator)
    assert suggestion.decided_at is not None


def test_a_decided_suggestion_cannot_be_decided_again(classification_on, curator):
    version = ingest(DocumentFactory(), TERMS)
    version_clauses_suggest(version=version)
    accepted = ClauseSuggestion.objects.get(version=version, sentence=LIABILITY)
    clause_suggestion_accept(suggestion=accepted, by=curator)
    rejected = ClauseSuggestion.objects.get(version=version, sentence=TERMINATION)
    clause_suggestion_reject(suggestion=rejected, by=curator)

    with pytest.raises(ApplicationError, match="already accepted: it cannot be rejected"):
        clause_suggestion_reject(suggestion=accepted, by=curator)
    with pytest.raises(ApplicationError, match="already rejected: it cannot be accepted"):
        clause_suggestion_accept(suggestion=rejected, by=curator)
    assert version.document.provisions.count() == 1


def test_two_suggestions_of_one_sentence_make_provisions_with_distinct_slugs(classification_on):
    version = ingest(DocumentFactory(), TERMS)
    version_clauses_suggest(version=version)
    first = ClauseSuggestion.objects.get(version=version, sentence=LIABILITY)
    twin = ClauseSuggestion.objects.create(
        version=version,
        document=version.document,
        position=first.position,
        sentence=first.sentence,
        sentence_sha256=first.sentence_sha256,
        label="Unilateral termination",
        clause_type=ClauseType.objects.get(slug="account-termination"),
        confidence=0.6,
    )
    slugs = {clause_suggestion_accept(suggestion=suggestion).slug for suggestion in (first, twin)}
    assert len(slugs) == 2


def test_a_sentence_an_existing_provision_quotes_is_marked_covered(classification_on):
    document = DocumentFactory()
    version = ingest(document, TERMS)
    provision = ProvisionFactory(document=document, clause_text=f"{LIABILITY} Some more words.")
    version_clauses_suggest(version=version)
    covered = ClauseSuggestion.objects.filter(version=version, covered_by__isnull=False)
    assert [(item.sentence, item.covered_by) for item in covered] == [(LIABILITY, provision)]


def test_the_triage_queue_counts_pending_suggestions_and_their_oldest(classification_on):
    assert suggestions_awaiting_triage() == (0, None)
    version = ingest(DocumentFactory(), TERMS)
    version_clauses_suggest(version=version)
    clause_suggestion_reject(
        suggestion=ClauseSuggestion.objects.get(version=version, sentence=LIABILITY),
        by=UserFactory(),
    )
    count, oldest = suggestions_awaiting_triage()
    assert count == len(EXPECTED_LABELS) - 1
    assert oldest == ClauseSuggestion.objects.order_by("created_at").first().created_at


def test_running_again_marks_a_suggestion_a_new_provision_now_covers(classification_on):
    document = DocumentFactory()
    version = ingest(document, TERMS)
    version_clauses_suggest(version=version)
    assert not ClauseSuggestion.objects.filter(covered_by__isnull=False).exists()

    provision = ProvisionFactory(document=document, clause_text=TERMINATION)
    version_clauses_suggest(version=version)

    covered = ClauseSuggestion.objects.filter(covered_by__isnull=False)
    assert [(item.sentence, item.covered_by) for item in covered] == [(TERMINATION, provision)]
