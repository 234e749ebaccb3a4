"""The organization dashboard and the watchlist actions behind "Start monitoring"."""

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render

from apps.accounts.tenancy import OrganizationView
from apps.billing.entitlements import entitlements_for_organization, upgrade_url
from apps.core.exceptions import ApplicationError
from apps.monitoring import services
from apps.monitoring.forms import WatchedPlatformAddForm
from apps.monitoring.models import WatchedPlatform, WatchedProvision
from apps.monitoring.selectors import watched_platform_rows, watched_provisions, watchlist_usage


class DashboardView(OrganizationView):
    http_method_names = ["get"]

    def get(self, request, org_slug):
        rows = watched_platform_rows(organization=self.organization)
        provisions = list(watched_provisions(organization=self.organization))
        paused = [row.watched for row in rows if row.watched.paused_at] + [
            watched for watched in provisions if watched.paused_at
        ]
        return render(
            request,
            "monitoring/dashboard.html",
            self.page_context(
                rows=rows,
                watched_provisions=provisions,
                entitlements=entitlements_for_organization(self.organization),
                usage=watchlist_usage(organization=self.organization),
                paused_count=len(paused),
                upgrade_url=upgrade_url(),
            ),
        )


class WatchedPlatformAddView(OrganizationView):
    def post(self, request, org_slug):
        form = WatchedPlatformAddForm(request.POST)
        if not form.is_valid():
            raise ApplicationError(form.errors["platform"][0])
        watched = services.watchlist_add_platform(
            organization=self.organization,
            platform_ref=form.cleaned_data["platform"],
            added_by=request.user,
        )
        messages.success(request, f"Monitoring {watched.platform} for {self.organization.name}.")
        return HttpResponseRedirect(self.return_url())


class WatchedPlatformRemoveView(OrganizationView):
    def post(self, request, org_slug, watched_id):
        watched = self.get_owned_or_404(WatchedPlatform, watched_id)
        services.watchlist_remove_platform(
            organization=self.organization, watched_platform_id=watched.pk
        )
        messages.success(request, f"Stopped monitoring {watched.platform}.")
        return HttpResponseRedirect(self.return_url())


class WatchedProvisionAddView(OrganizationView):
    def post(self, request, org_slug):
        try:
            provision_id = int(request.POST.get("provision", ""))
        except ValueError:
            provision_id = 0
        watched = services.watchlist_add_provision(
            organization=self.organization, provision_id=provision_id, added_by=request.user
        )
        messages.success(request, f"Monitoring “{watched.provision}” for {self.organization.name}.")
        return HttpResponseRedirect(self.return_url())


class WatchedProvisionRemoveView(OrganizationView):
    def post(self, request, org_slug, watched_id):
        watched = self.get_owned_or_404(WatchedProvision, watched_id)
        services.watchlist_remove_provision(
            organization=self.organization, watched_provision_id=watched.pk
        )
        messages.success(request, f"Stopped monitoring “{watched.provision}”.")
        return HttpResponseRedirect(self.return_url())


class WatchedItemPauseView(OrganizationView):
    """Pause or resume one tracked item: how owners choose which items to keep within a plan."""

    resume: bool = False

    def post(self, request, org_slug, kind, watched_id):
        if kind not in services.WATCH_KINDS:
            raise Http404
        watched = self.get_owned_or_404(services.WATCH_KINDS[kind], watched_id)
        if self.resume:
            services.watchlist_item_resume(
                organization=self.organization, kind=kind, watched_id=watched.pk
            )
            messages.success(request, "Monitoring resumed.")
        else:
            services.watchlist_item_pause(
                organization=self.organization, kind=kind, watched_id=watched.pk
            )
            messages.success(request, "Paused: it stays on your watchlist but is not monitored.")
        return HttpResponseRedirect(self.return_url())
