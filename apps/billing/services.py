"""Writes for plans granted to organizations. Payments (Stripe) will call the same service."""

from django.db import transaction

from apps.accounts.models import Organization, User
from apps.billing.models import Plan, Subscription


def subscription_grant(
    *, organization: Organization, plan: Plan, granted_by: User | None = None, note: str = ""
) -> Subscription:
    """Puts `organization` on `plan`, replacing whatever plan it had."""
    with transaction.atomic():
        subscription = (
            Subscription.objects.select_for_update().filter(organization=organization).first()
        ) or Subscription(organization=organization)
        subscription.plan = plan
        subscription.granted_by = granted_by
        subscription.note = note
        subscription.full_clean()
        subscription.save()
    return subscription
