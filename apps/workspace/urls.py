"""The workspace's public URLs (catalog subjects, gated by the viewer's plan). Memo files end in
`.pdf`, which no slug can, so they never shadow a document or provision page; timelines live
under their own `timeline/` prefix for the same reason (`platform/<slug>/timeline/` would be a
document called "timeline")."""

from django.urls import path

from apps.workspace import views

app_name = "workspace"

urlpatterns = [
    path(
        "platform/<slug:platform_slug>/memo.pdf", views.platform_memo_pdf, name="platform_memo_pdf"
    ),
    path(
        "platform/<slug:platform_slug>/<slug:document_slug>/<slug:provision_slug>/memo.pdf",
        views.provision_memo_pdf,
        name="provision_memo_pdf",
    ),
    path("timeline/<slug:platform_slug>/", views.timeline_page, name="platform_timeline"),
    path(
        "timeline/<slug:platform_slug>/timeline.csv",
        views.timeline_csv,
        name="platform_timeline_csv",
    ),
    path(
        "timeline/<slug:platform_slug>/<slug:document_slug>/<slug:provision_slug>/",
        views.timeline_page,
        name="provision_timeline",
    ),
    path(
        "timeline/<slug:platform_slug>/<slug:document_slug>/<slug:provision_slug>/timeline.csv",
        views.timeline_csv,
        name="provision_timeline_csv",
    ),
]
