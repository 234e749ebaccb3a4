"""The base of every view under /orgs/<org_slug>/: it resolves the organization through the
signed-in user's memberships before any handler runs, so another organization's slug (or an
object id belonging to one) is a 404, never a 403 that would confirm it exists. It then runs the
handler inside that organization's scope: the organizations' private data (models with a
django-scopes `ScopedManager`) can only be read within a scope, and a query that forgets the
organization raises ScopeError instead of reading every tenant's rows.

The admin is the one place that works across organizations on purpose; its ModelAdmins for
private data use CrossOrganizationAdminMixin."""

from functools import wraps
from typing import ClassVar

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db.models import Model
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import SimpleTemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django_scopes import scope, scopes_disabled

from apps.accounts.models import MANAGER_ROLES, Organization
from apps.accounts.selectors import organization_list_for_user
from apps.core.exceptions import ApplicationError

# Methods whose first definition in a subclass's MRO must be OrganizationView's own: overriding
# them could run code before, or instead of, the organization check.
_GUARDED_METHODS = ("dispatch", "resolve_organization", "get_owned_or_404")


class OrganizationView(View):
    """Subclasses implement get()/post() and find `self.organization` and `self.viewer_role`
    ready. Actions that break a domain rule raise ApplicationError; it becomes an error message
    and a redirect to `return_url()`, so bad input never changes anything or 500s."""

    organization: Organization
    viewer_role: str
    # POST-only actions leave out "get"; pages add it.
    http_method_names: ClassVar[list[str]] = ["post"]
    return_url_name: ClassVar[str] = "monitoring:dashboard"

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for name in _GUARDED_METHODS:
            owner = next(klass for klass in cls.__mro__ if name in klass.__dict__)
            if owner is not OrganizationView:
                raise TypeError(
                    f"{cls.__qualname__} may not override {name}(): it is where "
                    "OrganizationView checks the organization."
                )

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        self.organization = self.resolve_organization(request, kwargs["org_slug"])
        self.viewer_role = self.organization.viewer_role
        try:
            with scope(organization=self.organization):
                return super().dispatch(request, *args, **kwargs)
        except ApplicationError as error:
            upgrade_url = error.extra.get("upgrade_url")
            if upgrade_url:
                messages.error(
                    request,
                    format_html('{} <a href="{}">Compare plans</a>', error.message, upgrade_url),
                )
            else:
                messages.error(request, error.message)
            return HttpResponseRedirect(self.return_url())

    def resolve_organization(self, request, org_slug: str) -> Organization:
        return get_object_or_404(Organization.objects.for_user(request.user), slug=org_slug)

    def get_owned_or_404(self, model: type[Model], pk: int):
        """A row of this organization's private data; another organization's id is a 404."""
        return get_object_or_404(model, organization=self.organization, pk=pk)

    @property
    def is_manager(self) -> bool:
        return self.viewer_role in MANAGER_ROLES

    def page_context(self, **extra) -> dict:
        """What every organization page's header needs, plus the page's own `extra`."""
        return {
            "organization": self.organization,
            "viewer_role": self.viewer_role,
            "is_manager": self.is_manager,
            "organizations": organization_list_for_user(user=self.request.user),
            **extra,
        }

    def safe_next_url(self) -> str | None:
        """The page a form came from (`next`), if it is on this site."""
        candidate = self.request.POST.get("next") or self.request.GET.get("next")
        if candidate and url_has_allowed_host_and_scheme(
            candidate,
            allowed_hosts={self.request.get_host()},
            require_https=self.request.is_secure(),
        ):
            return candidate
        return None

    def return_url(self) -> str:
        """Where an action sends the browser back to, whether it succeeded or not."""
        return self.safe_next_url() or reverse(
            self.return_url_name, kwargs={"org_slug": self.organization.slug}
        )


def _without_organization_scope(view):
    @wraps(view)
    def unscoped_view(request, *args, **kwargs):
        with scopes_disabled():
            response = view(request, *args, **kwargs)
            # A TemplateResponse renders after the view returns; its template reads rows too.
            if isinstance(response, SimpleTemplateResponse):
                response.render()
        return response

    return unscoped_view


class CrossOrganizationAdminMixin:
    """For the ModelAdmins of organizations' private data (and those showing it inline). Staff
    look after every organization, so each page of such an admin runs with the organization
    scope deliberately disabled, including the checks its forms make (uniqueness, constraints)."""

    def get_urls(self):
        urls = super().get_urls()
        for pattern in urls:
            pattern.callback = _without_organization_scope(pattern.callback)
        return urls
