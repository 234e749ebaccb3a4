"""The monitoring app's reactions to what lower apps announce: a recorded change queues the
alert fan-out task (the pipeline never waits on, or imports, alerts), and a plan change fits
the watchlist to the new plan (billing announces plan changes and never imports us). And the
members' cached account data (apps.core.viewer_cache) follows their organization's watchlist,
whoever writes it."""

import logging

from django.db.models.signals import post_delete, post_save, pre_delete
from django.dispatch import receiver
from django_scopes import scope, scopes_disabled

from apps.accounts.services import organization_viewers_invalidate
from apps.billing.signals import plan_changed
from apps.core.viewer_cache import viewer_cache_invalidate
from apps.documents.models import ChangeEvent
from apps.documents.signals import change_event_recorded
from apps.monitoring.models import Notification, WatchedPlatform, WatchedProvision
from apps.monitoring.services import watchlist_fit_to_plan
from apps.monitoring.tasks import change_event_alerts

logger = logging.getLogger(__name__)


@receiver(change_event_recorded, dispatch_uid="monitoring.change_event_alerts")
def queue_change_event_alerts(sender, *, change_event_id: int, **kwargs) -> None:
    change_event_alerts.delay(change_event_id)


@receiver(plan_changed, dispatch_uid="monitoring-fit-watchlist-to-plan")
def fit_watchlist_to_new_plan(sender, *, organization, plan, **kwargs):
    with scope(organization=organization):
        paused = watchlist_fit_to_plan(organization=organization)
    if paused:
        logger.info("%s moved to %s: paused %s", organization, plan, ", ".join(paused))


def _watchlist_written(sender, instance, **kwargs) -> None:
    """What the organization tracks, as its members' monitor buttons show it."""
    organization_viewers_invalidate(organization_id=instance.organization_id)


for _model in (WatchedPlatform, WatchedProvision):
    post_save.connect(
        _watchlist_written, sender=_model, dispatch_uid=f"monitoring.viewer.{_model.__name__}"
    )
    post_delete.connect(
        _watchlist_written,
        sender=_model,
        dispatch_uid=f"monitoring.viewer.{_model.__name__}.delete",
    )


def _change_event_deleting(sender, instance, **kwargs) -> None:
    """Its notifications go with it: the unread counts of those who have them unread."""
    with scopes_disabled():
        recipients = list(
            Notification.objects.filter(change_event=instance)
            .unread()
            .values_list("recipient_id", flat=True)
        )
    viewer_cache_invalidate(user_ids=recipients)


pre_delete.connect(
    _change_event_deleting, sender=ChangeEvent, dispatch_uid="monitoring.viewer.change_event"
)
