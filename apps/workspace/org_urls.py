"""The workspace's organization pages, mounted at orgs/<slug:org_slug>/ by conductatlas/urls.py."""

from django.urls import path

from apps.workspace import views

app_name = "workspace_org"

urlpatterns = [
    path("memo.pdf", views.WatchlistMemoPdfView.as_view(), name="watchlist_memo_pdf"),
]
