from django.contrib.sitemaps.views import sitemap
from django.urls import path

from apps.core import views
from apps.core.sitemaps import SITEMAPS

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("methodology/", views.methodology, name="methodology"),
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
