from django.contrib import admin
from django.urls import include, path

from apps.site.urls import platform_urls, regulation_urls
from apps.site.views import curator_queue

urlpatterns = [
    # The catalog's pages first: the resolver tries patterns in order, and these are most of
    # the traffic. No other app's address starts like them (memo files and feeds end in
    # ".pdf" and ".atom", which no slug can).
    # The documents' pages before the platform pages: a document's "changes/" would otherwise
    # read as a provision.
    path("", include("apps.documents.urls")),
    path("", include(platform_urls)),
    path("", include("apps.site.urls")),
    path("", include("apps.provisions.urls")),
    path("regulations/", include(regulation_urls)),
    # Before the admin's own URLs, which would read it as an app label.
    path("admin/curator-queue/", admin.site.admin_view(curator_queue), name="curator_queue"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("orgs/", include("apps.accounts.urls")),
    path("orgs/<slug:org_slug>/api-keys/", include("apps.api.pages_urls")),
    path("orgs/<slug:org_slug>/", include("apps.monitoring.urls")),
    path("orgs/<slug:org_slug>/", include("apps.workspace.org_urls")),
    path("api/", include("apps.api.urls")),
    path("data/", include("apps.api.open_data_urls")),
    path("", include("apps.billing.urls")),
    path("alerts/", include("apps.monitoring.public_urls")),
    path("", include("apps.site.change_urls")),
    path("", include("apps.workspace.urls")),
]

handler404 = "apps.site.views.page_not_found"
handler500 = "apps.site.views.server_error"
