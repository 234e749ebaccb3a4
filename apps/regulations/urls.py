from django.urls import path

from apps.regulations import views

app_name = "regulations"

urlpatterns = [
    path("", views.regulation_list_view, name="regulation_list"),
    path("<slug:slug>/", views.regulation_detail, name="regulation_detail"),
]
