"""Monitoring's reactions to billing: billing announces plan changes and never imports us."""

import logging

from django.dispatch import receiver
from django_scopes import scope

from apps.billing.signals import plan_changed
from apps.monitoring.services import watchlist_fit_to_plan

logger = logging.getLogger(__name__)


@receiver(plan_changed, dispatch_uid="monitoring-fit-watchlist-to-plan")
def fit_watchlist_to_new_plan(sender, *, organization, plan, **kwargs):
    with scope(organization=organization):
        paused = watchlist_fit_to_plan(organization=organization)
    if paused:
        logger.info("%s moved to %s: paused %s", organization, plan, ", ".join(paused))
