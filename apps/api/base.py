"""The two kinds of API view. `CatalogAPIView`: the public catalog, open to anyone, a key only
raising what its plan may read. `OrganizationAPIView`: one organization's private data, reached
only with that organization's key; another organization's slug is a 404, whatever the key."""

import hashlib
from contextlib import ExitStack
from typing import ClassVar

from django.utils.cache import get_conditional_response, patch_vary_headers
from django_scopes import scope
from rest_framework import exceptions
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import SAFE_METHODS, AllowAny, BasePermission

from apps.accounts.models import ApiKey, Organization
from apps.api.authentication import ApiKeyAuthentication
from apps.api.throttles import PlanRateThrottle
from apps.billing.entitlements import VISITOR, Entitlements, entitlements_for_organization


class PlanAllowsApi(BasePermission):
    """A key whose organization's plan (no longer) includes API access gets nothing."""

    def has_permission(self, request, view):
        if isinstance(request.auth, ApiKey) and not view.entitlements.has("api_access"):
            raise exceptions.PermissionDenied(
                f"API access is not part of your {view.entitlements.plan_name} plan."
            )
        return True


class HasApiKey(BasePermission):
    def has_permission(self, request, view):
        if not isinstance(request.auth, ApiKey):
            raise exceptions.NotAuthenticated(
                "This endpoint needs an organization's key: `Authorization: Bearer <key>`."
            )
        return True


class CatalogAPIView(GenericAPIView):
    authentication_classes: ClassVar = [ApiKeyAuthentication]
    # AllowAny says (to the schema too) that no key is needed; a key's plan is still checked.
    permission_classes: ClassVar = [AllowAny, PlanAllowsApi]
    throttle_classes: ClassVar = [PlanRateThrottle]

    @property
    def entitlements(self) -> Entitlements:
        """What the caller may read: a visitor's view without a key, else the key's plan."""
        if not hasattr(self, "_entitlements"):
            api_key = self.request.auth
            if isinstance(api_key, ApiKey):
                with scope(organization=api_key.organization):
                    self._entitlements = entitlements_for_organization(api_key.organization)
            else:
                self._entitlements = VISITOR
        return self._entitlements

    def finalize_response(self, request, response, *args, **kwargs):
        """ETag on every successful read, and 304 when the caller already has that body. The
        body differs by plan, so the tag is its hash and caches vary on Authorization."""
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method not in ("GET", "HEAD") or response.status_code != 200:
            return response
        response.render()
        response["ETag"] = f'"{hashlib.sha256(response.content).hexdigest()[:32]}"'
        patch_vary_headers(response, ["Authorization"])
        return get_conditional_response(request, etag=response["ETag"], response=response)


# Methods whose first definition in a subclass's MRO must be OrganizationAPIView's own:
# overriding them could run a handler before, or instead of, the organization check.
_GUARDED_METHODS = ("dispatch", "initial", "resolve_organization", "get_permissions")


class OrganizationAPIView(CatalogAPIView):
    """Subclasses find `self.organization` resolved from the key before any handler runs."""

    permission_classes: ClassVar = [HasApiKey, PlanAllowsApi]
    organization: Organization

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for name in _GUARDED_METHODS:
            owner = next(klass for klass in cls.__mro__ if name in klass.__dict__)
            if owner is not OrganizationAPIView:
                raise TypeError(
                    f"{cls.__qualname__} may not override {name}(): it is where "
                    "OrganizationAPIView checks the organization."
                )

    def get_permissions(self):
        return [HasApiKey(), PlanAllowsApi()]

    def dispatch(self, request, *args, **kwargs):
        # The key names the organization only once authentication has run (in initial); its
        # scope is entered there and left here, after the response is finalised.
        with ExitStack() as self._organization_scope:
            return super().dispatch(request, *args, **kwargs)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.organization = self.resolve_organization(request.auth, kwargs["org_slug"])
        self._organization_scope.enter_context(scope(organization=self.organization))
        if request.method not in SAFE_METHODS and not request.auth.can_write:
            raise exceptions.PermissionDenied(
                "This key is read-only; create a read-write key to change the watchlist."
            )

    def resolve_organization(self, api_key: ApiKey, org_slug: str) -> Organization:
        if api_key.organization.slug != org_slug:
            raise exceptions.NotFound("No organization with this address for this key.")
        return api_key.organization
