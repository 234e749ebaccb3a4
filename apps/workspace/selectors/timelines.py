"""Governance timelines: what happened to a platform's documents and provisions, in order.

Entries come from four records kept elsewhere: document versions with their change events
(apps.documents), provision impacts (a change rewording or removing a clause), and the provision
history django-simple-history keeps (first publication, and each curator workflow step, which the
workflow services record with a change reason). Only published provisions appear: a draft's
history is the curators' business."""

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Max, Min, Q
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone

from apps.documents.models import Document, DocumentVersion
from apps.platforms.models import Platform
from apps.provisions.models import ImpactStatus, Provision, ProvisionImpact, ProvisionStatus

VERSION = "version"
CHANGE = "change"
PROVISION_ADDED = "provision_added"
PROVISION_REWORDED = "provision_reworded"
PROVISION_REMOVED = "provision_removed"
CURATOR_REVIEW = "curator_review"
ENTRY_LABELS = {
    VERSION: "Version",
    CHANGE: "Change",
    PROVISION_ADDED: "Provision added",
    PROVISION_REWORDED: "Provision reworded",
    PROVISION_REMOVED: "Provision removed",
    CURATOR_REVIEW: "Curator review",
}
_IMPACT_KINDS = {ImpactStatus.REWORDED: PROVISION_REWORDED, ImpactStatus.GONE: PROVISION_REMOVED}


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str
    document: str
    record_id: str
    title: str
    detail: str
    path: str

    @property
    def label(self) -> str:
        return ENTRY_LABELS[self.kind]


@dataclass(frozen=True)
class TimelineScope:
    """Whose timeline (a platform, or one provision of it) and the filters applied."""

    platform: Platform
    # The documents in view: the platform's, the one chosen in the filter, or the provision's.
    documents: tuple[Document, ...]
    provision: Provision | None = None
    since: date | None = None
    until: date | None = None

    def bounds(self) -> tuple[datetime | None, datetime | None]:
        """The date filters as an inclusive range of aware datetimes (whole days)."""
        zone = timezone.get_current_timezone()
        start = datetime.combine(self.since, time.min, zone) if self.since else None
        end = datetime.combine(self.until, time.max, zone) if self.until else None
        return start, end

    def contains(self, moment: datetime) -> bool:
        start, end = self.bounds()
        return (start is None or moment >= start) and (end is None or moment <= end)


def _change_detail(summary: dict) -> str:
    parts = []
    for key, verb in (
        ("sections_added", "added"),
        ("sections_reworded", "reworded"),
        ("sections_removed", "removed"),
    ):
        count = len(summary.get(key) or [])
        if count:
            parts.append(f"{count} section{pluralize(count)} {verb}")
    if "restores_version" in summary:
        parts.append(f"restores the text of version {summary['restores_version']}")
    parts.append(
        f"{summary.get('words_added', 0)} words added, {summary.get('words_removed', 0)} removed"
    )
    return "; ".join(parts)


def _version_entries(scope: TimelineScope, documents: list[Document]) -> list[TimelineEntry]:
    start, end = scope.bounds()
    versions = (
        DocumentVersion.objects.filter(document_id__in=[document.pk for document in documents])
        .select_related("change_event")
        .only(
            "document_id",
            "number",
            "kind",
            "captured_at",
            "change_event__summary",
            "change_event__created_at",
            "change_event__previous_version_id",
        )
        .order_by("captured_at", "pk")
    )
    if start:
        versions = versions.filter(captured_at__gte=start)
    if end:
        versions = versions.filter(captured_at__lte=end)
    by_id = {document.pk: document for document in documents}
    entries = []
    for version in versions:
        document = by_id[version.document_id]
        event = getattr(version, "change_event", None)
        version_path = reverse(
            "documents:version_detail",
            kwargs={
                "platform_slug": scope.platform.slug,
                "document_slug": document.slug,
                "number": version.number,
            },
        )
        if event is not None and event.previous_version_id is not None:
            entries.append(
                TimelineEntry(
                    at=version.captured_at,
                    kind=CHANGE,
                    document=document.title,
                    record_id=document.record_id,
                    title=f"Version {version.number} changed the text",
                    detail=_change_detail(event.summary),
                    path=reverse("changes:detail", kwargs={"change_event_id": event.pk}),
                )
            )
        else:
            entries.append(
                TimelineEntry(
                    at=version.captured_at,
                    kind=VERSION,
                    document=document.title,
                    record_id=document.record_id,
                    title=f"Version {version.number}: {version.get_kind_display().lower()}",
                    detail="",
                    path=version_path,
                )
            )
    return entries


def _impact_entries(scope: TimelineScope, provisions: dict[int, Provision]) -> list:
    start, end = scope.bounds()
    impacts = (
        ProvisionImpact.objects.filter(provision__in=list(provisions))
        .exclude(status=ImpactStatus.PRESENT)
        .select_related("change_event")
        .only("provision_id", "status", "similarity", "change_event__created_at")
        .order_by("change_event__created_at", "pk")
    )
    if start:
        impacts = impacts.filter(change_event__created_at__gte=start)
    if end:
        impacts = impacts.filter(change_event__created_at__lte=end)
    entries = []
    for impact in impacts:
        provision = provisions[impact.provision_id]
        detail = (
            f"The clause was reworded (closest passage {round(impact.similarity * 100)}% similar)"
            if impact.status == ImpactStatus.REWORDED
            else "The clause is no longer in the document"
        )
        entries.append(
            TimelineEntry(
                at=impact.change_event.created_at,
                kind=_IMPACT_KINDS[impact.status],
                document=provision.document.title,
                record_id=provision.record_id,
                title=provision.title,
                detail=detail,
                path=reverse("changes:detail", kwargs={"change_event_id": impact.change_event_id}),
            )
        )
    return entries


def _history_entries(scope: TimelineScope, provisions: dict[int, Provision]) -> list:
    """First publication and curator workflow steps, from the provisions' history rows (one
    query). A workflow step is a row the workflow services gave a change reason; the step that
    first published a provision is its "added" entry, not a second review entry."""
    rows = (
        Provision.history.filter(id__in=list(provisions))
        .filter(Q(status=ProvisionStatus.PUBLISHED) | ~Q(history_change_reason=None))
        .values("id", "history_id", "history_date", "status", "history_change_reason")
        .order_by("history_date", "history_id")
    )
    entries, published = [], set()
    for row in rows:
        provision = provisions[row["id"]]
        common = {
            "at": row["history_date"],
            "document": provision.document.title,
            "record_id": provision.record_id,
            "title": provision.title,
            "path": provision.get_absolute_url(),
        }
        if row["status"] == ProvisionStatus.PUBLISHED and row["id"] not in published:
            published.add(row["id"])
            entries.append(
                TimelineEntry(kind=PROVISION_ADDED, detail="Published in the catalog", **common)
            )
        elif row["history_change_reason"]:
            entries.append(
                TimelineEntry(
                    kind=CURATOR_REVIEW,
                    detail=f"{row['history_change_reason']} "
                    f"(now {ProvisionStatus(row['status']).label.lower()})",
                    **common,
                )
            )
    return [entry for entry in entries if scope.contains(entry.at)]


def timeline_documents(*, platform: Platform) -> list[Document]:
    return list(
        platform.documents.order_by("title").only("platform_id", "title", "slug", "record_id")
    )


def governance_timeline(*, scope: TimelineScope) -> list[TimelineEntry]:
    """Every entry of the scope's timeline, oldest first."""
    documents = scope.documents
    provisions_qs = (
        Provision.objects.published()
        .filter(document_id__in=[document.pk for document in documents])
        .select_related("document__platform")
        .only(
            "record_id",
            "title",
            "slug",
            "document__title",
            "document__slug",
            "document__platform__slug",
        )
    )
    if scope.provision is not None:
        provisions_qs = provisions_qs.filter(pk=scope.provision.pk)
    provisions = {provision.pk: provision for provision in provisions_qs}
    entries = [
        *_version_entries(scope, documents),
        *_impact_entries(scope, provisions),
        *_history_entries(scope, provisions),
    ]
    return sorted(entries, key=lambda entry: entry.at)


@dataclass(frozen=True)
class TimelineSummary:
    """What the public teaser says of a platform's history: figures, not entries."""

    versions: int
    changes: int
    first_captured: datetime | None
    last_change: datetime | None


def timeline_summary(*, platform: Platform, document: Document | None = None) -> TimelineSummary:
    versions = DocumentVersion.objects.filter(document__platform=platform)
    if document is not None:
        versions = versions.filter(document=document)
    figures = versions.aggregate(
        versions=Count("pk"),
        changes=Count("pk", filter=Q(change_event__previous_version__isnull=False)),
        first_captured=Min("captured_at"),
        last_change=Max("captured_at", filter=Q(change_event__previous_version__isnull=False)),
    )
    return TimelineSummary(**figures)


# --- the activity chart ------------------------------------------------------------------------

CHART_WIDTH = 640
CHART_HEIGHT = 160
CHART_BASELINE = 20  # room under the bars for the period labels
# Past this many months a bar per month is too thin to read: the chart counts per year.
MAX_MONTHLY_PERIODS = 36


@dataclass(frozen=True)
class ChartBar:
    period: str  # "2026-03" or "2026"
    label: str  # "March 2026" or "2026"
    count: int
    x: float
    y: float
    width: float
    height: float
    show_label: bool


@dataclass(frozen=True)
class ActivityChart:
    bars: list[ChartBar]
    peak: int
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT
    baseline: int = CHART_HEIGHT - CHART_BASELINE
    unit: str = "month"

    @property
    def span(self) -> str:
        return f"{self.bars[0].label} to {self.bars[-1].label}"


def _months(first: date, last: date) -> list[date]:
    months, current = [], first.replace(day=1)
    while current <= last:
        months.append(current)
        current = (current.replace(day=28) + timedelta(days=4)).replace(day=1)
    return months


def activity_chart(*, entries: list[TimelineEntry], scope: TimelineScope) -> ActivityChart:
    """Document changes per period, one bar per period from the first to the last day in view
    (the filter's dates, else the entries' own), empty periods included so gaps show."""
    changes = [timezone.localtime(entry.at).date() for entry in entries if entry.kind == CHANGE]
    dates = [timezone.localtime(entry.at).date() for entry in entries]
    first = scope.since or (min(dates) if dates else timezone.localdate())
    last = scope.until or (max(dates) if dates else timezone.localdate())
    months = _months(first, last)
    if len(months) > MAX_MONTHLY_PERIODS:
        unit = "year"
        periods = [(str(year), str(year)) for year in range(first.year, last.year + 1)]
        counts = Counter(str(day.year) for day in changes)
    else:
        unit = "month"
        periods = [(month.strftime("%Y-%m"), month.strftime("%B %Y")) for month in months]
        counts = Counter(day.strftime("%Y-%m") for day in changes)
    peak = max((counts[key] for key, _label in periods), default=0)
    baseline = CHART_HEIGHT - CHART_BASELINE
    slot = CHART_WIDTH / len(periods)
    label_every = max(1, round(len(periods) / 8))
    bars = []
    for index, (key, label) in enumerate(periods):
        count = counts[key]
        height = (baseline - 8) * count / peak if peak else 0
        bars.append(
            ChartBar(
                period=key,
                label=label,
                count=count,
                x=round(index * slot + slot * 0.15, 2),
                y=round(baseline - height, 2),
                width=round(slot * 0.7, 2),
                height=round(height, 2),
                show_label=index % label_every == 0,
            )
        )
    return ActivityChart(bars=bars, peak=peak, unit=unit)
