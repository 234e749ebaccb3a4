"""Organization endpoints: reached only with that organization's key. Every one of them is in
ORG_ENDPOINTS, and a guard test fails when an endpoint under /api/v1/orgs/ is missing."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from apps.accounts.models import ApiKeyScope
from apps.api.base import OrganizationAPIView
from apps.monitoring.models import Channel, Delivery, WatchedPlatform, WatchedProvision
from tests.alerts.helpers import first_record, record_change
from tests.api.conftest import caller_on_plan
from tests.factories import DocumentFactory, PlatformFactory, ProvisionFactory

pytestmark = pytest.mark.django_db


def _watched_platform_of(organization) -> dict:
    watched = WatchedPlatform.objects.create(organization=organization, platform=PlatformFactory())
    return {"watched_id": watched.pk}


def _watched_provision_of(organization) -> dict:
    watched = WatchedProvision.objects.create(
        organization=organization, provision=ProvisionFactory()
    )
    return {"watched_id": watched.pk}


def _nothing(organization) -> dict:
    return {}


# URL name → (the kwargs besides org_slug naming something of `organization`, its methods).
ORG_ENDPOINTS = {
    "api:organization": (_nothing, ("get",)),
    "api:notifications": (_nothing, ("get",)),
    "api:watched_platform_list": (_nothing, ("get", "post")),
    "api:watched_platform_detail": (_watched_platform_of, ("delete",)),
    "api:watched_provision_list": (_nothing, ("get", "post")),
    "api:watched_provision_detail": (_watched_provision_of, ("delete",)),
}


def _walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, route, inner)
        elif isinstance(entry, URLPattern):
            yield route, f"{namespace}{entry.name}"


def test_every_org_endpoint_is_in_the_cross_organization_test():
    org_routes = {
        name for route, name in _walk(get_resolver().url_patterns) if "<slug:org_slug>" in route
    }
    api_org_routes = {name for name in org_routes if name.startswith("api:")}
    assert api_org_routes == set(ORG_ENDPOINTS)


def _private_state():
    return (
        sorted(WatchedPlatform.objects.values_list("pk", "organization_id")),
        sorted(WatchedProvision.objects.values_list("pk", "organization_id")),
    )


@pytest.mark.parametrize("url_name", sorted(ORG_ENDPOINTS))
def test_another_organizations_key_gets_404(url_name):
    owner_a = caller_on_plan("professional", email="a@example.test")
    intruder = caller_on_plan("professional", email="b@example.test")
    build, methods = ORG_ENDPOINTS[url_name]
    url = reverse(
        url_name, kwargs={"org_slug": owner_a.organization.slug, **build(owner_a.organization)}
    )
    before = _private_state()

    for method in methods:
        response = getattr(intruder.client(), method)(
            url, {"platform": PlatformFactory().slug}, format="json"
        )
        assert response.status_code == 404, (method, response.json())
        assert set(response.json()) == {"message", "extra"}
        assert owner_a.organization.name not in response.content.decode()
    assert _private_state() == before


@pytest.mark.parametrize(
    "url_name", sorted(name for name, (build, _) in ORG_ENDPOINTS.items() if build is not _nothing)
)
def test_another_organizations_object_ids_are_404_behind_ones_own_slug(url_name):
    owner_a = caller_on_plan("professional", email="a@example.test")
    intruder = caller_on_plan("professional", email="b@example.test")
    build, methods = ORG_ENDPOINTS[url_name]
    url = reverse(
        url_name, kwargs={"org_slug": intruder.organization.slug, **build(owner_a.organization)}
    )
    before = _private_state()

    for method in methods:
        assert getattr(intruder.client(), method)(url).status_code == 404
    assert _private_state() == before


def test_org_endpoints_need_a_key(db):
    caller = caller_on_plan("professional")
    url = reverse("api:organization", kwargs={"org_slug": caller.organization.slug})

    response = APIClient().get(url)

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_plan_and_usage():
    caller = caller_on_plan("watcher")
    WatchedPlatform.objects.create(organization=caller.organization, platform=PlatformFactory())
    url = reverse("api:organization", kwargs={"org_slug": caller.organization.slug})

    body = caller.client().get(url).json()

    assert body["plan"]["code"] == "watcher"
    assert body["plan"]["max_tracked_platforms"] == 10
    assert body["usage"] == {"tracked_platforms": 1, "tracked_provisions": 0}


def test_watchlist_add_list_remove_through_the_monitoring_services():
    caller = caller_on_plan("professional")
    platform = PlatformFactory()
    provision = ProvisionFactory()
    client = caller.client()
    slug = caller.organization.slug
    platforms_url = reverse("api:watched_platform_list", kwargs={"org_slug": slug})
    provisions_url = reverse("api:watched_provision_list", kwargs={"org_slug": slug})

    added = client.post(platforms_url, {"platform": platform.slug}, format="json")
    assert added.status_code == 201
    assert client.get(platforms_url).json()["results"][0]["platform"] == platform.slug
    tracked = client.post(provisions_url, {"provision": provision.record_id}, format="json")
    assert tracked.status_code == 201

    removed = client.delete(
        reverse(
            "api:watched_platform_detail",
            kwargs={"org_slug": slug, "watched_id": added.json()["id"]},
        )
    )
    assert removed.status_code == 204
    assert not WatchedPlatform.objects.filter(organization=caller.organization).exists()
    assert WatchedProvision.objects.filter(organization=caller.organization).count() == 1


def test_a_watchlist_add_past_the_limit_is_403_with_the_limit():
    caller = caller_on_plan("free")
    url = reverse("api:watched_platform_list", kwargs={"org_slug": caller.organization.slug})
    client = caller.client()
    assert client.post(url, {"platform": PlatformFactory().slug}, format="json").status_code == 201

    refused = client.post(url, {"platform": PlatformFactory().slug}, format="json")

    assert refused.status_code == 403
    assert refused.json()["extra"]["limit"] == 1
    assert refused.json()["extra"]["used"] == 1
    assert WatchedPlatform.objects.filter(organization=caller.organization).count() == 1


def test_provision_monitoring_outside_the_plan_is_403():
    caller = caller_on_plan("watcher")
    url = reverse("api:watched_provision_list", kwargs={"org_slug": caller.organization.slug})

    refused = caller.client().post(url, {"provision": ProvisionFactory().record_id}, format="json")

    assert refused.status_code == 403
    assert refused.json()["extra"]["limit"] == 0


@pytest.mark.parametrize(
    ("body", "parameter"),
    [({"platform": "no-such-platform"}, None), ({}, "platform"), ({"platform": ""}, "platform")],
)
def test_bad_watchlist_input_is_400(body, parameter):
    caller = caller_on_plan("professional")
    url = reverse("api:watched_platform_list", kwargs={"org_slug": caller.organization.slug})

    response = caller.client().post(url, body, format="json")

    assert response.status_code == 400
    assert response.json()["message"]
    if parameter:
        assert parameter in response.json()["extra"]["fields"]


def test_a_read_only_key_cannot_change_the_watchlist():
    caller = caller_on_plan("professional", scope=ApiKeyScope.READ)
    url = reverse("api:watched_platform_list", kwargs={"org_slug": caller.organization.slug})
    client = caller.client()

    refused = client.post(url, {"platform": PlatformFactory().slug}, format="json")

    assert refused.status_code == 403
    assert "read-only" in refused.json()["message"]
    assert client.get(url).status_code == 200
    assert not WatchedPlatform.objects.exists()


def test_subclasses_cannot_bypass_the_organization_check():
    with pytest.raises(TypeError, match="may not override initial"):

        class Sneaky(OrganizationAPIView):
            def initial(self, request, *args, **kwargs):
                pass

    with pytest.raises(TypeError, match="may not override get_permissions"):

        class Open(OrganizationAPIView):
            def get_permissions(self):
                return []


def _notify(caller, change_event):
    Delivery.objects.create(
        organization=caller.organization,
        recipient=caller.user,
        change_event=change_event,
        channel=Channel.IN_APP,
    )


def test_notifications_list_the_changes_that_reached_the_organization_once_each():
    caller = caller_on_plan("professional")
    colleague = caller_on_plan("professional")
    other = caller_on_plan("professional")
    seen = record_change(first_record(DocumentFactory()))
    emailed_only = record_change(first_record(DocumentFactory()))
    elsewhere = record_change(first_record(DocumentFactory()))
    _notify(caller, seen)
    Delivery.objects.create(
        organization=caller.organization,
        recipient=colleague.user,
        change_event=seen,
        channel=Channel.IN_APP,
    )
    Delivery.objects.create(
        organization=caller.organization,
        recipient=caller.user,
        change_event=emailed_only,
        channel=Channel.EMAIL,
    )
    _notify(other, elsewhere)
    url = reverse("api:notifications", kwargs={"org_slug": caller.organization.slug})

    response = caller.client().get(url)

    assert response.status_code == 200
    listed = [change["document"] for change in response.json()["results"]]
    assert listed == [seen.document.record_id]
