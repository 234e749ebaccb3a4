from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from apps.accounts.tenancy import CrossOrganizationAdminMixin
from apps.billing.entitlements import PLAN_FEATURES
from apps.billing.models import Plan, Subscription


@admin.register(Plan)
class PlanAdmin(SimpleHistoryAdmin):
    list_display = [
        "name",
        "code",
        "monthly_price",
        "trial_days",
        "max_tracked_platforms",
        "same_day_alerts",
        "regulatory_citations",
        "full_memo",
        "is_public",
    ]
    list_editable = ["monthly_price", "max_tracked_platforms", "is_public"]
    fieldsets = (
        (None, {"fields": ("code", "name", "description", "position", "is_public")}),
        ("Price", {"fields": ("monthly_price", "trial_days")}),
        (
            "Limits",
            {
                "fields": (
                    "max_tracked_platforms",
                    "max_tracked_provisions",
                    "api_requests_per_minute",
                    "api_requests_per_day",
                )
            },
        ),
        ("Features", {"fields": tuple(feature.code for feature in PLAN_FEATURES)}),
    )


@admin.register(Subscription)
class SubscriptionAdmin(CrossOrganizationAdminMixin, SimpleHistoryAdmin):
    list_display = ["organization", "plan", "granted_by", "updated_at"]
    list_filter = ["plan"]
    search_fields = ["organization__name", "organization__slug"]
    list_select_related = ["organization", "plan", "granted_by"]
    autocomplete_fields = ["organization"]
    fields = ["organization", "plan", "note", "granted_by"]
    readonly_fields = ["granted_by"]

    def save_model(self, request, obj, form, change):
        obj.granted_by = request.user
        super().save_model(request, obj, form, change)
