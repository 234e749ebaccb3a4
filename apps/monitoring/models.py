from django.db import models
from django_scopes import ScopedManager

from apps.core.models import OrgOwnedModel


class WatchQuerySet(models.QuerySet):
    def monitored(self):
        """Items whose changes reach the organization: paused ones (over a smaller plan's
        limit) are kept but not monitored."""
        return self.filter(paused_at__isnull=True)

    def paused(self):
        return self.filter(paused_at__isnull=False)


# Fails closed outside an organization's scope, like every manager of private data.
WatchManager = models.Manager.from_queryset(WatchQuerySet)


class WatchedPlatform(OrgOwnedModel):
    """A platform an organization tracks: its document changes reach the organization."""

    platform = models.ForeignKey(
        "platforms.Platform", on_delete=models.CASCADE, related_name="watchers"
    )
    added_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    paused_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(organization="organization", _manager_class=WatchManager)

    class Meta:
        ordering = ["platform__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "platform"], name="watched_platform_unique"
            ),
        ]

    def __str__(self):
        return f"{self.organization} watches {self.platform}"


class WatchedProvision(OrgOwnedModel):
    """One clause an organization tracks on its own (provision-level monitoring)."""

    provision = models.ForeignKey(
        "provisions.Provision", on_delete=models.CASCADE, related_name="watchers"
    )
    added_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    paused_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(organization="organization", _manager_class=WatchManager)

    class Meta:
        ordering = ["provision__title"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "provision"], name="watched_provision_unique"
            ),
        ]

    def __str__(self):
        return f"{self.organization} watches {self.provision}"
