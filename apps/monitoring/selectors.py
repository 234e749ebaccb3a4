"""Reads of an organization's watchlist. Every function takes the organization explicitly; the
catalog (platforms, documents, versions) is only read."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import F, QuerySet, Window
from django.db.models.functions import RowNumber
from django_scopes import scope

from apps.accounts.models import Organization
from apps.billing.entitlements import (
    Entitlements,
    Quota,
    Usage,
    platform_quota,
    provision_quota,
)
from apps.documents.models import DocumentVersion, VersionKind
from apps.monitoring.models import WatchedPlatform, WatchedProvision
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
    return Usage(
        tracked_platforms=WatchedPlatform.objects.filter(organization=organization)
        .monitored()
        .count(),
        tracked_provisions=WatchedProvision.objects.filter(organization=organization)
        .monitored()
        .count(),
    )


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
