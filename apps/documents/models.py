from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from apps.core.models import BaseModel
from apps.core.services import record_id_allocate
from apps.platforms.models import Platform


class DocumentType(models.TextChoices):
    TERMS_OF_SERVICE = "terms_of_service", "Terms of Service"
    PRIVACY_POLICY = "privacy_policy", "Privacy Policy"
    AI_POLICY = "ai_policy", "AI / Usage Policy"
    ACCEPTABLE_USE = "acceptable_use", "Acceptable Use Policy"
    DATA_PROCESSING = "data_processing", "Data Processing Terms"
    COMMUNITY_GUIDELINES = "community_guidelines", "Community Guidelines"
    COMMERCIAL_TERMS = "commercial_terms", "Commercial Terms"
    OTHER = "other", "Other"


class Document(BaseModel):
    platform = models.ForeignKey(Platform, on_delete=models.PROTECT, related_name="documents")
    title = models.CharField(max_length=255)
    slug = models.SlugField(max_length=200)
    doc_type = models.CharField(max_length=32, choices=DocumentType.choices)
    record_id = models.CharField(max_length=16, unique=True, editable=False)
    source_url = models.URLField(max_length=2000)
    select_selectors = models.TextField(
        blank=True, help_text="CSS selectors of the document body, one per line."
    )
    remove_selectors = models.TextField(
        blank=True, help_text="CSS selectors of noise to drop (navigation, banners), one per line."
    )
    extraction_rule_version = models.PositiveIntegerField(
        default=1,
        help_text="Raised whenever the selectors change, so re-extractions are told apart from "
        "real changes at the source.",
    )
    is_monitored = models.BooleanField(default=True)
    fetch_interval_hours = models.PositiveIntegerField(default=24)
    first_tracked_at = models.DateTimeField(null=True, blank=True)
    last_verified_at = models.DateTimeField(null=True, blank=True)
    stated_last_updated = models.DateField(
        null=True, blank=True, help_text="The 'last updated' date the platform itself states."
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["platform__name", "title"]
        constraints = [
            models.UniqueConstraint(fields=["platform", "slug"], name="document_unique_slug"),
        ]

    def save(self, *args, **kwargs):
        # The stable record ID is part of the row's identity, so it is given on first save
        # whichever path created the row (admin, service, fixture).
        if not self.record_id:
            self.record_id = record_id_allocate(key="document", prefix="CA-D-", width=5)
        super().save(*args, **kwargs)

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse(
            "platforms:document_detail",
            kwargs={"platform_slug": self.platform.slug, "document_slug": self.slug},
        )


class ArchivedSnapshot(BaseModel):
    """The raw bytes of one fetch, stored compressed and addressed by the SHA-256 of the bytes.
    Append-only: a snapshot is never changed after it is written, only re-verified."""

    sha256 = models.CharField(max_length=64, unique=True)
    storage_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100, blank=True)
    final_url = models.URLField(max_length=2000, blank=True)
    headers = models.JSONField(default=dict, blank=True)
    fetched_at = models.DateTimeField()
    last_verified_at = models.DateTimeField(null=True, blank=True)
    last_verification_ok = models.BooleanField(null=True)

    def __str__(self):
        return self.sha256


class VersionKind(models.TextChoices):
    FIRST_RECORD = "first_record", "First record"
    CHANGE = "change", "Change"
    REEXTRACTION = "reextraction", "Technical re-extraction"


class DocumentVersion(BaseModel):
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=16, choices=VersionKind.choices)
    captured_at = models.DateTimeField()
    text = models.TextField(help_text="Extracted text, as Markdown.")
    text_sha256 = models.CharField(
        max_length=64, help_text="SHA-256 of the normalised text: what decides a change."
    )
    snapshot = models.ForeignKey(
        ArchivedSnapshot, on_delete=models.PROTECT, related_name="versions", null=True, blank=True
    )
    extraction_rule_version = models.PositiveIntegerField(default=1)
    archive_url = models.URLField(max_length=2000, blank=True)
    change_summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["document", "-number"]
        get_latest_by = "number"
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="version_unique_number"),
            models.UniqueConstraint(
                fields=["document", "text_sha256", "extraction_rule_version"],
                name="version_unique_text",
            ),
        ]

    def __str__(self):
        return f"{self.document} v{self.number}"
