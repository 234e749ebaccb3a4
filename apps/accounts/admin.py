from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from apps.accounts.models import Invitation, Membership, Organization, User
from apps.accounts.tenancy import CrossOrganizationAdminMixin
from apps.core.admin import LargeTableAdminMixin


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "is_staff", "is_active", "date_joined", "last_login"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Personal info", {"fields": ("first_name", "last_name")}),
        (
            "Permissions",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organization)
class OrganizationAdmin(LargeTableAdminMixin, CrossOrganizationAdminMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "is_personal", "created_at"]
    # Newest first along the primary key, not sorted by name: 100,000 organizations and more.
    ordering = ["-pk"]
    list_filter = ["is_personal"]
    search_fields = ["name", "slug", "memberships__user__email"]
    inlines = [MembershipInline]


@admin.register(Invitation)
class InvitationAdmin(CrossOrganizationAdminMixin, admin.ModelAdmin):
    list_display = ["email", "organization", "role", "created_at", "expires_at", "accepted_at"]
    list_filter = ["role"]
    search_fields = ["email", "organization__name"]
    list_select_related = ["organization"]
    # Invitations are created by members through the site so that the link is emailed; here
    # they can only be inspected (and revoked by setting revoked_at).
    readonly_fields = [
        "organization",
        "email",
        "role",
        "invited_by",
        "expires_at",
        "accepted_at",
        "accepted_by",
    ]

    def has_add_permission(self, request):
        return False
