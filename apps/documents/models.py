from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from apps.core.models import BaseModel
from apps.core.reversing import reverse_slugs
from apps.core.services import record_id_allocate
from apps.core.validators import validate_http_url
from apps.documents.chain import chain_hash, version_chain_record
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
    # Blank only for a document known by name (an imported ToS;DR point names its document but
    # not its address); such a document cannot be monitored until a curator adds the URL.
    source_url = models.URLField(max_length=2000, blank=True, validators=[validate_http_url])
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

    # Fetch scheduling and conditional-request state: written by the pipeline with UPDATEs,
    # not curated, so kept out of the change history.
    # Never NULL: a new document is due at once, stored as a time, so the dispatcher's "most
    # overdue first" is a plain ascending scan of the `document_due` index.
    next_fetch_at = models.DateTimeField(default=timezone.now)
    fetch_lease_until = models.DateTimeField(
        null=True,
        blank=True,
        help_text="While in the future, one worker holds this document's fetch; an expired lease "
        "may be claimed again (its worker died).",
    )
    fetch_lease_token = models.CharField(max_length=32, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    last_raw_sha256 = models.CharField(
        max_length=64, blank=True, help_text="SHA-256 of the raw bytes last ingested successfully."
    )
    last_raw_rule_version = models.PositiveIntegerField(
        null=True, blank=True, help_text="The extraction rule version those bytes were read with."
    )

    history = HistoricalRecords(
        excluded_fields=[
            "next_fetch_at",
            "fetch_lease_until",
            "fetch_lease_token",
            "consecutive_failures",
            "etag",
            "last_modified",
            "last_raw_sha256",
            "last_raw_rule_version",
            "last_verified_at",
        ]
    )

    class Meta:
        ordering = ["platform__name", "title"]
        constraints = [
            models.UniqueConstraint(fields=["platform", "slug"], name="document_unique_slug"),
            models.CheckConstraint(
                condition=models.Q(is_monitored=False) | ~models.Q(source_url=""),
                name="document_monitored_has_source_url",
                violation_error_message="A monitored document needs its source URL.",
            ),
        ]
        indexes = [
            # The dispatcher's due documents, most overdue first: a range of this index read in
            # order, however large the catalog or the backlog.
            models.Index(
                fields=["next_fetch_at", "id"],
                condition=models.Q(is_monitored=True),
                name="document_due",
            ),
            # Documents whose last fetches failed, a few among a million: the curator queue's
            # count and the admin's fetch-health filters (newest first, as the admin lists).
            models.Index(
                fields=["id", "consecutive_failures"],
                condition=models.Q(consecutive_failures__gt=0),
                name="document_failing",
            ),
        ]

    def save(self, *args, **kwargs):
        # The stable record ID is part of the row's identity, so it is given on first save
        # whichever path created the row (admin, service, fixture).
        if not self.record_id:
            self.record_id = record_id_allocate(key="document", prefix="CA-D-", width=5)
        if self.next_fetch_at is None:
            # "Not scheduled" means due now (see the field).
            self.next_fetch_at = timezone.now()
        super().save(*args, **kwargs)

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse_slugs(
            "platforms:document_detail", platform_slug=self.platform.slug, document_slug=self.slug
        )


class ArchivedSnapshot(BaseModel):
    """The raw bytes of one fetch, stored compressed and addressed by the SHA-256 of the bytes.
    Append-only: a snapshot is never changed after it is written, only re-verified."""

    # Unique through a constraint rather than unique=True, which on PostgreSQL adds a second,
    # pattern-matching index nothing uses (addresses are looked up whole).
    sha256 = models.CharField(max_length=64)
    storage_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100, blank=True)
    final_url = models.URLField(max_length=2000, blank=True, validators=[validate_http_url])
    headers = models.JSONField(default=dict, blank=True)
    fetched_at = models.DateTimeField()
    last_verified_at = models.DateTimeField(null=True, blank=True)
    last_verification_ok = models.BooleanField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["sha256"], name="snapshot_unique_sha256"),
        ]
        indexes = [
            # The scrub's next batch: never verified first, then least recently verified.
            models.Index(
                fields=["id"],
                condition=models.Q(last_verified_at__isnull=True),
                name="snapshot_never_verified",
            ),
            models.Index(fields=["last_verified_at", "id"], name="snapshot_verified"),
            # The admin's count of snapshots whose last verification failed (a handful, or none).
            models.Index(
                fields=["id"],
                condition=models.Q(last_verification_ok=False),
                name="snapshot_failed",
            ),
        ]

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
    archive_url = models.URLField(max_length=2000, blank=True, validators=[validate_http_url])
    wayback_job_id = models.CharField(
        max_length=100, blank=True, help_text="Save Page Now job, while its capture is pending."
    )
    # While a Wayback capture is owed: when the capture pass may queue it (again), and the
    # runs made so far (submission, polls, failed requests).
    wayback_due_at = models.DateTimeField(null=True, blank=True)
    wayback_attempts = models.PositiveSmallIntegerField(default=0)
    change_summary = models.JSONField(default=dict, blank=True)
    # The hash chain (apps/documents/chain.py): set once, when the version is first saved.
    previous_chain_sha256 = models.CharField(
        max_length=64, blank=True, editable=False, help_text="The previous version's chain hash."
    )
    chain_sha256 = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text="SHA-256 of this version's record, which includes the previous chain hash.",
    )

    class Meta:
        ordering = ["document", "-number"]
        get_latest_by = "number"
        indexes = [
            # The home page's recent changes and the dashboard: latest versions of some kinds.
            # With the id, the index gives their exact order (newest first, ties by id)
            # read backwards, so the newest few are read without sorting every change.
            models.Index(fields=["kind", "captured_at", "id"], name="version_kind_captured_id"),
            # The ingest's lookup of an earlier version with the same words. Not unique: a
            # return to an old text past the flip-flop window is a new version restoring it.
            models.Index(fields=["document", "text_sha256"], name="version_document_text"),
            # The capture pass's due versions: only those still owed a capture.
            models.Index(
                fields=["wayback_due_at"],
                condition=models.Q(wayback_due_at__isnull=False),
                name="version_wayback_due",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="version_unique_number"),
        ]

    def __str__(self):
        return f"{self.document} v{self.number}"

    def save(self, *args, **kwargs):
        # The chain link is part of the row's identity, so it is made on first save whichever
        # path created the version (pipeline, admin, demo loader, fixture).
        # The pipeline links the version itself (it holds the previous one, locked); every other
        # path reads the previous link here.
        if not self.chain_sha256:
            if not self.previous_chain_sha256:
                previous = (
                    DocumentVersion.objects.filter(
                        document_id=self.document_id, number__lt=self.number
                    )
                    .order_by("-number")
                    .values_list("chain_sha256", flat=True)
                    .first()
                )
                self.previous_chain_sha256 = previous or ""
            self.chain_sha256 = chain_hash(version_chain_record(self))
        super().save(*args, **kwargs)


class FetchOutcome(models.TextChoices):
    # Written before the network call and replaced when the run finishes: an attempt still
    # "started" after its lease expired is a run cut off by a crash (see fetch_attempt_state).
    STARTED = "started", "Started"
    NEW_VERSION = "new_version", "New version"
    UNCHANGED = "unchanged", "Unchanged"
    NOT_MODIFIED = "not_modified", "Not modified (304)"
    ERROR = "error", "Error"


class AttemptErrorKind(models.TextChoices):
    """The fetcher's failure classes plus extraction failures, which only the pipeline sees."""

    TRANSIENT = "transient", "Transient (retried)"
    BLOCKED = "blocked", "Blocked (403/429)"
    GONE = "gone", "Gone (404/410)"
    REFUSED = "refused", "Refused (unsafe or unacceptable)"
    EXTRACTION = "extraction", "Extraction failed"


class FetchAttempt(models.Model):
    """One run of the pipeline for one document: the fetch history curators read in the admin.
    Recorded as started before the fetch and finished after it, so a run a crash cut off stays
    visible (no `finished_at`)."""

    # Indexed by `fetchattempt_doc_started`, which leads with the document.
    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="fetch_attempts", db_index=False
    )
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=FetchOutcome.choices)
    error_kind = models.CharField(max_length=16, choices=AttemptErrorKind.choices, blank=True)
    message = models.TextField(blank=True)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    raw_sha256 = models.CharField(max_length=64, blank=True)
    version = models.ForeignKey(
        DocumentVersion, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The worker run ("<node name>#<random>") of an unfinished attempt, emptied when it
    # finishes: a worker started again after a crash finds its predecessor's runs by it.
    runner = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["document", "-started_at"], name="fetchattempt_doc_started"),
            # The admin's list, newest first, and the pruning's oldest first: one page or batch
            # read from either end.
            models.Index(fields=["started_at", "id"], name="fetchattempt_started"),
            # The admin's "failed fetches" filter, the list curators read most: a few percent of
            # the rows, listed and counted from this smaller index.
            models.Index(
                fields=["started_at", "id"],
                condition=models.Q(outcome="error"),
                name="fetchattempt_errors",
            ),
            # The admin's filter by kind of failure, newest first within the kind.
            models.Index(
                fields=["error_kind", "started_at", "id"],
                condition=models.Q(outcome="error"),
                name="fetchattempt_error_kinds",
            ),
            # Runs not finished (in flight, or cut off by a crash): the admin's "Interrupted"
            # filter, a handful of rows that would otherwise be sought among millions.
            models.Index(
                fields=["started_at", "id"],
                condition=models.Q(outcome="started"),
                name="fetchattempt_unfinished",
            ),
        ]

    def __str__(self):
        return f"{self.document} at {self.started_at:%Y-%m-%d %H:%M}: {self.outcome}"


class ChangeEvent(models.Model):
    """A recorded version that is not a technical re-extraction, as news for what reacts to it
    (provision impact, alerts). Written in the same transaction as the version; the reactions
    run after commit, from the `change_event_recorded` signal."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="change_events")
    version = models.OneToOneField(
        DocumentVersion, on_delete=models.PROTECT, related_name="change_event"
    )
    previous_version = models.ForeignKey(
        DocumentVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    summary = models.JSONField(
        default=dict,
        blank=True,
        help_text="Sections added, removed and reworded (plain-text titles), words added and "
        "removed.",
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["document", "created_at"], name="changeevent_doc_created"),
        ]

    def __str__(self):
        return f"{self.version} recorded"
