"""The monitoring app's reactions to what lower apps announce: a recorded change queues the
alert fan-out task (the pipeline never waits on, or imports, alerts), and a plan change fits
the watchlist to the new plan (billing announces plan changes and never imports us)."""

import logging

from django.dispatch import receiver
from django_scopes import scope

from apps.billing.signals import plan_changed
from apps.documents.signals import change_event_recorded
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
