"""Public change pages and feeds (namespace `changes`)."""

from django.urls import path

from apps.site import changes, feeds

app_name = "changes"

urlpatterns = [
    path("changes/<int:change_event_id>/", changes.change_detail, name="detail"),
    path(
        "platform/<slug:platform_slug>/changes.atom",
        feeds.platform_changes_feed,
        name="platform_feed",
    ),
    path(
        "platform/<slug:platform_slug>/<slug:document_slug>/changes.atom",
        feeds.document_changes_feed,
        name="document_feed",
    ),
]
