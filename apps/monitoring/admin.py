from django.contrib import admin

from apps.accounts.tenancy import CrossOrganizationAdminMixin
from apps.core.admin import LargeTableAdminMixin
from apps.monitoring.models import (
    AlertPreference,
    AlertSchedule,
    Delivery,
    Digest,
    WatchedPlatform,
    WatchedProvision,
)


@admin.register(WatchedPlatform)
class WatchedPlatformAdmin(LargeTableAdminMixin, CrossOrganizationAdminMixin, admin.ModelAdmin):
    list_display = ["organization", "platform", "added_by", "created_at"]
    # Newest first along the primary key: the model's order (platform name) sorted every
    # organization's watchlist for each page.
    ordering = ["-pk"]
    search_fields = ["organization__name", "platform__name"]
    list_select_related = ["organization", "platform", "added_by"]
    autocomplete_fields = ["organization"]
    raw_id_fields = ["platform", "added_by"]


@admin.register(WatchedProvision)
class WatchedProvisionAdmin(LargeTableAdminMixin, CrossOrganizationAdminMixin, admin.ModelAdmin):
    list_display = ["organization", "provision", "added_by", "created_at"]
    ordering = ["-pk"]
    search_fields = ["organization__name", "provision__title"]
    list_select_related = ["organization", "provision", "added_by"]
    autocomplete_fields = ["organization"]
    raw_id_fields = ["provision", "added_by"]


@admin.register(AlertPreference)
class AlertPreferenceAdmin(CrossOrganizationAdminMixin, admin.ModelAdmin):
    list_display = ["membership", "frequency", "updated_at"]
    list_filter = ["frequency"]
    search_fields = ["organization__name", "membership__user__email"]
    list_select_related = ["membership__organization", "membership__user"]
    raw_id_fields = ["organization", "membership"]


@admin.register(AlertSchedule)
class AlertScheduleAdmin(CrossOrganizationAdminMixin, admin.ModelAdmin):
    list_display = ["organization", "timezone", "digest_weekday", "digest_hour"]
    search_fields = ["organization__name", "timezone"]
    list_select_related = ["organization"]
    raw_id_fields = ["organization"]


class _OutboundAdmin(CrossOrganizationAdminMixin, admin.ModelAdmin):
    """Deliveries and digests are written by the fan-out and the dispatcher; the admin shows
    what was sent, skipped or failed (with the error) and changes nothing."""

    list_filter = ["status"]
    search_fields = ["organization__name", "recipient__email"]
    list_select_related = ["organization", "recipient"]
    raw_id_fields = ["organization", "recipient"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(_OutboundAdmin):
    list_display = ["change_event", "recipient", "organization", "channel", "status", "attempts"]
    list_filter = ["status", "channel"]
    raw_id_fields = ["organization", "recipient", "change_event"]


@admin.register(Digest)
class DigestAdmin(_OutboundAdmin):
    list_display = ["recipient", "organization", "frequency", "period_end", "status", "attempts"]
    list_filter = ["status", "frequency"]
