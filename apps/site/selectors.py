"""Reads behind the public pages that combine apps: the home page's figures and recent changes,
and the platform, document and regulation pages, which count or list what the layers above
platforms and regulations hold. Every function returns in a fixed number of queries whatever the
catalog size, because the pages built on them promise that."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from apps.assist.selectors import suggestions_awaiting_triage
from apps.core.selectors import (
    QueueCount,
    count_subquery,
    filtered_row_estimate,
    table_row_estimates,
)
from apps.documents.models import ChangeEvent, Document, DocumentVersion, VersionKind
from apps.documents.selectors import documents_failing_to_fetch
from apps.platforms.models import Platform
from apps.provisions.models import ClauseType, Provision, ProvisionStatus
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
    """The catalog's size. Platforms and documents are counted exactly while their tables are
    small (one query for both) and estimated by the database once large: counting a million
    documents on every home page view would cost more than the rest of the page. Published
    provisions are estimated from their status's share once the table is large (counting
    100,000 took 20-30 ms)."""
    platforms, documents, provisions = table_row_estimates(Platform, Document, Provision)
    if platforms is None and documents is None:
        counts = Platform.objects.listed().aggregate(
            platforms=Count("pk", distinct=True), documents=Count("documents", distinct=True)
        )
        platforms, documents = counts["platforms"], counts["documents"]
    return CatalogFigures(
        platforms=Platform.objects.listed().count() if platforms is None else platforms,
        documents=Document.objects.filter(platform__in=Platform.objects.listed()).count()
        if documents is None
        else documents,
        provisions=Provision.objects.published().count()
        if provisions is None
        else filtered_row_estimate(Provision.objects.published()),
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


# --- comparison ------------------------------------------------------------------------------

COMPARE_MIN_PLATFORMS = 2
COMPARE_MAX_PLATFORMS = 5
# Names read from one request, so a pasted list of thousands costs one bounded lookup.
COMPARE_MAX_REQUESTED = 50
# Longer than any slug or name the catalog stores: such a name cannot match.
_PLATFORM_NAME_MAX_LENGTH = 200


@dataclass(frozen=True)
class ComparisonChoice:
    """What a request for `/compare/?platforms=...` resolves to: the platforms to compare (at
    most COMPARE_MAX_PLATFORMS, in the order asked), the names matching no platform, the
    platforms asked for beyond the maximum, and whether names past COMPARE_MAX_REQUESTED were
    not read at all."""

    platforms: list[Platform]
    unknown: list[str] = field(default_factory=list)
    left_out: list[Platform] = field(default_factory=list)
    truncated: bool = False

    @property
    def is_comparable(self) -> bool:
        return len(self.platforms) >= COMPARE_MIN_PLATFORMS


def comparison_choice(*, requested: list[str]) -> ComparisonChoice:
    """Resolves the names a visitor asked to compare, each a platform's slug or its name in
    any letter case, in one query. Repeated names count once."""
    names = list(dict.fromkeys(name.strip() for name in requested if name.strip()))
    truncated = len(names) > COMPARE_MAX_REQUESTED
    names = names[:COMPARE_MAX_REQUESTED]
    # A name no stored slug or name can equal is not looked up (PostgreSQL refuses NUL).
    lookup_names = [
        name for name in names if len(name) <= _PLATFORM_NAME_MAX_LENGTH and "\x00" not in name
    ]
    found: list[Platform] = []
    if lookup_names:
        matches = Q(slug__in=[name.lower() for name in lookup_names])
        for name in lookup_names:
            matches |= Q(name__iexact=name)
        found = list(Platform.objects.listed().filter(matches).only("name", "slug", "grade"))
    by_slug = {platform.slug: platform for platform in found}
    by_name = {platform.name.casefold(): platform for platform in found}
    chosen: list[Platform] = []
    unknown: list[str] = []
    for name in names:
        platform = by_slug.get(name.lower()) or by_name.get(name.casefold())
        if platform is None:
            unknown.append(name)
        elif platform not in chosen:
            chosen.append(platform)
    return ComparisonChoice(
        platforms=chosen[:COMPARE_MAX_PLATFORMS],
        unknown=unknown,
        left_out=chosen[COMPARE_MAX_PLATFORMS:],
        truncated=truncated,
    )


@dataclass(frozen=True)
class ComparedPlatform:
    platform: Platform
    provision_count: int


@dataclass(frozen=True)
class ComparisonCell:
    """One platform's published provisions of one clause type, most severe first (none: the
    platform has no such provision)."""

    platform: Platform
    provisions: list[Provision]


@dataclass(frozen=True)
class ComparisonRow:
    """One clause type across the compared platforms, a cell per platform in column order."""

    clause_type: ClauseType
    cells: list[ComparisonCell]

    @property
    def shared_by(self) -> int:
        return sum(1 for cell in self.cells if cell.provisions)


@dataclass(frozen=True)
class Comparison:
    columns: list[ComparedPlatform]
    rows: list[ComparisonRow]

    @property
    def shared_by_all(self) -> int:
        return sum(1 for row in self.rows if row.shared_by == len(self.columns))


def platform_comparison(*, platforms: list[Platform]) -> Comparison:
    """The compared platforms' published provisions side by side by clause type, in one query:
    clause types most of them share first, then by name. Only the public card fields are read,
    so nothing a plan locks can reach the page."""
    provisions = (
        provision_cards()
        .filter(document__platform_id__in=[platform.pk for platform in platforms])
        .order_by("-severity", "title", "pk")
    )
    clause_types: dict[int, ClauseType] = {}
    by_type: dict[int, dict[int, list[Provision]]] = defaultdict(lambda: defaultdict(list))
    counts: dict[int, int] = defaultdict(int)
    for provision in provisions:
        platform_id = provision.document.platform_id
        clause_types.setdefault(provision.clause_type_id, provision.clause_type)
        by_type[provision.clause_type_id][platform_id].append(provision)
        counts[platform_id] += 1
    rows = [
        ComparisonRow(
            clause_type=clause_types[clause_type_id],
            cells=[
                ComparisonCell(platform=platform, provisions=by_platform.get(platform.pk, []))
                for platform in platforms
            ],
        )
        for clause_type_id, by_platform in by_type.items()
    ]
    rows.sort(key=lambda row: (-row.shared_by, row.clause_type.name.casefold(), row.clause_type.pk))
    return Comparison(
        columns=[
            ComparedPlatform(platform=platform, provision_count=counts[platform.pk])
            for platform in platforms
        ],
        rows=rows,
    )


def comparison_picker_options() -> QuerySet[Platform]:
    """The platforms a visitor can pick to compare: those with a published provision."""
    published = Provision.objects.published().filter(document__platform=OuterRef("pk"))
    return Platform.objects.filter(Exists(published)).only("name", "slug").order_by("name", "pk")
