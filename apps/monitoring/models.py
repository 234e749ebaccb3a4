from django.db import models
from django_scopes import ScopedManager

from apps.core.models import OrgOwnedModel


class WatchedPlatform(OrgOwnedModel):
    """A platform an organization tracks: its document changes reach the organization."""

    platform = models.ForeignKey(
        "platforms.Platform", on_delete=models.CASCADE, related_name="watchers"
    )
    added_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ScopedManager(organization="organization")

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

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["provision__title"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "provision"], name="watched_provision_unique"
            ),
        ]

    def __str__(self):
        return f"{self.organization} watches {self.provision}"
