from django.urls import path

from apps.platforms import views
from apps.provisions.views import provision_detail

app_name = "platforms"

urlpatterns = [
    path("platforms/", views.platform_list_view, name="platform_list"),
    path("platform/<slug:platform_slug>/", views.platform_detail, name="platform_detail"),
    path(
        "platform/<slug:platform_slug>/<slug:document_slug>/",
        views.document_detail,
        name="document_detail",
    ),
    path(
        "platform/<slug:platform_slug>/<slug:document_slug>/<slug:provision_slug>/",
        provision_detail,
        name="provision_detail",
    ),
]
