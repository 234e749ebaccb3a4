"""Keeps members' cached account data (apps.core.viewer_cache) true to their organization's
subscription, whoever writes it (webhooks, the nightly reconciliation, the admin). Plan edits
reach it through the plans' token (apps.core.page_tokens.PLANS)."""

from django.db.models.signals import post_delete, post_save

from apps.accounts.services import organization_viewers_invalidate
from apps.billing.models import Subscription


def _subscription_written(sender, instance, **kwargs) -> None:
    organization_viewers_invalidate(organization_id=instance.organization_id)


post_save.connect(
    _subscription_written, sender=Subscription, dispatch_uid="billing.viewer.subscription"
)
post_delete.connect(
    _subscription_written, sender=Subscription, dispatch_uid="billing.viewer.subscription.delete"
)
