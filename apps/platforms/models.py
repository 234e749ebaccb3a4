from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from apps.core.models import BaseModel
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

    # The grade is derived, not curated: its changes follow the provisions' own history.
    history = HistoricalRecords(excluded_fields=["grade"])

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
        return reverse("platforms:platform_detail", kwargs={"platform_slug": self.slug})
