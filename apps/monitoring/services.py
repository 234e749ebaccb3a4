"""Writes to an organization's watchlist and to its members' alert settings. Plan limits and
allowed alert frequencies are enforced here, by asking apps.billing.entitlements, so every way
in (pages, API, admin actions) gets the same rules. Alert fan-out and sending live in
alerts.py, digests.py and sending.py."""

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_scopes import scope

from apps.accounts.models import MANAGER_ROLES, Membership, Organization, User
from apps.accounts.services import organization_viewers_invalidate
from apps.billing.entitlements import (
    check_can_track_platform,
    check_can_track_provision,
    entitlements_for_organization,
    upgrade_url,
)
from apps.billing.models import AlertFrequency
from apps.core.exceptions import ApplicationError
from apps.core.viewer_cache import viewer_cache_invalidate
from apps.monitoring.emails import unsubscribe_token_read
from apps.monitoring.models import (
    AlertPreference,
    AlertSchedule,
    Notification,
    WatchedPlatform,
    WatchedProvision,
)
from apps.monitoring.selectors import watchlist_usage
from apps.platforms.models import Platform
from apps.provisions.models import Provision

logger = logging.getLogger(__name__)


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
        Platform.objects.listed()
        .filter(Q(slug=platform_ref.lower()) | Q(name__iexact=platform_ref))
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
        # Updated in bulk, past the watchlist's save signals (apps/monitoring/receivers.py).
        organization_viewers_invalidate(organization_id=organization.pk)
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
    organization_viewers_invalidate(organization_id=organization.pk)


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


# --- alert preferences, notifications, unsubscribe -------------------------------------------


def alert_preference_set(*, organization: Organization, user: User, frequency: str) -> None:
    """Records how often `user` hears of this organization's changes; only what the plan
    allows may be chosen."""
    entitlements = entitlements_for_organization(organization)
    if frequency not in entitlements.alert_frequencies:
        allowed = ", ".join(entitlements.alert_frequencies)
        raise ApplicationError(
            f"Your {entitlements.plan_name} plan offers these alert frequencies: {allowed}.",
            extra={"upgrade_url": upgrade_url()} if frequency in AlertFrequency.values else {},
        )
    membership = Membership.objects.filter(organization=organization, user=user).first()
    if membership is None:
        raise ApplicationError("You are not a member of this organization.")
    AlertPreference.objects.update_or_create(
        membership=membership,
        defaults={"organization": organization, "frequency": frequency},
    )


def alert_schedule_set(
    *, organization: Organization, actor: User, timezone: str, weekday: int, hour: int
) -> AlertSchedule:
    """When the organization's digests go out; owners and admins only."""
    if not Membership.objects.filter(
        organization=organization, user=actor, role__in=MANAGER_ROLES
    ).exists():
        raise ApplicationError("Only the organization's owners and admins can change this.")
    schedule = AlertSchedule.objects.filter(organization=organization).first() or AlertSchedule(
        organization=organization
    )
    schedule.timezone, schedule.digest_weekday, schedule.digest_hour = timezone, weekday, hour
    try:
        schedule.full_clean()
    except ValidationError as error:
        raise ApplicationError(" ".join(error.messages)) from error
    schedule.save()
    return schedule


def notifications_mark_read(
    *, organization: Organization, user: User, notification_id: int | None = None
) -> int:
    """Marks one notification (or, without an id, all of them) read; returns how many."""
    own = Notification.objects.filter(organization=organization, recipient=user)
    if notification_id is not None:
        own = own.filter(pk=notification_id)
        if not own.exists():
            raise ApplicationError("That notification does not exist.")
    marked = own.unread().update(read_at=timezone.now())
    viewer_cache_invalidate(user_ids=[user.pk])
    return marked


def alerts_unsubscribe(*, token: str) -> Organization:
    """Switches off the alerts and digests of the member a signed link was made for. Raises
    ApplicationError for a forged or expired link, or a member who has left."""
    organization_id, user_id = unsubscribe_token_read(token)
    with scope(organization=organization_id):
        return _alerts_switch_off(organization_id=organization_id, user_id=user_id)


def _alerts_switch_off(*, organization_id: int, user_id: int) -> Organization:
    membership = (
        Membership.objects.select_related("organization")
        .filter(organization_id=organization_id, user_id=user_id)
        .first()
    )
    if membership is None:
        raise ApplicationError(
            "You are no longer a member of this organization, so it sends you nothing."
        )
    AlertPreference.objects.update_or_create(
        membership=membership,
        defaults={"organization_id": organization_id, "frequency": AlertFrequency.OFF},
    )
    logger.info("User %s unsubscribed from the alerts of organization %s", user_id, organization_id)
    return membership.organization
