"""Pages and actions for organizations: members, roles, invitations, settings, switching."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from apps.accounts import services
from apps.accounts.models import Invitation, Membership, Role
from apps.accounts.selectors import (
    invitation_list_pending,
    membership_list,
    organization_current,
)
from apps.accounts.tenancy import OrganizationView
from apps.core.exceptions import ApplicationError


@login_required
def home(request):
    """Where sign-in lands: the dashboard of the organization the user acts for."""
    organization = organization_current(request)
    if organization is None:
        return redirect("accounts:organization_create")
    return redirect(organization.get_absolute_url())


@login_required
def organization_create(request):
    if request.method == "POST":
        try:
            organization = services.organization_create(
                name=request.POST.get("name", ""), owner=request.user
            )
        except ApplicationError as error:
            return render(
                request,
                "orgs/organization_create.html",
                {"error": error.message, "name": request.POST.get("name", "")},
                status=400,
            )
        services.organization_switch(
            session=request.session, user=request.user, organization_slug=organization.slug
        )
        messages.success(request, f"{organization.name} is ready. Invite your team from Members.")
        return redirect(organization.get_absolute_url())
    return render(request, "orgs/organization_create.html", {"name": ""})


@login_required
@require_POST
def organization_switch(request):
    try:
        organization = services.organization_switch(
            session=request.session,
            user=request.user,
            organization_slug=request.POST.get("organization", ""),
        )
    except ApplicationError as error:
        # Indistinguishable from an organization that does not exist.
        raise Http404(error.message) from error
    messages.success(request, f"You are now acting for {organization.name}.")
    return redirect(organization.get_absolute_url())


def invitation_accept(request, token: str):
    """The page an invitation email links to. Anyone holding the link may see whom it invites
    to what; only the signed-in owner of the invited address can accept it."""
    try:
        invitation = services.invitation_for_token(token=token)
    except ApplicationError as error:
        return render(request, "orgs/invitation_accept.html", {"error": error.message}, status=400)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?next={request.path}")
        try:
            membership = services.invitation_accept(token=token, user=request.user)
        except ApplicationError as error:
            return render(
                request,
                "orgs/invitation_accept.html",
                {"invitation": invitation, "error": error.message},
                status=400,
            )
        organization = membership.organization
        services.organization_switch(
            session=request.session, user=request.user, organization_slug=organization.slug
        )
        messages.success(request, f"Welcome to {organization.name}.")
        return redirect(organization.get_absolute_url())
    return render(request, "orgs/invitation_accept.html", {"invitation": invitation})


class MemberListView(OrganizationView):
    http_method_names = ["get"]

    def get(self, request, org_slug):
        return render(
            request,
            "orgs/members.html",
            self.page_context(
                memberships=membership_list(organization=self.organization),
                invitations=invitation_list_pending(organization=self.organization)
                if self.is_manager
                else [],
                roles=Role.choices,
            ),
        )


class MemberRoleChangeView(OrganizationView):
    return_url_name = "accounts:member_list"

    def post(self, request, org_slug, membership_id):
        membership = self.get_owned_or_404(Membership, membership_id)
        services.membership_change_role(
            organization=self.organization,
            actor=request.user,
            membership_id=membership.pk,
            role=request.POST.get("role", ""),
        )
        messages.success(request, f"{membership.user.email}'s role was changed.")
        return HttpResponseRedirect(self.return_url())


class MemberRemoveView(OrganizationView):
    return_url_name = "accounts:member_list"

    def post(self, request, org_slug, membership_id):
        membership = self.get_owned_or_404(Membership, membership_id)
        services.membership_remove(
            organization=self.organization, actor=request.user, membership_id=membership.pk
        )
        messages.success(request, f"{membership.user.email} was removed.")
        return HttpResponseRedirect(self.return_url())


class OrganizationLeaveView(OrganizationView):
    return_url_name = "accounts:member_list"

    def post(self, request, org_slug):
        services.organization_leave(organization=self.organization, user=request.user)
        messages.success(request, f"You left {self.organization.name}.")
        return redirect("accounts:home")


class InvitationCreateView(OrganizationView):
    return_url_name = "accounts:member_list"

    def post(self, request, org_slug):
        invitation, _token = services.invitation_create(
            organization=self.organization,
            actor=request.user,
            email=request.POST.get("email", ""),
            role=request.POST.get("role", Role.MEMBER),
        )
        messages.success(request, f"Invitation sent to {invitation.email}.")
        return HttpResponseRedirect(self.return_url())


class InvitationRevokeView(OrganizationView):
    return_url_name = "accounts:member_list"

    def post(self, request, org_slug, invitation_id):
        invitation = self.get_owned_or_404(Invitation, invitation_id)
        services.invitation_revoke(
            organization=self.organization, actor=request.user, invitation_id=invitation.pk
        )
        messages.success(request, f"The invitation to {invitation.email} was withdrawn.")
        return HttpResponseRedirect(self.return_url())


class OrganizationSettingsView(OrganizationView):
    http_method_names = ["get", "post"]
    return_url_name = "accounts:organization_settings"

    def get(self, request, org_slug):
        return render(request, "orgs/settings.html", self.page_context())

    def post(self, request, org_slug):
        services.organization_update(
            organization=self.organization, actor=request.user, name=request.POST.get("name", "")
        )
        messages.success(request, "Settings saved.")
        return HttpResponseRedirect(self.return_url())
