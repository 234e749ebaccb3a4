"""The catalog's search index: one row per searchable thing (platform, published provision,
clause type, regulation, agency, published research article), written by
apps.site.services.search_index_refresh from the catalog's own rows. Each database indexes the
rows its own way (migration 0001): a weighted, generated tsvector column with a GIN index on
PostgreSQL, an FTS5 table kept in step by triggers on SQLite."""

from django.db import models

from apps.platforms.models import Platform
from apps.provisions.models import ClauseType


class SearchKind(models.TextChoices):
    # In the order the search page lists its groups.
    PLATFORM = "platform", "Platforms"
    CLAUSE_TYPE = "clause_type", "Clause types"
    REGULATION = "regulation", "Regulations"
    AGENCY = "agency", "Agencies"
    ARTICLE = "article", "Research"
    PROVISION = "provision", "Provisions"


class SearchEntry(models.Model):
    """What search reads of one catalog row, by weight: `title` (A), `keywords` (B: a
    provision's clause type, a regulation's short name and jurisdiction), `summary` (C) and
    `body` (D). The rest is what a result shows and what the filters narrow by, so the results
    page needs no other table."""

    kind = models.CharField(max_length=16, choices=SearchKind.choices)
    object_id = models.PositiveBigIntegerField()
    severity = models.PositiveSmallIntegerField(null=True, blank=True)
    platform = models.ForeignKey(
        Platform, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    clause_type = models.ForeignKey(
        ClauseType, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    url = models.CharField(max_length=500)
    context = models.CharField(max_length=500, blank=True, help_text="Where it stands, shown.")
    # The long text last: SQLite then reads the short columns without the body's overflow.
    title = models.CharField(max_length=255)
    keywords = models.TextField(blank=True)
    summary = models.TextField(blank=True)
    body = models.TextField(blank=True)

    class Meta:
        verbose_name_plural = "search entries"
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="search_entry_unique"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.title}"


class SearchWord(models.Model):
    """The catalog's vocabulary (words of three letters or more), from which "did you mean"
    suggests: a misspelt word is replaced by the closest word the catalog really uses."""

    word = models.CharField(max_length=64, unique=True)

    def __str__(self):
        return self.word
