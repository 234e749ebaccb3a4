from django.urls import path

from apps.monitoring import views

app_name = "alerts"

# Mounted at alerts/ by conductatlas/urls.py: links in emails, outside any organization's URLs.
urlpatterns = [
    path("unsubscribe/<str:token>/", views.UnsubscribeView.as_view(), name="unsubscribe"),
]
