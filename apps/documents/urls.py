from django.urls import path

from apps.documents import views

app_name = "documents"

urlpatterns = [
    path(
        "platform/<slug:platform_slug>/<slug:document_slug>/changes/"
        "<int:from_number>...<int:to_number>/",
        views.version_diff,
        name="version_diff",
    ),
]
