"""The organization dashboard, the watchlist actions behind "Start monitoring", the member's
notifications and alert preferences, and the public one-click unsubscribe."""

import calendar

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from apps.accounts.tenancy import OrganizationView
from apps.billing.entitlements import entitlements_for_organization, upgrade_url
from apps.core.exceptions import ApplicationError
from apps.monitoring import services
from apps.monitoring.emails import unsubscribe_token_read
from apps.monitoring.forms import WatchedPlatformAddForm
from apps.monitoring.models import WatchedPlatform, WatchedProvision
from apps.monitoring.selectors import (
    alert_settings,
    notification_list,
    notification_unread_count_for_request,
    watched_platform_rows,
    watched_provisions,
    watchlist_usage,
)

DASHBOARD_NOTIFICATIONS = 5


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
                notifications=notification_list(organization=self.organization, user=request.user)[
                    :DASHBOARD_NOTIFICATIONS
                ],
                unread_count=notification_unread_count_for_request(
                    request, organization=self.organization
                ),
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


NOTIFICATIONS_PER_PAGE = 25


class NotificationListView(OrganizationView):
    http_method_names = ["get"]

    def get(self, request, org_slug):
        page_obj = Paginator(
            notification_list(organization=self.organization, user=request.user),
            NOTIFICATIONS_PER_PAGE,
        ).get_page(request.GET.get("page"))
        return render(
            request,
            "monitoring/notifications.html",
            self.page_context(page_obj=page_obj, notifications=page_obj.object_list),
        )


class NotificationsReadView(OrganizationView):
    """Marks every notification read, or only the one posted as `notification`."""

    return_url_name = "monitoring:notification_list"

    def post(self, request, org_slug):
        raw_id = request.POST.get("notification", "")
        if raw_id and not raw_id.isdigit():
            raise ApplicationError("That notification does not exist.")
        services.notifications_mark_read(
            organization=self.organization,
            user=request.user,
            notification_id=int(raw_id) if raw_id else None,
        )
        return HttpResponseRedirect(self.return_url())


class AlertPreferencesView(OrganizationView):
    http_method_names = ["get", "post"]
    return_url_name = "monitoring:alert_preferences"

    def get(self, request, org_slug):
        return render(
            request,
            "monitoring/alert_preferences.html",
            self.page_context(
                settings=alert_settings(organization=self.organization, user=request.user),
                weekdays=list(enumerate(calendar.day_name)),
                hours=range(24),
            ),
        )

    def post(self, request, org_slug):
        if "timezone" in request.POST:
            services.alert_schedule_set(
                organization=self.organization,
                actor=request.user,
                timezone=request.POST.get("timezone", "").strip(),
                weekday=_small_int(request.POST.get("weekday")),
                hour=_small_int(request.POST.get("hour")),
            )
            messages.success(request, "Digest schedule saved.")
        else:
            services.alert_preference_set(
                organization=self.organization,
                user=request.user,
                frequency=request.POST.get("frequency", ""),
            )
            messages.success(request, "Alert preference saved.")
        return HttpResponseRedirect(self.return_url())


def _small_int(raw: str | None) -> int:
    """A form's number field; anything else becomes -1, which validation then refuses."""
    return int(raw) if raw and raw.isdigit() and len(raw) < 4 else -1


@method_decorator(csrf_exempt, name="dispatch")
class UnsubscribeView(View):
    """The one-click unsubscribe link of every alert email (RFC 8058). A mail client POSTs
    `List-Unsubscribe=One-Click` to it without cookies, hence no CSRF token; the signed token
    is the credential. A GET (a person clicking) shows a confirmation button, so link
    scanners that fetch every URL of an email unsubscribe nobody."""

    def get(self, request, token):
        try:
            unsubscribe_token_read(token)
        except ApplicationError as error:
            return _unsubscribe_page(request, error=error.message, status=400)
        return _unsubscribe_page(request, token=token)

    def post(self, request, token):
        try:
            organization = services.alerts_unsubscribe(token=token)
        except ApplicationError as error:
            return _unsubscribe_page(request, error=error.message, status=400)
        return _unsubscribe_page(request, organization=organization)


def _unsubscribe_page(request, *, status=200, **context):
    return render(request, "monitoring/unsubscribe.html", context, status=status)
