"""The workspace's public URLs (catalog subjects, gated by the viewer's plan). Memo files end in
`.pdf`, which no slug can, so they never shadow a document or provision page."""

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
]
