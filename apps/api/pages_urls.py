from django.urls import path

from apps.api import views

app_name = "api_keys"

# Mounted at orgs/<slug:org_slug>/api-keys/ by conductatlas/urls.py.
urlpatterns = [
    path("", views.ApiKeyListView.as_view(), name="list"),
    path("<int:api_key_id>/revoke/", views.ApiKeyRevokeView.as_view(), name="revoke"),
]
