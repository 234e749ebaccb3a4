from django.urls import path, re_path, register_converter
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from apps.api import apis
from apps.api.errors import json_error

app_name = "api"


class RecordIdConverter:
    """A record ID (CA-D-00001, CA-P-000001): anything else is no address at all."""

    regex = r"CA-[DP]-[0-9]{5,}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(RecordIdConverter, "record_id")


@csrf_exempt  # No cookie-authenticated state is behind it: any method gets the JSON 404.
def unknown_address(request, *args, **kwargs):
    return json_error("There is no API endpoint at this address.", status_code=404)


RECORD_DOCUMENT = "documents/<record_id:record_id>/"
ORG = "v1/orgs/<slug:org_slug>/"

# Mounted at api/ by conductatlas/urls.py.
urlpatterns = [
    path("v1/schema/", SpectacularAPIView.as_view(api_version="v1"), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("v1/platforms/", apis.PlatformListAPI.as_view(), name="platform_list"),
    path("v1/platforms/<slug:slug>/", apis.PlatformDetailAPI.as_view(), name="platform_detail"),
    path("v1/documents/", apis.DocumentListAPI.as_view(), name="document_list"),
    path(f"v1/{RECORD_DOCUMENT}", apis.DocumentDetailAPI.as_view(), name="document_detail"),
    path(f"v1/{RECORD_DOCUMENT}versions/", apis.VersionListAPI.as_view(), name="version_list"),
    path(f"v1/{RECORD_DOCUMENT}chain/", apis.DocumentChainAPI.as_view(), name="document_chain"),
    path(
        f"v1/{RECORD_DOCUMENT}versions/<int:number>/",
        apis.VersionDetailAPI.as_view(),
        name="version_detail",
    ),
    path("v1/changes/", apis.ChangeListAPI.as_view(), name="change_list"),
    path("v1/provisions/", apis.ProvisionListAPI.as_view(), name="provision_list"),
    path(
        "v1/provisions/<record_id:record_id>/",
        apis.ProvisionDetailAPI.as_view(),
        name="provision_detail",
    ),
    path("v1/clause-types/", apis.ClauseTypeListAPI.as_view(), name="clause_type_list"),
    path(
        "v1/clause-types/<slug:slug>/",
        apis.ClauseTypeDetailAPI.as_view(),
        name="clause_type_detail",
    ),
    path("v1/regulations/", apis.RegulationListAPI.as_view(), name="regulation_list"),
    path(
        "v1/regulations/<slug:slug>/",
        apis.RegulationDetailAPI.as_view(),
        name="regulation_detail",
    ),
    path("v1/agencies/", apis.AgencyListAPI.as_view(), name="agency_list"),
    path("v1/agencies/<slug:slug>/", apis.AgencyDetailAPI.as_view(), name="agency_detail"),
    path("v1/search/", apis.SearchAPI.as_view(), name="search"),
    path(ORG, apis.OrganizationAPI.as_view(), name="organization"),
    path(
        f"{ORG}notifications/",
        apis.OrganizationChangeListAPI.as_view(),
        name="notifications",
    ),
    path(
        f"{ORG}watchlist/platforms/",
        apis.WatchedPlatformListAPI.as_view(),
        name="watched_platform_list",
    ),
    path(
        f"{ORG}watchlist/platforms/<int:watched_id>/",
        apis.WatchedPlatformDetailAPI.as_view(),
        name="watched_platform_detail",
    ),
    path(
        f"{ORG}watchlist/provisions/",
        apis.WatchedProvisionListAPI.as_view(),
        name="watched_provision_list",
    ),
    path(
        f"{ORG}watchlist/provisions/<int:watched_id>/",
        apis.WatchedProvisionDetailAPI.as_view(),
        name="watched_provision_detail",
    ),
    re_path(r"^.*$", unknown_address, name="unknown"),
]
