"""Reads behind the public platform and document pages. Every function returns in a fixed number
of queries whatever the catalog size, because the pages built on them promise that."""

from datetime import timedelta

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from apps.core.search import SearchInput, full_text_search
from apps.core.selectors import count_subquery
from apps.documents.models import ChangeEvent, Document, DocumentVersion
from apps.platforms.models import Platform
from apps.provisions.models import Provision

CHANGE_ACTIVITY_DAYS = 30
# What platform search reads, most important first (migration 0002 indexes it on PostgreSQL).
PLATFORM_SEARCH_FIELDS = ("name", "description")


def platform_list(*, sector: str | None = None, severity: int | None = None) -> QuerySet[Platform]:
    """Platforms in name order with their published-provision and document counts, optionally
    narrowed to a sector and to platforms having a published provision of a given severity."""
    published = Provision.objects.published().filter(document__platform=OuterRef("pk"))
    platforms = Platform.objects.annotate(
        provision_count=count_subquery(published, group_by="document__platform"),
        document_count=count_subquery(
            Document.objects.filter(platform=OuterRef("pk")), group_by="platform"
        ),
    ).order_by("name", "pk")
    if sector:
        platforms = platforms.filter(sector=sector)
    if severity:
        platforms = platforms.filter(Exists(published.filter(severity=severity)))
    return platforms


def platform_documents(*, platform: Platform) -> QuerySet[Document]:
    published = Provision.objects.published().filter(document=OuterRef("pk"))
    return (
        Document.objects.filter(platform=platform)
        .annotate(provision_count=count_subquery(published, group_by="document"))
        .order_by("title")
    )


def platform_change_count(*, platform: Platform, days: int = CHANGE_ACTIVITY_DAYS) -> int:
    """Recorded change events (not first records, not re-extractions) in the last `days`: the
    same events alerts and feeds announce, so no page claims a change they do not show."""
    since = timezone.now() - timedelta(days=days)
    return ChangeEvent.objects.filter(
        document__platform=platform, previous_version__isnull=False, created_at__gte=since
    ).count()


def document_get(*, platform_slug: str, document_slug: str) -> Document | None:
    return (
        Document.objects.select_related("platform")
        .filter(platform__slug=platform_slug, slug=document_slug)
        .first()
    )


def document_versions(*, document: Document) -> QuerySet[DocumentVersion]:
    """The version history, newest first, without the (large) extracted text."""
    return (
        DocumentVersion.objects.filter(document=document)
        .select_related("snapshot")
        .only(
            "document_id",
            "number",
            "kind",
            "captured_at",
            "text_sha256",
            "archive_url",
            "snapshot__sha256",
            "snapshot__last_verification_ok",
        )
        .order_by("-number")
    )


def platform_search(*, search: SearchInput, limit: int = 10) -> list[Platform]:
    """The best-matching platforms by name and description (a short list shown above the
    provision results)."""
    matches = full_text_search(Platform.objects.all(), fields=PLATFORM_SEARCH_FIELDS, search=search)
    return list(matches.order_by("-search_rank", "name")[:limit])


def document_by_record_id(*, record_id: str) -> Document | None:
    return (
        Document.objects.select_related("platform")
        .only("slug", "platform__slug")
        .filter(record_id=record_id)
        .first()
    )
