"""Pages of the API app: an organization's API keys (created, shown once, listed, revoked) and
the public open-data page with the latest export."""

from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import render

from apps.accounts.models import ApiKey, ApiKeyScope
from apps.accounts.selectors import api_key_list
from apps.accounts.services import api_key_revoke
from apps.accounts.tenancy import OrganizationView
from apps.api.dataset import dataset_get, dataset_latest
from apps.api.services import api_key_issue
from apps.billing.entitlements import entitlements_for_organization, upgrade_url


class ApiKeyListView(OrganizationView):
    http_method_names = ["get", "post"]
    return_url_name = "api_keys:list"

    def get(self, request, org_slug):
        return self._page(request)

    def post(self, request, org_slug):
        api_key, secret = api_key_issue(
            organization=self.organization,
            actor=request.user,
            name=request.POST.get("name", ""),
            scope=request.POST.get("scope", ApiKeyScope.READ),
        )
        messages.success(request, f"Key “{api_key.name}” created. Copy it now: it is shown once.")
        # Rendered, not redirected: the secret must never sit in a URL, a session or a log.
        return self._page(request, new_secret=secret, status=201)

    def _page(self, request, *, new_secret: str | None = None, status: int = 200):
        entitlements = entitlements_for_organization(self.organization)
        return render(
            request,
            "orgs/api_keys.html",
            self.page_context(
                api_keys=api_key_list(organization=self.organization),
                scopes=ApiKeyScope.choices,
                new_secret=new_secret,
                entitlements=entitlements,
                api_access=entitlements.has("api_access"),
                upgrade_url=upgrade_url(),
            ),
            status=status,
        )


class ApiKeyRevokeView(OrganizationView):
    return_url_name = "api_keys:list"

    def post(self, request, org_slug, api_key_id):
        api_key = self.get_owned_or_404(ApiKey, api_key_id)
        api_key_revoke(organization=self.organization, actor=request.user, api_key_id=api_key.pk)
        messages.success(request, f"Key “{api_key.name}” revoked: it no longer works.")
        return HttpResponseRedirect(self.return_url())


def open_data(request):
    """The public page offering the latest open-data archive and pointing at the API."""
    return render(request, "api/open_data.html", {"archive": dataset_latest()})


def dataset_download(request, name):
    archive = dataset_get(name=name)
    if archive is None:
        raise Http404("No such archive.")
    response = FileResponse(
        default_storage.open(archive.storage_name),
        as_attachment=True,
        filename=archive.name,
        content_type="application/zip",
    )
    response["Digest"] = f"sha-256={archive.sha256}"
    return response
