from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("orgs/", include("apps.accounts.urls")),
    path("orgs/<slug:org_slug>/api-keys/", include("apps.api.pages_urls")),
    path("orgs/<slug:org_slug>/", include("apps.monitoring.urls")),
    path("api/", include("apps.api.urls")),
    path("data/", include("apps.api.open_data_urls")),
    path("pricing/", include("apps.billing.urls")),
    path("", include("apps.provisions.urls")),
    path("regulations/", include("apps.regulations.urls")),
    path("", include("apps.core.urls")),
    path("", include("apps.documents.urls")),
    path("", include("apps.platforms.urls")),
]

handler404 = "apps.core.views.page_not_found"
handler500 = "apps.core.views.server_error"
