"""Celery tasks of billing: thin wrappers around one service each."""

from celery import shared_task

from apps.billing.services import subscriptions_reconcile


@shared_task
def reconcile_subscriptions() -> int:
    """Nightly (CELERY_BEAT_SCHEDULE): repairs any drift between Stripe and our plans."""
    return len(subscriptions_reconcile())
