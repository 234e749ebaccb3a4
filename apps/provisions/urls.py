from django.urls import path

from apps.provisions import views

app_name = "provisions"

urlpatterns = [
    path("clause-types/", views.clause_type_list_view, name="clause_type_list"),
    path("clause-types/<slug:slug>/", views.clause_type_detail, name="clause_type_detail"),
    path("research/", views.article_list_view, name="article_list"),
    path("research/<slug:slug>/", views.article_detail, name="article_detail"),
]
