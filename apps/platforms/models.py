from django.db import models
from simple_history.models import HistoricalRecords

from apps.core.models import BaseModel
from apps.core.reversing import reverse_slugs
from apps.core.validators import validate_http_url


class Sector(models.TextChoices):
    AI = "ai", "AI & machine learning"
    SOCIAL = "social", "Social media"
    COMMERCE = "commerce", "E-commerce & marketplaces"
    SEARCH = "search", "Search & web services"
    MEDIA = "media", "Streaming & media"
    DEVELOPER = "developer", "Developer tools"
    MOBILITY = "mobility", "Travel & mobility"
    COMMUNICATION = "communication", "Communication"
    EDUCATION = "education", "Education"
    GAMING = "gaming", "Gaming"
    OTHER = "other", "Other"


class PlatformQuerySet(models.QuerySet):
    def listed(self):
        """What the public pages, feeds, sitemaps, API and open data show."""
        return self.filter(is_listed=True)


class Grade(models.TextChoices):
    """A platform's grade, from A (its published provisions are of little concern) to E (of
    serious concern). The rule lives in apps/provisions/grades.py and on the methodology page."""

    A = "A", "A"
    B = "B", "B"
    C = "C", "C"
    D = "D", "D"
    E = "E", "E"


class Platform(BaseModel):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    website = models.URLField(blank=True, validators=[validate_http_url])
    sector = models.CharField(max_length=32, choices=Sector.choices, default=Sector.OTHER)
    logo_url = models.URLField(blank=True, validators=[validate_http_url])
    description = models.TextField(blank=True)
    # Derived from the published provisions and kept current by the provisions app's services
    # (blank: too few provisions to grade). Stored so lists and the API read it as a column.
    # The database default lets rows written without the column (older code, a migration
    # test's earlier state) start ungraded.
    grade = models.CharField(
        max_length=1, choices=Grade.choices, blank=True, default="", db_default="", editable=False
    )
    is_listed = models.BooleanField(
        "listed publicly",
        default=True,
        # Also in the database, for rows written by code that predates the column (migrations
        # of other apps run against older model states).
        db_default=True,
        help_text="Shown on the public pages. A platform the ToS;DR import creates starts "
        "unlisted, and is listed when its first provision is published.",
    )

    # The grade is derived, not curated: its changes follow the provisions' own history.
    history = HistoricalRecords(excluded_fields=["grade"])
    objects = PlatformQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(grade__in=["", *Grade.values]), name="platform_grade_valid"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse_slugs("platforms:platform_detail", platform_slug=self.slug)
