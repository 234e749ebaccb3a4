from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from apps.core.models import BaseModel
from apps.core.reversing import reverse_slugs
from apps.core.services import record_id_allocate
from apps.documents.models import ChangeEvent, Document, DocumentVersion
from apps.platforms.models import Platform
from apps.provisions.clause_text import clause_found_in
from apps.regulations.models import Agency, Regulation


class Severity(models.IntegerChoices):
    LOW = 1, "Low"
    MEDIUM = 2, "Medium"
    HIGH = 3, "High"
    CRITICAL = 4, "Critical"


class ClauseType(BaseModel):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    description = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse_slugs("provisions:clause_type_detail", slug=self.slug)


class Category(BaseModel):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self):
        return self.name


# The compliance memo of a provision, in reading order. Each part is a field of its own so the
# entitlements can release it in layers (regulatory citations first, then the whole memo).
MEMO_FIELDS = (
    "regulatory_framework",
    "governance_exposure",
    "jurisdiction_flags",
    "contract_vendor_implications",
    "compliance_considerations",
    "enforcement_risk",
    "action_items",
)
# The part of the memo that is "regulatory citations": what a plan with citations but without
# the full memo may read.
REGULATORY_CITATION_FIELDS = ("regulatory_framework", "jurisdiction_flags")


class ProvisionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    PUBLISHED = "published", "Published"


class ProvisionQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=ProvisionStatus.PUBLISHED)


class Provision(BaseModel):
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="provisions")
    record_id = models.CharField(max_length=16, unique=True, editable=False)
    title = models.CharField(max_length=255)
    slug = models.SlugField(max_length=200)
    status = models.CharField(
        max_length=16, choices=ProvisionStatus.choices, default=ProvisionStatus.DRAFT
    )
    published_at = models.DateTimeField(null=True, blank=True)
    severity = models.PositiveSmallIntegerField(choices=Severity.choices)
    clause_type = models.ForeignKey(ClauseType, on_delete=models.PROTECT, related_name="provisions")
    categories = models.ManyToManyField(Category, blank=True, related_name="provisions")
    clause_text = models.TextField(help_text="The exact clause language, as archived.")
    cited_version = models.ForeignKey(
        DocumentVersion,
        on_delete=models.PROTECT,
        related_name="cited_by",
        null=True,
        blank=True,
        help_text="The archived version whose text contains the clause.",
    )
    # Blank while a draft is written (an imported point arrives with none of them); publishing
    # requires each (apps.provisions.services.workflow).
    summary = models.TextField("what it is", blank=True)
    why_it_matters = models.TextField(blank=True)
    consumer_impact = models.TextField(blank=True)
    interpretive_note = models.TextField(blank=True)
    # The compliance memo. Each part is a separate field so entitlements can release it in layers.
    regulatory_framework = models.TextField(blank=True)
    governance_exposure = models.TextField(blank=True)
    jurisdiction_flags = models.TextField(blank=True)
    contract_vendor_implications = models.TextField(blank=True)
    compliance_considerations = models.TextField(blank=True)
    enforcement_risk = models.TextField(blank=True)
    action_items = models.TextField(blank=True)
    regulations = models.ManyToManyField(Regulation, blank=True, related_name="provisions")
    no_regulation_applies = models.BooleanField(
        "no regulation applies",
        default=False,
        help_text="Recorded by the curator when no regulation maps to this clause; publishing "
        "needs either a regulation or this.",
    )
    agencies = models.ManyToManyField(
        Agency, through="ProvisionAgency", blank=True, related_name="provisions"
    )
    no_agency_applies = models.BooleanField(
        "no agency is competent",
        default=False,
        help_text="Recorded by the curator when no agency is competent; publishing needs either "
        "an agency or this.",
    )
    curator_note = models.TextField(
        blank=True,
        help_text="Working note for curators, never shown publicly. An imported point starts "
        "with its source's analysis here.",
    )
    tosdr_point_id = models.CharField(
        "ToS;DR point",
        max_length=20,
        null=True,
        blank=True,
        unique=True,
        editable=False,
        help_text="The ToS;DR point this provision was imported from: what makes a second import "
        "change nothing, and what puts the CC BY-SA attribution on its pages.",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        help_text="Who last submitted it for review: that curator may not also publish it.",
    )
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    analysis_generated_at = models.DateTimeField(null=True, blank=True)
    needs_review = models.BooleanField(default=False)
    review_reason = models.TextField(blank=True)

    history = HistoricalRecords(m2m_fields=[categories, regulations])
    objects = ProvisionQuerySet.as_manager()

    class Meta:
        ordering = ["-severity", "title"]
        # Three separate rights, so an organisation can let juniors draft and seniors publish;
        # the Curators group (data migration) holds all three.
        permissions = [
            ("curate_provision", "Can curate provisions (write drafts, submit them for review)"),
            ("review_provision", "Can review provisions (request changes)"),
            ("publish_provision", "Can publish and unpublish provisions"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["document", "slug"], name="provision_unique_slug"),
        ]
        # Status is a column rather than a partial-index condition: queries pass it as a
        # parameter, and SQLite re-plans a statement on every run when a partial index
        # hangs on a parameter's value.
        indexes = [
            # The uniqueness badge asks of every platform whether it has a published
            # provision; the index alone answers each probe.
            models.Index(fields=["document", "status"], name="provision_document_status"),
            # The shared count and "how other platforms handle this" rank every published
            # provision of a clause type by platform and severity: all they read is here.
            models.Index(
                fields=["clause_type", "status", "document", "severity", "id"],
                name="provision_clause_type_rank",
            ),
            # The home page's recently published provisions: the newest few, read backwards
            # from the end of this index (drafts have no date; a withdrawn row is skipped).
            # Status is not a column here: SQLite, which keeps no statistics, would lead every
            # `status = ?` lookup with such an index and scan all published rows per probe.
            models.Index(fields=["published_at", "id"], name="provision_published_at"),
        ]

    def save(self, *args, **kwargs):
        # The stable record ID is part of the row's identity, so it is given on first save
        # whichever path created the row (admin, service, fixture).
        if not self.record_id:
            self.record_id = record_id_allocate(key="provision", prefix="CA-P-", width=6)
        super().save(*args, **kwargs)

    def __str__(self):
        return self.title

    @property
    def platform(self) -> Platform:
        return self.document.platform

    @property
    def is_from_tosdr(self) -> bool:
        return bool(self.tosdr_point_id)

    def get_absolute_url(self):
        return reverse_slugs(
            "platforms:provision_detail",
            platform_slug=self.document.platform.slug,
            document_slug=self.document.slug,
            provision_slug=self.slug,
        )

    def clean(self):
        if not self.cited_version_id:
            return
        version = self.cited_version
        if version.document_id != self.document_id:
            raise ValidationError(
                {"cited_version": "The cited version belongs to another document."}
            )
        # The clause is evidence only if the archived text it cites really contains it.
        if self.clause_text and not clause_found_in(
            clause_text=self.clause_text, text=version.text
        ):
            raise ValidationError(
                {
                    "clause_text": f"This text does not appear in the cited version "
                    f"(v{version.number} of {version.document}). Quote the clause exactly as "
                    "archived, or cite the version that contains it."
                }
            )


class ProvisionAgency(models.Model):
    provision = models.ForeignKey(Provision, on_delete=models.CASCADE)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT)
    note = models.TextField(blank=True, help_text="Why this agency is competent here.")

    history = HistoricalRecords()

    class Meta:
        verbose_name = "applicable agency"
        verbose_name_plural = "applicable agencies"
        constraints = [
            models.UniqueConstraint(fields=["provision", "agency"], name="provision_agency_unique"),
        ]

    def __str__(self):
        return f"{self.agency} on {self.provision}"


class FAQEntry(models.Model):
    provision = models.ForeignKey(Provision, on_delete=models.CASCADE, related_name="faq_entries")
    question = models.CharField(max_length=300)
    answer = models.TextField()
    position = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "id"]
        verbose_name = "FAQ entry"
        verbose_name_plural = "FAQ entries"

    def __str__(self):
        return self.question


class AnalysisArticle(BaseModel):
    """A research piece ("How 10 AI platforms describe training on user data") linked from the
    provision pages it draws on."""

    title = models.CharField(max_length=255)
    slug = models.SlugField(max_length=200, unique=True)
    summary = models.TextField()
    body = models.TextField(blank=True)
    is_published = models.BooleanField(default=False)
    published_at = models.DateTimeField(null=True, blank=True)
    clause_types = models.ManyToManyField(ClauseType, blank=True, related_name="articles")
    provisions = models.ManyToManyField(Provision, blank=True, related_name="articles")

    history = HistoricalRecords()

    class Meta:
        ordering = ["-published_at", "title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("provisions:article_detail", kwargs={"slug": self.slug})


class ImpactStatus(models.TextChoices):
    PRESENT = "present", "Still present"
    REWORDED = "reworded", "Reworded"
    GONE = "gone", "Gone"


class ProvisionImpact(models.Model):
    """What a recorded change of a document did to one published provision's clause text."""

    change_event = models.ForeignKey(
        ChangeEvent, on_delete=models.CASCADE, related_name="provision_impacts"
    )
    provision = models.ForeignKey(Provision, on_delete=models.CASCADE, related_name="impacts")
    status = models.CharField(max_length=16, choices=ImpactStatus.choices)
    similarity = models.FloatField(help_text="0 to 1: how close the closest passage is.")
    closest_passage = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["change_event", "provision"], name="impact_unique_event_provision"
            ),
        ]

    def __str__(self):
        return f"{self.provision} in {self.change_event.version}: {self.status}"


class TransitionAction(models.TextChoices):
    SUBMIT = "submit", "Submit for review"
    REQUEST_CHANGES = "request_changes", "Request changes"
    PUBLISH = "publish", "Publish"
    UNPUBLISH = "unpublish", "Unpublish"


class ProvisionTransition(models.Model):
    """One step of the curator workflow, with who took it and why: the record the four-eyes
    rule and the review history are read from."""

    provision = models.ForeignKey(Provision, on_delete=models.CASCADE, related_name="transitions")
    action = models.CharField(max_length=20, choices=TransitionAction.choices)
    from_status = models.CharField(max_length=16, choices=ProvisionStatus.choices)
    to_status = models.CharField(max_length=16, choices=ProvisionStatus.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    comment = models.TextField(blank=True)
    sole_curator_override = models.BooleanField(
        default=False,
        help_text="Published by the curator who submitted it, declared as the only curator.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.provision}: {self.get_action_display()}"
