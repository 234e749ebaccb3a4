"""The workspace's organization pages, mounted at orgs/<slug:org_slug>/ by conductatlas/urls.py."""

from django.urls import path

from apps.workspace import views

app_name = "workspace_org"

urlpatterns = [
    path("memo.pdf", views.WatchlistMemoPdfView.as_view(), name="watchlist_memo_pdf"),
    path("mapping/", views.MappingView.as_view(), name="mapping"),
    path("mapping.csv", views.MappingExportView.as_view(file_format="csv"), name="mapping_csv"),
    path("mapping.xlsx", views.MappingExportView.as_view(file_format="xlsx"), name="mapping_xlsx"),
]
