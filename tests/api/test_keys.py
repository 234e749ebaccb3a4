"""API keys: created by owners and admins on the organization's page when the plan allows it,
shown once, stored hashed, revocable; what a key (or a bad one) can reach."""

import hashlib

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from apps.accounts.models import ApiKey, ApiKeyScope, Membership, Role
from apps.accounts.services import api_key_create, api_key_revoke
from apps.billing.models import Plan
from apps.core.exceptions import ApplicationError
from tests.api.conftest import caller_on_plan
from tests.factories import UserFactory
from tests.tiers import csrf_client, csrf_post, member_on_plan

pytestmark = pytest.mark.django_db


def _keys_page(organization) -> str:
    return reverse("api_keys:list", kwargs={"org_slug": organization.slug})


def test_an_owner_creates_a_key_shown_once_and_stored_hashed():
    owner, organization = member_on_plan("professional")
    client = csrf_client(owner)

    response = csrf_post(
        client,
        _keys_page(organization),
        {"name": "Dashboard", "scope": ApiKeyScope.READ},
        form_page=_keys_page(organization),
    )

    assert response.status_code == 201
    secret = response.context["new_secret"]
    assert secret.startswith("ca_")
    api_key = ApiKey.objects.get(organization=organization)
    assert api_key.key_sha256 == hashlib.sha256(secret.encode()).hexdigest()
    assert secret.startswith(api_key.prefix)
    assert secret not in ApiKey.objects.values_list("key_sha256", "prefix", "name").get().__repr__()
    listing = client.get(_keys_page(organization)).content.decode()
    assert api_key.prefix in listing
    assert secret not in listing


def test_a_plan_without_api_access_gets_no_key():
    owner, organization = member_on_plan("watcher")

    client = csrf_client(owner)
    assert "not part of your Watcher plan" in client.get(_keys_page(organization)).content.decode()

    response = csrf_post(
        client,
        _keys_page(organization),
        {"name": "Dashboard", "scope": ApiKeyScope.READ},
        form_page=reverse("accounts:organization_settings", kwargs={"org_slug": organization.slug}),
    )

    assert response.status_code == 302
    assert not ApiKey.objects.exists()


def test_a_member_cannot_create_or_revoke_keys():
    owner, organization = member_on_plan("professional")
    member = UserFactory()
    Membership.objects.create(organization=organization, user=member, role=Role.MEMBER)
    api_key, _secret = api_key_create(
        organization=organization, actor=owner, name="k", scope=ApiKeyScope.READ
    )

    with pytest.raises(ApplicationError):
        api_key_create(organization=organization, actor=member, name="k", scope=ApiKeyScope.READ)
    with pytest.raises(ApplicationError):
        api_key_revoke(organization=organization, actor=member, api_key_id=api_key.pk)


def test_a_revoked_key_is_refused_with_401():
    caller = caller_on_plan("professional")
    client = caller.client()
    assert client.get("/api/v1/platforms/").status_code == 200
    api_key = ApiKey.objects.get(organization=caller.organization)

    revoke_url = reverse(
        "api_keys:revoke", kwargs={"org_slug": caller.organization.slug, "api_key_id": api_key.pk}
    )
    csrf_post(csrf_client(caller.user), revoke_url, form_page=_keys_page(caller.organization))

    refused = client.get("/api/v1/platforms/")
    assert refused.status_code == 401
    assert refused["WWW-Authenticate"].startswith("Bearer")
    assert set(refused.json()) == {"message", "extra"}


@pytest.mark.parametrize(
    "header",
    ["Bearer", "Bearer ca_nothing", "Basic dXNlcjpwYXNz", "Token abc", "Bearer " + "x" * 500],
)
def test_malformed_or_unknown_keys_are_401(db, header):
    response = APIClient().get("/api/v1/platforms/", HTTP_AUTHORIZATION=header)

    assert response.status_code == 401
    assert response.json()["message"]


def test_use_is_recorded_at_most_once_a_minute():
    caller = caller_on_plan("professional")
    client = caller.client()
    client.get("/api/v1/platforms/")
    first_use = ApiKey.objects.get().last_used_at
    assert first_use is not None

    client.get("/api/v1/platforms/")

    assert ApiKey.objects.get().last_used_at == first_use


def test_a_key_whose_plan_lost_api_access_is_403():
    caller = caller_on_plan("professional")
    Plan.objects.filter(code="professional").update(api_access=False)

    response = caller.client().get("/api/v1/platforms/")

    assert response.status_code == 403
    assert "API access" in response.json()["message"]
