"""Reads shared by several public pages: the home page's figures and recent changes, and the
subquery count the list pages annotate with."""

from dataclasses import dataclass

from django.db.models import Count, IntegerField, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from apps.documents.models import DocumentVersion, VersionKind
from apps.platforms.models import Platform
from apps.provisions.models import Provision


def count_subquery(
    queryset: QuerySet, *, group_by: str, counted: str = "pk", distinct: bool = False
) -> Coalesce:
    """COUNT of `queryset` as an annotation, `queryset` being already filtered on an OuterRef
    that `group_by` names. A subquery, unlike Count() over joins, does not multiply with other
    counts on the same row."""
    counts = (
        queryset.order_by()
        .values(group_by)
        .annotate(n=Count(counted, distinct=distinct))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))


@dataclass(frozen=True)
class CatalogFigures:
    platforms: int
    documents: int
    provisions: int


def catalog_figures() -> CatalogFigures:
    platform_counts = Platform.objects.aggregate(
        platforms=Count("pk", distinct=True), documents=Count("documents", distinct=True)
    )
    return CatalogFigures(
        platforms=platform_counts["platforms"],
        documents=platform_counts["documents"],
        provisions=Provision.objects.published().count(),
    )


def recent_changes(*, limit: int = 8) -> QuerySet[DocumentVersion]:
    """The latest documented changes across the catalog, newest first, without their text."""
    return (
        DocumentVersion.objects.filter(kind=VersionKind.CHANGE)
        .select_related("document__platform")
        .only(
            "number",
            "captured_at",
            "document__title",
            "document__slug",
            "document__platform__name",
            "document__platform__slug",
        )
        .order_by("-captured_at", "-pk")[:limit]
    )
