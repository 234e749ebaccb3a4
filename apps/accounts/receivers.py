"""Keeps members' cached account data (apps.core.viewer_cache) true to the rows it is built
from, whoever writes them (the services, the admin, a cascade)."""

from django.db.models.signals import post_delete, post_save

from apps.accounts.models import Membership, Organization, User
from apps.accounts.services import organization_viewers_invalidate
from apps.core.viewer_cache import viewer_cache_invalidate


def _membership_written(sender, instance, **kwargs) -> None:
    """A member joined, left or changed role: which organizations they act for, and what
    they may do there."""
    viewer_cache_invalidate(user_ids=[instance.user_id])


def _user_written(sender, instance, **kwargs) -> None:
    """The user as requests load it (apps/accounts/middleware.py): a new password or a
    deactivation signs their other sessions out at once."""
    viewer_cache_invalidate(user_ids=[instance.pk])


def _organization_written(sender, instance, created=False, **kwargs) -> None:
    # A new organization has no members yet; a deleted one's memberships go with it.
    if not created:
        organization_viewers_invalidate(organization_id=instance.pk)


post_save.connect(_membership_written, sender=Membership, dispatch_uid="accounts.viewer.membership")
post_delete.connect(
    _membership_written, sender=Membership, dispatch_uid="accounts.viewer.membership.delete"
)
post_save.connect(
    _organization_written, sender=Organization, dispatch_uid="accounts.viewer.organization"
)
post_save.connect(_user_written, sender=User, dispatch_uid="accounts.viewer.user")
post_delete.connect(_user_written, sender=User, dispatch_uid="accounts.viewer.user.delete")
