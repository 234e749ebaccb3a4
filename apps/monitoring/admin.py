from django.contrib import admin

from apps.accounts.tenancy import CrossOrganizationAdminMixin
from apps.monitoring.models import WatchedPlatform, WatchedProvision


@admin.register(WatchedPlatform)
class WatchedPlatformAdmin(CrossOrganizationAdminMixin, admin.ModelAdmin):
    list_display = ["organization", "platform", "added_by", "created_at"]
    search_fields = ["organization__name", "platform__name"]
    list_select_related = ["organization", "platform", "added_by"]
    autocomplete_fields = ["organization"]
    raw_id_fields = ["platform", "added_by"]


@admin.register(WatchedProvision)
class WatchedProvisionAdmin(CrossOrganizationAdminMixin, admin.ModelAdmin):
    list_display = ["organization", "provision", "added_by", "created_at"]
    search_fields = ["organization__name", "provision__title"]
    list_select_related = ["organization", "provision", "added_by"]
    autocomplete_fields = ["organization"]
    raw_id_fields = ["provision", "added_by"]
