"""Reads of an organization's watchlist. Every function takes the organization explicitly; the
catalog (platforms, documents, versions) is only read."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import F, OuterRef, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django_scopes import scope

from apps.accounts.models import Organization
from apps.accounts.selectors import organization_current
from apps.billing.entitlements import (
    Entitlements,
    Quota,
    Usage,
    entitlements_for_organization,
    entitlements_for_request,
    platform_quota,
    provision_quota,
)
from apps.billing.models import AlertFrequency
from apps.core.selectors import count_subquery
from apps.core.viewer_cache import viewer_part
from apps.documents.models import DocumentVersion, VersionKind
from apps.monitoring.audience import effective_frequency
from apps.monitoring.models import AlertSchedule, Notification, WatchedPlatform, WatchedProvision
from apps.provisions.models import Provision

LATEST_CHANGES_PER_PLATFORM = 3


@dataclass
class WatchedPlatformRow:
    watched: WatchedPlatform
    latest_changes: list[DocumentVersion] = field(default_factory=list)


def watched_platform_rows(
    *, organization: Organization, changes_per_platform: int = LATEST_CHANGES_PER_PLATFORM
) -> list[WatchedPlatformRow]:
    """The organization's tracked platforms, each with its latest documented changes, in two
    queries whatever the watchlist's length."""
    rows = [
        WatchedPlatformRow(watched=watched)
        for watched in WatchedPlatform.objects.filter(organization=organization).select_related(
            "platform"
        )
    ]
    if not rows:
        return rows
    latest = (
        DocumentVersion.objects.filter(
            kind=VersionKind.CHANGE,
            document__platform__in=[row.watched.platform_id for row in rows],
        )
        .annotate(
            platform_rank=Window(
                RowNumber(),
                partition_by=F("document__platform_id"),
                order_by=[F("captured_at").desc(), F("pk").desc()],
            )
        )
        .filter(platform_rank__lte=changes_per_platform)
        .select_related("document")
        .only(
            "number",
            "captured_at",
            "change_summary",
            "document__title",
            "document__slug",
            "document__platform_id",
        )
        .order_by("-captured_at", "-pk")
    )
    changes_by_platform: dict[int, list[DocumentVersion]] = defaultdict(list)
    for version in latest:
        changes_by_platform[version.document.platform_id].append(version)
    for row in rows:
        row.latest_changes = changes_by_platform[row.watched.platform_id]
    return rows


def watchlist_provision_ids(*, organization: Organization) -> QuerySet:
    """The published provisions on the organization's watchlist, as a subquery of ids: every
    provision of its tracked platforms and each single clause it tracks. Paused items count:
    they stay on the list, only their alerts stop."""
    platforms = WatchedPlatform.objects.filter(organization=organization).values("platform_id")
    clauses = WatchedProvision.objects.filter(organization=organization).values("provision_id")
    return (
        Provision.objects.published()
        .filter(Q(document__platform__in=platforms) | Q(pk__in=clauses))
        .values("pk")
    )


def watched_provisions(*, organization: Organization) -> QuerySet[WatchedProvision]:
    return WatchedProvision.objects.filter(organization=organization).select_related(
        "provision__document__platform"
    )


@dataclass(frozen=True)
class MonitorButtonState:
    """What the "Start monitoring" control on a platform or provision page shows."""

    organization: Organization | None
    watches_provision: bool
    is_tracked: bool
    quota: Quota | None


def watchlist_usage(*, organization: Organization) -> Usage:
    """What the organization tracks, in the terms the plan limits it by. Paused items (over a
    smaller plan's limit) are kept but not monitored, so they do not count."""
    # Both counts in one query: the dashboard and the monitor button's watchlist summary ask.
    tracked_platforms, tracked_provisions = (
        Organization.objects.filter(pk=organization.pk)
        .annotate(
            tracked_platforms=count_subquery(
                WatchedPlatform.objects.filter(organization=OuterRef("pk")).monitored(),
                group_by="organization",
            ),
            tracked_provisions=count_subquery(
                WatchedProvision.objects.filter(organization=OuterRef("pk")).monitored(),
                group_by="organization",
            ),
        )
        .values_list("tracked_platforms", "tracked_provisions")
        .get()
    )
    return Usage(tracked_platforms=tracked_platforms, tracked_provisions=tracked_provisions)


@dataclass(frozen=True)
class WatchlistSummary:
    """What public pages' monitor buttons ask of an organization's watchlist: what it tracks
    (paused items included: they are on the watchlist) and whether the plan has room for one
    more platform, or clause where the plan monitors clauses."""

    platform_ids: frozenset[int]
    provision_ids: frozenset[int]
    platform_quota: Quota
    provision_quota: Quota | None


def watchlist_summary(
    *, organization: Organization, entitlements: Entitlements
) -> WatchlistSummary:
    usage = watchlist_usage(organization=organization)
    return WatchlistSummary(
        platform_ids=frozenset(
            WatchedPlatform.objects.filter(organization=organization).values_list(
                "platform_id", flat=True
            )
        ),
        provision_ids=frozenset(
            WatchedProvision.objects.filter(organization=organization).values_list(
                "provision_id", flat=True
            )
            if entitlements.provision_monitoring
            else ()
        ),
        platform_quota=platform_quota(entitlements=entitlements, usage=usage),
        provision_quota=(
            provision_quota(entitlements=entitlements, usage=usage)
            if entitlements.provision_monitoring
            else None
        ),
    )


def monitor_button_state_for_request(
    request, *, platform_id: int, provision_id: int | None
) -> MonitorButtonState:
    """For the signed-in member behind `request`, acting for their current organization:
    whether it already tracks this platform (or, with provision-level monitoring, this
    provision) and whether the plan has room. The watchlist is a part of the viewer's cached
    account data (apps.core.viewer_cache), so a page served from the page cache asks nothing
    of the database."""
    organization = organization_current(request)
    if organization is None:
        return MonitorButtonState(None, watches_provision=False, is_tracked=False, quota=None)
    entitlements = entitlements_for_request(request)

    def build() -> WatchlistSummary:
        # Public pages find the organization from the session, outside any organization's view.
        with scope(organization=organization):
            return watchlist_summary(organization=organization, entitlements=entitlements)

    # Named by the entitlements too: the quotas are the plan's.
    watchlist = viewer_part(
        request, f"watchlist:{organization.pk}:{entitlements.page_variant}", build
    )
    if provision_id is not None and entitlements.provision_monitoring:
        is_tracked = provision_id in watchlist.provision_ids
        return MonitorButtonState(
            organization,
            watches_provision=True,
            is_tracked=is_tracked,
            quota=None if is_tracked else watchlist.provision_quota,
        )
    is_tracked = platform_id in watchlist.platform_ids
    return MonitorButtonState(
        organization,
        watches_provision=False,
        is_tracked=is_tracked,
        quota=None if is_tracked else watchlist.platform_quota,
    )


# --- alerts ---------------------------------------------------------------------------------


def notification_list(*, organization: Organization, user) -> QuerySet[Notification]:
    """The member's in-app notifications for this organization, newest first."""
    return (
        Notification.objects.filter(organization=organization, recipient=user)
        .select_related("change_event__document__platform")
        .only(
            "created_at",
            "read_at",
            "change_event__created_at",
            "change_event__summary",
            "change_event__document__title",
            "change_event__document__slug",
            "change_event__document__platform__name",
            "change_event__document__platform__slug",
        )
        .order_by("-created_at", "-pk")
    )


def notification_unread_count(*, organization: Organization, user) -> int:
    return Notification.objects.filter(organization=organization, recipient=user).unread().count()


def notification_unread_count_for_request(request, *, organization: Organization) -> int:
    """The signed-in member's unread count in `organization`, a part of the viewer's cached
    account data (apps.core.viewer_cache): the header of every page and the dashboard show
    it."""
    return viewer_part(
        request,
        f"unread:{organization.pk}",
        lambda: notification_unread_count(organization=organization, user=request.user),
    )


@dataclass(frozen=True)
class AlertSettings:
    """What the preferences page shows: the member's effective frequency, the choices their
    plan allows, and the organization's digest schedule."""

    frequency: str
    choices: list[tuple[str, str]]
    schedule: AlertSchedule


def alert_settings(*, organization: Organization, user) -> AlertSettings:
    entitlements = entitlements_for_organization(organization)
    labels = dict(AlertFrequency.choices)
    return AlertSettings(
        frequency=effective_frequency(
            organization=organization, user=user, entitlements=entitlements
        ),
        choices=[(value, labels[value]) for value in entitlements.alert_frequencies],
        schedule=AlertSchedule.objects.filter(organization=organization).first()
        or AlertSchedule(organization=organization),
    )
