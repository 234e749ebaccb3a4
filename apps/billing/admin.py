from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from apps.accounts.tenancy import CrossOrganizationAdminMixin
from apps.billing.entitlements import PLAN_FEATURES
from apps.billing.models import Plan, StripeEvent, Subscription, UpgradeRequest
from apps.billing.services import subscription_grant


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
        ("Price", {"fields": ("monthly_price", "yearly_price", "trial_days", "grace_period_days")}),
        (
            "Limits",
            {
                "fields": (
                    "max_tracked_platforms",
                    "max_tracked_provisions",
                    "api_requests_per_hour",
                )
            },
        ),
        ("Features", {"fields": tuple(feature.code for feature in PLAN_FEATURES)}),
    )


@admin.register(Subscription)
class SubscriptionAdmin(CrossOrganizationAdminMixin, SimpleHistoryAdmin):
    list_display = ["organization", "plan", "status", "current_period_end", "updated_at"]
    list_filter = ["plan", "status"]
    search_fields = ["organization__name", "organization__slug", "stripe_customer_id"]
    list_select_related = ["organization", "plan", "granted_by"]
    autocomplete_fields = ["organization"]
    fields = [
        "organization",
        "plan",
        "note",
        "granted_by",
        "status",
        "stripe_customer_id",
        "stripe_subscription_id",
        "current_period_end",
        "trial_end",
        "grace_until",
        "trial_used_at",
    ]
    # Stripe's side is written by the webhook and the reconciliation only.
    readonly_fields = [
        "granted_by",
        "status",
        "stripe_customer_id",
        "stripe_subscription_id",
        "current_period_end",
        "trial_end",
        "grace_until",
        "trial_used_at",
    ]

    def save_model(self, request, obj, form, change):
        """Through the service, so a granted plan pauses or resumes watchlist items too."""
        subscription_grant(
            organization=obj.organization, plan=obj.plan, granted_by=request.user, note=obj.note
        )
        obj.pk = Subscription.objects.get(organization=obj.organization).pk


@admin.register(UpgradeRequest)
class UpgradeRequestAdmin(CrossOrganizationAdminMixin, admin.ModelAdmin):
    """Requests for a paid plan made while online payment is not configured. Granting the plan
    under Subscriptions marks the organization's request handled."""

    list_display = ["organization", "plan", "requested_by", "created_at", "handled_at"]
    list_filter = ["plan", ("handled_at", admin.EmptyFieldListFilter)]
    list_select_related = ["organization", "plan", "requested_by"]
    readonly_fields = ["organization", "plan", "requested_by", "message", "created_at"]
    fields = [*readonly_fields, "handled_at"]
    actions = ["grant_requested_plan"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Grant the requested plan")
    def grant_requested_plan(self, request, queryset):
        for upgrade_request in queryset.select_related("organization", "plan"):
            subscription_grant(
                organization=upgrade_request.organization,
                plan=upgrade_request.plan,
                granted_by=request.user,
                note=f"Requested by {upgrade_request.requested_by}",
            )
        self.message_user(request, f"Granted {queryset.count()} request(s).")


@admin.register(StripeEvent)
class StripeEventAdmin(admin.ModelAdmin):
    """The webhook events applied, with what each did; read-only."""

    list_display = ["event_id", "type", "outcome", "created_at"]
    list_filter = ["type"]
    search_fields = ["event_id", "outcome"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
