from django.conf import settings
from django.db import models

from apps.assist.labels import ClauseLabel
from apps.core.models import BaseModel
from apps.documents.models import Document, DocumentVersion
from apps.provisions.models import ClauseType, Provision


class SuggestionStatus(models.TextChoices):
    PENDING = "pending", "Awaiting triage"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"


class VersionClassification(models.Model):
    """That a version's sentences were classified, and by which model: the admin says when the
    small fallback model stood in for the trained one, and why."""

    version = models.OneToOneField(
        DocumentVersion, on_delete=models.CASCADE, related_name="clause_classification"
    )
    model_name = models.CharField(max_length=100)
    fallback_reason = models.TextField(
        blank=True, help_text="Why the trained model was not used; empty when it was."
    )
    sentences = models.PositiveIntegerField(default=0)
    suggestions = models.PositiveIntegerField(default=0)
    classified_at = models.DateTimeField()

    def __str__(self):
        return f"{self.version} classified by {self.model_name}"


class ClauseSuggestion(BaseModel):
    """One sentence of a version that the classifier takes for a clause of one category, awaiting
    a curator's triage. A sentence with two categories has two suggestions."""

    version = models.ForeignKey(
        DocumentVersion, on_delete=models.CASCADE, related_name="clause_suggestions"
    )
    # Kept beside the version so a decision on a sentence holds for every later version of the
    # same document that still contains it.
    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="clause_suggestions"
    )
    position = models.PositiveIntegerField(help_text="The sentence's place in the version.")
    sentence = models.TextField(help_text="The sentence as it stands in the version's text.")
    sentence_sha256 = models.CharField(
        max_length=64, help_text="SHA-256 of the sentence with its whitespace collapsed."
    )
    label = models.CharField(max_length=32, choices=ClauseLabel.choices)
    clause_type = models.ForeignKey(ClauseType, on_delete=models.PROTECT, related_name="+")
    confidence = models.FloatField(help_text="0 to 1: how sure the classifier is.")
    covered_by = models.ForeignKey(
        Provision,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="A provision of the document whose clause text already holds this sentence.",
    )
    status = models.CharField(
        max_length=16, choices=SuggestionStatus.choices, default=SuggestionStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    provision = models.ForeignKey(
        Provision,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="clause_suggestions",
        help_text="The draft provision made when the suggestion was accepted.",
    )

    class Meta:
        ordering = ["version", "position", "label"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "sentence_sha256", "label"],
                name="suggestion_unique_document_sentence_label",
            ),
        ]
        indexes = [
            # The curator queue: how many await triage and since when.
            models.Index(fields=["status", "created_at"], name="suggestion_status_created"),
        ]

    def __str__(self):
        return f"{self.get_label_display()} in {self.version}: {self.sentence[:60]}"
