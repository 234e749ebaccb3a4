from django.urls import path

from apps.accounts import views

app_name = "accounts"

# The fixed segments ("new", "switch", "invitations") are listed in
# RESERVED_ORGANIZATION_SLUGS so that no organization's slug can shadow them.
urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.organization_create, name="organization_create"),
    path("switch/", views.organization_switch, name="organization_switch"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("<slug:org_slug>/members/", views.MemberListView.as_view(), name="member_list"),
    path(
        "<slug:org_slug>/members/<int:membership_id>/role/",
        views.MemberRoleChangeView.as_view(),
        name="member_role_change",
    ),
    path(
        "<slug:org_slug>/members/<int:membership_id>/remove/",
        views.MemberRemoveView.as_view(),
        name="member_remove",
    ),
    path(
        "<slug:org_slug>/leave/", views.OrganizationLeaveView.as_view(), name="organization_leave"
    ),
    path(
        "<slug:org_slug>/invitations/",
        views.InvitationCreateView.as_view(),
        name="invitation_create",
    ),
    path(
        "<slug:org_slug>/invitations/<int:invitation_id>/revoke/",
        views.InvitationRevokeView.as_view(),
        name="invitation_revoke",
    ),
    path(
        "<slug:org_slug>/settings/",
        views.OrganizationSettingsView.as_view(),
        name="organization_settings",
    ),
]
