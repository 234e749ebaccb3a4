"""Writes to an organization's watchlist. Plan limits are enforced here, by asking
apps.billing.entitlements, so every way in (pages, API, admin actions) gets the same rules."""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from apps.accounts.models import Organization, User
from apps.billing.entitlements import (
    check_can_track_platform,
    check_can_track_provision,
    entitlements_for_organization,
)
from apps.core.exceptions import ApplicationError
from apps.monitoring.models import WatchedPlatform, WatchedProvision
from apps.monitoring.selectors import watchlist_usage
from apps.platforms.models import Platform
from apps.provisions.models import Provision


def _lock_organization(organization: Organization) -> None:
    """Serialises watchlist writes of one organization, so two concurrent adds cannot both pass
    the limit check."""
    Organization.objects.select_for_update().filter(pk=organization.pk).first()


def watchlist_add_platform(
    *, organization: Organization, platform_ref: str, added_by: User | None = None
) -> WatchedPlatform:
    """Tracks the platform whose slug (or, as typed in the dashboard, name) is `platform_ref`.
    Tracking one already tracked is a no-op, so a double-clicked button does not error."""
    platform_ref = platform_ref.strip()
    platform = (
        Platform.objects.filter(Q(slug=platform_ref.lower()) | Q(name__iexact=platform_ref))
        .order_by("pk")
        .first()
        if platform_ref
        else None
    )
    if platform is None:
        raise ApplicationError(
            f"There is no platform “{platform_ref[:80]}” in the catalog. "
            "Pick one from the platform list."
        )
    with transaction.atomic():
        _lock_organization(organization)
        existing = WatchedPlatform.objects.filter(
            organization=organization, platform=platform
        ).first()
        if existing is not None:
            return existing
        check_can_track_platform(
            organization=organization, usage=watchlist_usage(organization=organization)
        )
        watched = WatchedPlatform(organization=organization, platform=platform, added_by=added_by)
        watched.full_clean()
        watched.save()
    return watched


def watchlist_add_provision(
    *, organization: Organization, provision_id: int, added_by: User | None = None
) -> WatchedProvision:
    provision = Provision.objects.published().filter(pk=provision_id).first()
    if provision is None:
        raise ApplicationError("That provision is not in the catalog.")
    with transaction.atomic():
        _lock_organization(organization)
        existing = WatchedProvision.objects.filter(
            organization=organization, provision=provision
        ).first()
        if existing is not None:
            return existing
        check_can_track_provision(
            organization=organization, usage=watchlist_usage(organization=organization)
        )
        watched = WatchedProvision(
            organization=organization, provision=provision, added_by=added_by
        )
        watched.full_clean()
        watched.save()
    return watched


def watchlist_remove_platform(*, organization: Organization, watched_platform_id: int) -> None:
    deleted, _ = WatchedPlatform.objects.filter(
        organization=organization, pk=watched_platform_id
    ).delete()
    if not deleted:
        raise ApplicationError("That platform is not on this organization's watchlist.")


def watchlist_remove_provision(*, organization: Organization, watched_provision_id: int) -> None:
    deleted, _ = WatchedProvision.objects.filter(
        organization=organization, pk=watched_provision_id
    ).delete()
    if not deleted:
        raise ApplicationError("That provision is not on this organization's watchlist.")


# The watchlist models by the name used in pause/resume URLs.
WATCH_KINDS = {"platforms": WatchedPlatform, "provisions": WatchedProvision}


def watchlist_fit_to_plan(*, organization: Organization) -> list[str]:
    """Makes the monitored items fit the organization's plan without deleting anything: the
    newest items beyond a limit are paused, and paused ones are resumed, oldest first, where
    the plan has room. Returns the names of the items it paused."""
    entitlements = entitlements_for_organization(organization)
    limits = {
        WatchedPlatform: entitlements.max_tracked_platforms,
        WatchedProvision: entitlements.max_tracked_provisions,
    }
    paused_names = []
    with transaction.atomic():
        _lock_organization(organization)
        for model, limit in limits.items():
            items = model.objects.filter(organization=organization).order_by("created_at", "pk")
            monitored = list(items.monitored())
            extra = monitored[limit:]
            if extra:
                model.objects.filter(pk__in=[item.pk for item in extra]).update(
                    paused_at=timezone.now()
                )
                paused_names += [
                    str(item.platform if model is WatchedPlatform else item.provision)
                    for item in extra
                ]
                continue
            room = limit - len(monitored)
            if room > 0:
                resumable = list(items.paused().values_list("pk", flat=True)[:room])
                model.objects.filter(pk__in=resumable).update(paused_at=None)
    return paused_names


def watchlist_item_pause(*, organization: Organization, kind: str, watched_id: int) -> None:
    """An owner's choice of which items to keep: pausing one makes room to resume another."""
    updated = (
        WATCH_KINDS[kind]
        .objects.filter(organization=organization, pk=watched_id, paused_at__isnull=True)
        .update(paused_at=timezone.now())
    )
    if not updated:
        raise ApplicationError("That item is not monitored on this organization's watchlist.")


def watchlist_item_resume(*, organization: Organization, kind: str, watched_id: int) -> None:
    model = WATCH_KINDS[kind]
    with transaction.atomic():
        _lock_organization(organization)
        item = model.objects.filter(organization=organization, pk=watched_id).first()
        if item is None or item.paused_at is None:
            raise ApplicationError("That item is not paused on this organization's watchlist.")
        check = check_can_track_platform if model is WatchedPlatform else check_can_track_provision
        check(organization=organization, usage=watchlist_usage(organization=organization))
        item.paused_at = None
        item.save(update_fields=["paused_at", "updated_at"])
