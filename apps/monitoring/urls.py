from django.urls import path

from apps.monitoring import views

app_name = "monitoring"

# Mounted at orgs/<slug:org_slug>/ by conductatlas/urls.py.
urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("watchlist/platforms/", views.WatchedPlatformAddView.as_view(), name="platform_add"),
    path(
        "watchlist/platforms/<int:watched_id>/remove/",
        views.WatchedPlatformRemoveView.as_view(),
        name="platform_remove",
    ),
    path("watchlist/provisions/", views.WatchedProvisionAddView.as_view(), name="provision_add"),
    path(
        "watchlist/provisions/<int:watched_id>/remove/",
        views.WatchedProvisionRemoveView.as_view(),
        name="provision_remove",
    ),
    path(
        "watchlist/<str:kind>/<int:watched_id>/pause/",
        views.WatchedItemPauseView.as_view(),
        name="item_pause",
    ),
    path(
        "watchlist/<str:kind>/<int:watched_id>/resume/",
        views.WatchedItemPauseView.as_view(resume=True),
        name="item_resume",
    ),
]
