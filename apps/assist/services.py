"""Writes of curator assistance: classifying a version's sentences into clause suggestions, and a
curator's triage of each suggestion (accept → a draft provision, reject → never suggested
again).

A suggestion is unique per (document, sentence, category): the first version that contains a
sentence gets it, later versions that keep the sentence do not suggest it again, whatever the
curator decided, so a rejection holds for good and a re-run changes nothing."""

import hashlib
import re
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from apps.assist.classifier import (
    ActiveClassifier,
    ClauseClassifier,
    classifier_for,
    training_examples_read,
)
from apps.assist.labels import LABEL_CLAUSE_TYPES
from apps.assist.models import ClauseSuggestion, SuggestionStatus, VersionClassification
from apps.assist.sentences import version_sentences
from apps.core.exceptions import ApplicationError
from apps.documents.models import DocumentVersion
from apps.provisions.clause_text import clause_found_in
from apps.provisions.models import ClauseType, Provision
from apps.provisions.services import provision_draft_create

_WHITESPACE = re.compile(r"\s+")
TITLE_WORDS = 12


def active_classifier() -> ActiveClassifier:
    return classifier_for(Path(settings.CLAUSE_MODEL_PATH))


@dataclass(frozen=True)
class TrainedModel:
    examples: int
    labelled: int
    seconds: float


def clause_model_train(*, training_file: Path, model_path: Path, seed: int = 0) -> TrainedModel:
    """Train the classifier on `training_file` and store it at `model_path` (replacing the file
    whole, so the service never reads half a model). The service reads it on its next
    classification."""
    examples = training_examples_read(training_file)
    started = time.perf_counter()
    classifier = ClauseClassifier.train(
        examples, seed=seed, name=f"trained on {training_file.name} (seed {seed})"
    )
    classifier.save(model_path)
    return TrainedModel(
        examples=len(examples),
        labelled=sum(1 for example in examples if example.labels),
        seconds=time.perf_counter() - started,
    )


def sentence_fingerprint(sentence: str) -> str:
    return hashlib.sha256(_WHITESPACE.sub(" ", sentence).strip().encode()).hexdigest()


def _clause_types() -> dict[str, ClauseType]:
    """The catalog clause type of each category. The data migration made them; one a curator
    has since deleted is made again rather than failing the classification."""
    found = {
        clause_type.slug: clause_type
        for clause_type in ClauseType.objects.filter(
            slug__in=[slug for slug, _name, _description in LABEL_CLAUSE_TYPES.values()]
        )
    }
    types = {}
    for label, (slug, name, description) in LABEL_CLAUSE_TYPES.items():
        if slug not in found:
            found[slug], _created = ClauseType.objects.get_or_create(
                slug=slug, defaults={"name": name, "description": description}
            )
        types[label] = found[slug]
    return types


def _covering_provision(sentence: str, provisions: list[Provision]) -> Provision | None:
    for provision in provisions:
        if clause_found_in(clause_text=sentence, text=provision.clause_text) or clause_found_in(
            clause_text=provision.clause_text, text=sentence
        ):
            return provision
    return None


def version_clauses_suggest(*, version: DocumentVersion) -> VersionClassification:
    """Classify the version's sentences and record a suggestion for each (sentence, category)
    not suggested for this document before. Safe to run again: it converges, and brings up to
    date which provision covers each suggestion still awaiting triage."""
    active = active_classifier()
    sentences = version_sentences(version.text)
    predictions = active.classifier.predict([sentence.text for sentence in sentences])
    clause_types = _clause_types()
    provisions = list(
        Provision.objects.filter(document_id=version.document_id).only("pk", "clause_text")
    )
    coverage: dict[str, Provision | None] = {}

    def covering(sentence: str) -> Provision | None:
        # Only sentences with a suggestion are looked up, each once.
        if sentence not in coverage:
            coverage[sentence] = _covering_provision(sentence, provisions)
        return coverage[sentence]

    candidates = [
        ClauseSuggestion(
            version=version,
            document_id=version.document_id,
            position=sentence.position,
            sentence=sentence.text,
            sentence_sha256=sentence_fingerprint(sentence.text),
            label=prediction.label,
            clause_type=clause_types[prediction.label],
            confidence=prediction.confidence,
            covered_by=covering(sentence.text),
        )
        for sentence, found in zip(sentences, predictions, strict=True)
        for prediction in found
    ]
    with transaction.atomic():
        # The unique constraint keeps out what was suggested before (by an earlier version, or
        # by an earlier run of this one) and what a concurrent run has just written.
        ClauseSuggestion.objects.bulk_create(candidates, ignore_conflicts=True)
        stale = []
        for suggestion in ClauseSuggestion.objects.filter(
            version=version, status=SuggestionStatus.PENDING
        ).only("pk", "sentence", "covered_by_id"):
            provision = covering(suggestion.sentence)
            if suggestion.covered_by_id != (provision.pk if provision else None):
                suggestion.covered_by = provision
                stale.append(suggestion)
        ClauseSuggestion.objects.bulk_update(stale, ["covered_by"])
        classification, _created = VersionClassification.objects.update_or_create(
            version=version,
            defaults={
                "model_name": active.classifier.name,
                "fallback_reason": active.fallback_reason,
                "sentences": len(sentences),
                "suggestions": ClauseSuggestion.objects.filter(version=version).count(),
                "classified_at": timezone.now(),
            },
        )
    return classification


def _pending_for_update(suggestion: ClauseSuggestion, *, action: str) -> ClauseSuggestion:
    current = (
        ClauseSuggestion.objects.select_for_update()
        .select_related("version__document", "clause_type")
        .get(pk=suggestion.pk)
    )
    if current.status != SuggestionStatus.PENDING:
        raise ApplicationError(
            f"This suggestion was already {current.get_status_display().lower()}: it cannot be "
            f"{action}.",
            extra={"suggestion": current.pk, "status": current.status},
        )
    return current


def clause_suggestion_accept(
    *, suggestion: ClauseSuggestion, by: AbstractBaseUser | None = None
) -> Provision:
    """Turn a suggestion into a draft provision quoting the sentence from its version."""
    with transaction.atomic():
        current = _pending_for_update(suggestion, action="accepted")
        version = current.version
        words = current.sentence.split()
        excerpt = " ".join(words[:TITLE_WORDS]) + (" …" if len(words) > TITLE_WORDS else "")
        provision = provision_draft_create(
            document=version.document,
            clause_type=current.clause_type,
            clause_text=current.sentence,
            cited_version=version,
            title=f"{current.clause_type.name}: {excerpt}",
            summary=f"Suggested by the clause classifier as “{current.get_label_display()}” "
            f"({current.confidence:.0%}) in version {version.number}; to be written by a "
            "curator.",
            by=by,
            reason="Created from a clause suggestion",
        )
        current.status = SuggestionStatus.ACCEPTED
        current.provision = provision
        current.covered_by = provision
        current.decided_by = by
        current.decided_at = timezone.now()
        current.save(
            update_fields=[
                "status",
                "provision",
                "covered_by",
                "decided_by",
                "decided_at",
                "updated_at",
            ]
        )
    return provision


def clause_suggestion_reject(
    *, suggestion: ClauseSuggestion, by: AbstractBaseUser | None = None
) -> ClauseSuggestion:
    """Record that the sentence is not a clause of this category: it is never suggested again
    for this document."""
    with transaction.atomic():
        current = _pending_for_update(suggestion, action="rejected")
        current.status = SuggestionStatus.REJECTED
        current.decided_by = by
        current.decided_at = timezone.now()
        current.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    return current
