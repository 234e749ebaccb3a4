from django.urls import path

from apps.api import views

app_name = "open_data"

# Mounted at data/ by conductatlas/urls.py.
urlpatterns = [
    path("", views.open_data, name="index"),
    path("<str:name>", views.dataset_download, name="download"),
]
