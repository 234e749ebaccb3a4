from django.urls import path

from apps.documents import views

app_name = "documents"

VERSION = "platform/<slug:platform_slug>/<slug:document_slug>/versions/<int:number>/"

urlpatterns = [
    path(VERSION, views.version_detail, name="version_detail"),
    path(f"{VERSION}raw/", views.version_raw, name="version_raw"),
    path(f"{VERSION}text/", views.version_text, name="version_text"),
    path(
        "platform/<slug:platform_slug>/<slug:document_slug>/versions/compare/",
        views.version_compare,
        name="version_compare",
    ),
    path(
        "platform/<slug:platform_slug>/<slug:document_slug>/changes/"
        "<int:from_number>...<int:to_number>/",
        views.version_diff,
        name="version_diff",
    ),
]
