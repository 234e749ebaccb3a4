from django.contrib import admin
from django.urls import include, path

from apps.site.urls import platform_urls, regulation_urls

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("orgs/", include("apps.accounts.urls")),
    path("orgs/<slug:org_slug>/", include("apps.monitoring.urls")),
    path("", include("apps.billing.urls")),
    path("", include("apps.provisions.urls")),
    path("regulations/", include(regulation_urls)),
    path("", include("apps.site.urls")),
    # Before the platform pages: a document's "changes/" would otherwise read as a provision.
    path("", include("apps.documents.urls")),
    path("", include(platform_urls)),
]

handler404 = "apps.site.views.page_not_found"
handler500 = "apps.site.views.server_error"
