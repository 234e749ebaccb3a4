from django.urls import path

from apps.billing import views

app_name = "billing"

urlpatterns = [
    path("", views.pricing, name="pricing"),
]
