"""Reads of an organization's watchlist. Every function takes the organization explicitly; the
catalog (platforms, documents, versions) is only read."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import F, OuterRef, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django_scopes import scope

from apps.accounts.models import Organization
from apps.billing.entitlements import (
    Entitlements,
    Quota,
    Usage,
    entitlements_for_organization,
    platform_quota,
    provision_quota,
)
from apps.billing.models import AlertFrequency
from apps.core.selectors import count_subquery
from apps.documents.models import DocumentVersion, VersionKind
from apps.monitoring.audience import effective_frequency
from apps.monitoring.models import AlertSchedule, Notification, WatchedPlatform, WatchedProvision
from apps.platforms.models import Platform
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
    # Both counts in one query: the monitor button asks on every signed-in page view.
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


def monitor_button_state(
    *,
    organization: Organization | None,
    entitlements: Entitlements,
    platform: Platform,
    provision: Provision | None,
) -> MonitorButtonState:
    """For a member acting for `organization`: whether it already tracks this platform (or,
    with provision-level monitoring, this provision) and whether the plan has room."""
    if organization is None:
        return MonitorButtonState(None, watches_provision=False, is_tracked=False, quota=None)
    # Public pages find the organization from the session, outside any organization's view.
    with scope(organization=organization):
        return _monitor_button_state_within(organization, entitlements, platform, provision)


def _monitor_button_state_within(
    organization: Organization,
    entitlements: Entitlements,
    platform: Platform,
    provision: Provision | None,
) -> MonitorButtonState:
    if provision is not None and entitlements.provision_monitoring:
        is_tracked = WatchedProvision.objects.filter(
            organization=organization, provision=provision
        ).exists()
        quota = None
        if not is_tracked:
            quota = provision_quota(
                entitlements=entitlements, usage=watchlist_usage(organization=organization)
            )
        return MonitorButtonState(
            organization, watches_provision=True, is_tracked=is_tracked, quota=quota
        )
    is_tracked = WatchedPlatform.objects.filter(
        organization=organization, platform=platform
    ).exists()
    quota = None
    if not is_tracked:
        quota = platform_quota(
            entitlements=entitlements, usage=watchlist_usage(organization=organization)
        )
    return MonitorButtonState(
        organization, watches_provision=False, is_tracked=is_tracked, quota=quota
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
    """The signed-in member's unread count, counted once per request and organization (the
    header and the dashboard both show it)."""
    counts = request.__dict__.setdefault("_unread_notifications", {})
    if organization.pk not in counts:
        counts[organization.pk] = notification_unread_count(
            organization=organization, user=request.user
        )
    return counts[organization.pk]


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
