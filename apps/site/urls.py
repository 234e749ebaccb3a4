"""The site's pages. The platform and regulation pages keep the URL namespaces they were
published under (`platforms:`, `regulations:`), which the catalog models' get_absolute_url use."""

from django.contrib.sitemaps.views import sitemap
from django.urls import path

from apps.site import views
from apps.site.sitemaps import SITEMAPS

app_name = "site"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("methodology/", views.methodology, name="methodology"),
    path("compare/", views.compare, name="compare"),
    path("records/<str:record_id>/", views.record_redirect, name="record_redirect"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("sitemap.xml", views.sitemap_index, name="sitemap_index"),
    path(
        "sitemap-<slug:section>.xml",
        sitemap,
        {"sitemaps": SITEMAPS},
        name="sitemap_section",
    ),
]

platform_urls = (
    [
        path("platforms/", views.platform_list_view, name="platform_list"),
        path("platform/<slug:platform_slug>/", views.platform_detail, name="platform_detail"),
        path(
            "platform/<slug:platform_slug>/<slug:document_slug>/",
            views.document_detail,
            name="document_detail",
        ),
        path(
            "platform/<slug:platform_slug>/<slug:document_slug>/<slug:provision_slug>/",
            views.provision_detail,
            name="provision_detail",
        ),
    ],
    "platforms",
)

regulation_urls = (
    [
        path("", views.regulation_list_view, name="regulation_list"),
        path("<slug:slug>/", views.regulation_detail, name="regulation_detail"),
    ],
    "regulations",
)
