"""Reads behind the public pages that combine apps: the home page's figures and recent changes,
and the platform, document and regulation pages, which count or list what the layers above
platforms and regulations hold. Every function returns in a fixed number of queries whatever the
catalog size, because the pages built on them promise that."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Exists, OuterRef, QuerySet
from django.utils import timezone

from apps.assist.selectors import suggestions_awaiting_triage
from apps.core.selectors import QueueCount, count_subquery
from apps.documents.models import ChangeEvent, Document, DocumentVersion, VersionKind
from apps.documents.selectors import documents_failing_to_fetch
from apps.platforms.models import Platform
from apps.provisions.models import Provision, ProvisionStatus
from apps.provisions.selectors import (
    provision_cards,
    provisions_awaiting_review,
    provisions_flagged_by_changes,
)
from apps.regulations.models import Regulation

CHANGE_ACTIVITY_DAYS = 30


@dataclass(frozen=True)
class CatalogFigures:
    platforms: int
    documents: int
    provisions: int


def catalog_figures() -> CatalogFigures:
    platform_counts = Platform.objects.listed().aggregate(
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


def platform_list(*, sector: str | None = None, severity: int | None = None) -> QuerySet[Platform]:
    """Platforms in name order with their published-provision and document counts, optionally
    narrowed to a sector and to platforms having a published provision of a given severity."""
    published = Provision.objects.published().filter(document__platform=OuterRef("pk"))
    platforms = (
        Platform.objects.listed()
        .annotate(
            provision_count=count_subquery(published, group_by="document__platform"),
            document_count=count_subquery(
                Document.objects.filter(platform=OuterRef("pk")), group_by="platform"
            ),
        )
        .order_by("name", "pk")
    )
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
        .filter(platform__slug=platform_slug, platform__is_listed=True, slug=document_slug)
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


def document_by_record_id(*, record_id: str) -> Document | None:
    return (
        Document.objects.select_related("platform")
        .only("slug", "platform__slug")
        .filter(record_id=record_id, platform__is_listed=True)
        .first()
    )


def regulation_list() -> QuerySet[Regulation]:
    """Every regulation with the number of published provisions mapped to it."""
    mapped = Provision.regulations.through.objects.filter(
        regulation=OuterRef("pk"), provision__status=ProvisionStatus.PUBLISHED
    )
    return Regulation.objects.annotate(
        provision_count=count_subquery(mapped, group_by="regulation")
    ).order_by("name")


def regulation_provisions(*, regulation: Regulation) -> QuerySet[Provision]:
    return (
        provision_cards()
        .filter(regulations=regulation)
        .order_by("-severity", "document__platform__name", "title", "pk")
    )


def curator_queue_counts() -> dict[str, QueueCount]:
    """What waits for curators, across the apps that hold it, each with its count and oldest."""
    return {
        "flagged": provisions_flagged_by_changes(),
        "in_review": provisions_awaiting_review(),
        "suggestions": QueueCount(*suggestions_awaiting_triage()),
        "failing": documents_failing_to_fetch(),
    }
