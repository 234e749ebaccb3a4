"""Reads behind the public provision, clause-type, research and search pages. Only published
provisions ever leave these functions, and the compliance memo leaves only through
`provision_compliance_analysis`, which asks the viewer's entitlements. The curators' reads, for
the admin only, come last."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Count, Exists, F, Min, OuterRef, Prefetch, Q, QuerySet, Window
from django.db.models.functions import Coalesce, RowNumber

from apps.billing.entitlements import Entitlements
from apps.core.search import SearchInput, full_text_search
from apps.core.selectors import QueueCount, count_subquery
from apps.documents.models import ChangeEvent
from apps.platforms.models import Platform
from apps.provisions.models import (
    MEMO_FIELDS,
    REGULATORY_CITATION_FIELDS,
    AnalysisArticle,
    ClauseType,
    ImpactStatus,
    Provision,
    ProvisionAgency,
    ProvisionImpact,
    ProvisionStatus,
)
from apps.provisions.search import PROVISION_SEARCH_FIELDS

# What list pages show of a provision. The analysis and memo columns stay in the database: they
# are large, and the memo must never be loaded where it is not meant to be shown.
PROVISION_CARD_FIELDS = (
    "record_id",
    "title",
    "slug",
    "severity",
    "summary",
    "clause_text",
    "document_id",
    "clause_type_id",
    "document__title",
    "document__slug",
    "document__platform_id",
    "document__platform__name",
    "document__platform__slug",
    "clause_type__name",
    "clause_type__slug",
    # Whether the provision came from ToS;DR: its attribution goes wherever it is shown.
    "tosdr_point_id",
)


def provision_cards() -> QuerySet[Provision]:
    """Published provisions with what a list entry needs (platform, document, clause type)."""
    return (
        Provision.objects.published()
        .select_related("document__platform", "clause_type")
        .only(*PROVISION_CARD_FIELDS)
    )


def provisions_with_memo() -> QuerySet[Provision]:
    """Published provisions with everything the provision page and its memo show (document,
    platform, clause type, cited version and snapshot, categories, regulations, FAQ, agencies
    with their notes), in a fixed number of queries however many are read."""
    return (
        Provision.objects.published()
        .select_related("document__platform", "clause_type", "cited_version__snapshot")
        .defer(
            "cited_version__text",
            "cited_version__change_summary",
            "cited_version__snapshot__headers",
        )
        .prefetch_related(
            "categories",
            "regulations",
            "faq_entries",
            Prefetch(
                "provisionagency_set",
                queryset=ProvisionAgency.objects.select_related("agency").order_by("agency__name"),
                to_attr="agency_notes",
            ),
        )
    )


def provision_get_published(
    *, platform_slug: str, document_slug: str, provision_slug: str
) -> Provision | None:
    """One published provision with everything its page shows, or None."""
    return (
        provisions_with_memo()
        .filter(
            document__platform__slug=platform_slug,
            document__slug=document_slug,
            slug=provision_slug,
        )
        .first()
    )


def platform_provisions(*, platform: Platform) -> QuerySet[Provision]:
    """A platform's published provisions, most severe first."""
    return (
        provision_cards().filter(document__platform=platform).order_by("-severity", "title", "pk")
    )


def document_provisions(*, document_id: int) -> QuerySet[Provision]:
    return provision_cards().filter(document_id=document_id).order_by("-severity", "title", "pk")


@dataclass(frozen=True)
class Uniqueness:
    """How many other platforms share this provision's clause type, out of how many other
    platforms have any published provision at all."""

    shared: int
    of: int

    @property
    def is_unique(self) -> bool:
        return self.shared == 0


def provision_uniqueness(*, provision: Provision) -> Uniqueness:
    # Two queries, each led by the index that suits it: every platform probed through its
    # documents for `of`, the clause type's provisions grouped by platform for `shared`. One
    # combined query let SQLite probe the clause-type index once per platform (seconds on a
    # catalog of 50,000 provisions).
    platform_id = provision.document.platform_id
    published = Provision.objects.published()
    of = (
        Platform.objects.exclude(pk=platform_id)
        .filter(Exists(published.filter(document__platform=OuterRef("pk"))))
        .count()
    )
    shared = (
        published.filter(clause_type_id=provision.clause_type_id)
        .exclude(document__platform_id=platform_id)
        .values("document__platform_id")
        .distinct()
        .count()
    )
    return Uniqueness(shared=shared, of=of)


def provision_peers(*, provision: Provision, limit: int = 4) -> list[Provision]:
    """How other platforms handle the same clause type: at most one provision per other platform
    (its most severe), the most severe platforms first."""
    # Every provision of the clause type is ranked, so the ranking reads only the narrow
    # columns an index holds; the card columns are fetched for the winners alone.
    platform_best = (
        Provision.objects.published()
        .filter(clause_type_id=provision.clause_type_id)
        .exclude(document__platform_id=provision.document.platform_id)
        .annotate(
            rank_in_platform=Window(
                RowNumber(),
                partition_by=F("document__platform_id"),
                order_by=[F("severity").desc(), F("pk").asc()],
            )
        )
        .filter(rank_in_platform=1)
        .values("pk")
    )
    return list(
        provision_cards()
        .filter(pk__in=platform_best)
        .order_by("-severity", "document__platform__name", "pk")[:limit]
    )


def provision_siblings(*, provision: Provision, limit: int = 12) -> list[Provision]:
    """Other published provisions of the same document."""
    return list(
        document_provisions(document_id=provision.document_id).exclude(pk=provision.pk)[:limit]
    )


def provision_related_articles(*, provision: Provision, limit: int = 4) -> list[AnalysisArticle]:
    """Published research pieces that draw on this provision or on its clause type."""
    linked = AnalysisArticle.objects.filter(
        Q(provisions=provision) | Q(clause_types=provision.clause_type_id)
    ).values("pk")
    return list(
        AnalysisArticle.objects.filter(is_published=True, pk__in=linked)
        .only("title", "slug", "summary", "published_at")
        .order_by(F("published_at").desc(nulls_last=True), "title")[:limit]
    )


@dataclass(frozen=True)
class ComplianceSection:
    field: str
    label: str
    text: str


@dataclass(frozen=True)
class ComplianceAnalysis:
    """The memo parts this viewer may read, and the names of those withheld from them."""

    sections: list[ComplianceSection]
    locked: list[str]


MEMO_LABELS = {
    "regulatory_framework": "Regulatory framework",
    "governance_exposure": "Governance exposure",
    "jurisdiction_flags": "Jurisdiction flags",
    "contract_vendor_implications": "Contract and vendor implications",
    "compliance_considerations": "Compliance considerations",
    "enforcement_risk": "Enforcement risk",
    "action_items": "Due-diligence action items",
}


def visible_memo_fields(entitlements: Entitlements) -> tuple[str, ...]:
    """The memo fields the viewer's memo access releases; every other one stays on the server."""
    if entitlements.sees_full_memo:
        return MEMO_FIELDS
    if entitlements.sees_regulatory_citations:
        return REGULATORY_CITATION_FIELDS
    return ()


def provision_compliance_analysis(
    *, provision: Provision, entitlements: Entitlements
) -> ComplianceAnalysis:
    """Split the memo into what this viewer may read and what stays locked. Templates render
    only `sections`, so withheld text never reaches the page; which parts a viewer may read is
    the entitlements module's answer, not this function's."""
    visible_fields = visible_memo_fields(entitlements)
    sections, locked = [], []
    for field in MEMO_FIELDS:
        text = getattr(provision, field)
        if not text:
            continue
        if field in visible_fields:
            sections.append(ComplianceSection(field=field, label=MEMO_LABELS[field], text=text))
        else:
            locked.append(MEMO_LABELS[field])
    return ComplianceAnalysis(sections=sections, locked=locked)


@dataclass(frozen=True)
class FaqItem:
    question: str
    answer: str


def provision_faq(*, provision: Provision) -> list[FaqItem]:
    """The questions a reader is most likely to ask about the clause, followed by the curated
    ones. Answers come from the public analysis only, never from the memo. A standard question
    a curator has already written an answer for is not asked twice."""
    platform_name = provision.document.platform.name
    curated = [
        FaqItem(question=entry.question, answer=entry.answer)
        for entry in provision.faq_entries.all()
    ]
    asked = {_question_key(item.question) for item in curated}
    opening = [
        FaqItem(
            question=f"What does {platform_name}'s {provision.title} clause do?",
            answer=provision.summary,
        ),
        FaqItem(question="How does this clause affect users?", answer=provision.consumer_impact),
    ]
    closing = [
        FaqItem(
            question=f"Is ConductAtlas affiliated with {platform_name}?",
            answer=(
                f"No. ConductAtlas is an independent service. It is not affiliated with, "
                f"endorsed by or sponsored by {platform_name}."
            ),
        )
    ]
    return [
        *(item for item in opening if _question_key(item.question) not in asked),
        *curated,
        *(item for item in closing if _question_key(item.question) not in asked),
    ]


def _question_key(question: str) -> str:
    return " ".join(question.casefold().replace("’", "'").split())


def clause_type_list() -> QuerySet[ClauseType]:
    """Clause types that have at least one published provision, with how many platforms use
    them."""
    published = Provision.objects.published().filter(clause_type=OuterRef("pk"))
    return (
        ClauseType.objects.annotate(
            provision_count=count_subquery(published, group_by="clause_type"),
            platform_count=count_subquery(
                published, group_by="clause_type", counted="document__platform", distinct=True
            ),
        )
        .filter(provision_count__gt=0)
        .order_by("name")
    )


def clause_type_provisions(*, clause_type: ClauseType) -> QuerySet[Provision]:
    """Every published provision of a clause type, platform by platform."""
    return (
        provision_cards()
        .filter(clause_type=clause_type)
        .order_by("document__platform__name", "-severity", "title", "pk")
    )


def provision_search(*, search: SearchInput) -> QuerySet[Provision]:
    """Published provisions matching the query in their title, summary or clause text (never
    in the memo)."""
    return full_text_search(
        provision_cards(), fields=PROVISION_SEARCH_FIELDS, search=search
    ).order_by("-search_rank", "-severity", "title", "pk")


def article_list() -> QuerySet[AnalysisArticle]:
    return AnalysisArticle.objects.filter(is_published=True).order_by(
        F("published_at").desc(nulls_last=True), "title"
    )


def article_get_published(*, slug: str) -> AnalysisArticle | None:
    return (
        AnalysisArticle.objects.filter(is_published=True, slug=slug)
        .prefetch_related(
            Prefetch("provisions", queryset=provision_cards().order_by("-severity", "title")),
            Prefetch("clause_types", queryset=ClauseType.objects.order_by("name")),
        )
        .first()
    )


def provision_recently_published(*, limit: int = 6) -> list[Provision]:
    # Without NULLs the order is the plain descending one the `provision_published_at`
    # index gives read backwards; a published provision always has its date.
    return list(
        provision_cards()
        .filter(published_at__isnull=False)
        .order_by("-published_at", "-pk")[:limit]
    )


def provision_published_by_record_id(*, record_id: str) -> Provision | None:
    return (
        Provision.objects.published()
        .select_related("document__platform")
        .only("slug", "document__slug", "document__platform__slug")
        .filter(record_id=record_id)
        .first()
    )


# --- change events and what they did to provisions -------------------------------------------


def change_event_get(*, change_event_id: int, with_text: bool = False) -> ChangeEvent | None:
    """A recorded change (never a first record) with its document, platform and the two
    versions' numbers and dates; their full text only when `with_text` (the diff needs it)."""
    events = ChangeEvent.objects.select_related(
        "document__platform", "version", "previous_version"
    ).filter(pk=change_event_id, previous_version__isnull=False)
    if not with_text:
        events = events.defer(
            "version__text",
            "version__change_summary",
            "previous_version__text",
            "previous_version__change_summary",
        )
    return events.first()


def change_event_impacts(*, change_event: ChangeEvent) -> list[ProvisionImpact]:
    """The published provisions whose clause the change reworded or removed, most severe
    first, each with what a link to its page needs."""
    return list(
        ProvisionImpact.objects.filter(
            change_event=change_event, provision__status=ProvisionStatus.PUBLISHED
        )
        .exclude(status=ImpactStatus.PRESENT)
        .select_related("provision__document__platform")
        .order_by("-provision__severity", "provision__title", "pk")
    )


def change_events_of(
    *, platform_id: int | None = None, document_id: int | None = None
) -> QuerySet[ChangeEvent]:
    """A platform's or a document's recorded changes (first records left out), newest first."""
    events = ChangeEvent.objects.filter(previous_version__isnull=False)
    if document_id is not None:
        events = events.filter(document_id=document_id)
    if platform_id is not None:
        events = events.filter(document__platform_id=platform_id)
    return events.order_by("-created_at", "-pk")


def provision_stale_change(*, provision: Provision) -> ProvisionImpact | None:
    """The latest change that reworded or removed this provision's clause, while a curator has
    not reviewed the provision since (reviewing clears `needs_review`); else None, and no query
    for the many provisions that are current."""
    if not provision.needs_review:
        return None
    return (
        ProvisionImpact.objects.filter(provision=provision)
        .exclude(status=ImpactStatus.PRESENT)
        .select_related("change_event")
        .only("status", "change_event__created_at", "change_event_id", "provision_id")
        .order_by("-change_event__created_at", "-pk")
        .first()
    )


# --- The curators' reads (admin only) ---------------------------------------------------------


def publishing_curator_count() -> int:
    """Active staff who may publish provisions: the four-eyes rule lets a curator publish their
    own submission only when they are the only one."""
    permission = Permission.objects.get(
        content_type__app_label="provisions", codename="publish_provision"
    )
    return (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .filter(
            Q(is_superuser=True)
            | Q(groups__permissions=permission)
            | Q(user_permissions=permission)
        )
        .distinct()
        .count()
    )


def provisions_flagged_by_changes() -> QueueCount:
    """Provisions a document change flagged for review; age from the oldest flag's impact."""
    row = Provision.objects.filter(needs_review=True).aggregate(
        count=Count("pk", distinct=True),
        oldest=Min(Coalesce("impacts__created_at", "updated_at")),
    )
    return QueueCount(row["count"], row["oldest"])


def provisions_awaiting_review() -> QueueCount:
    """Provisions submitted and not yet published or sent back; those submitted before the
    submission time was recorded count from their last change."""
    row = Provision.objects.filter(status=ProvisionStatus.IN_REVIEW).aggregate(
        count=Count("pk"), oldest=Min(Coalesce("submitted_at", "updated_at"))
    )
    return QueueCount(row["count"], row["oldest"])
