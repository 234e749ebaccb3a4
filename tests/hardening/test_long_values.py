"""Over-long values typed into forms get a clear error, never a 500 or a database error (on
PostgreSQL an over-long varchar raises; on SQLite a long LIKE pattern does)."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from apps.accounts.models import Invitation, Organization
from apps.monitoring.models import WatchedPlatform
from tests.factories import PlatformFactory
from tests.tiers import csrf_client, csrf_post, member_on_plan

pytestmark = pytest.mark.django_db


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_an_over_long_organization_name_is_a_form_error_on_create():
    user, _organization = member_on_plan("free")
    page = reverse("accounts:organization_create")
    response = csrf_post(csrf_client(user), page, {"name": "N" * 500}, form_page=page)

    assert response.status_code == 400
    assert "at most 120 characters" in response.content.decode()
    assert not Organization.objects.filter(name__startswith="NNN").exists()


def test_an_over_long_organization_name_is_a_form_error_in_settings():
    user, organization = member_on_plan("free")
    page = reverse("accounts:organization_settings", kwargs={"org_slug": organization.slug})
    response = csrf_post(csrf_client(user), page, {"name": "N" * 500}, form_page=page)

    assert response.status_code == 302
    assert any("at most 120 characters" in message for message in _messages(response))
    organization.refresh_from_db()
    assert not organization.name.startswith("NNN")


def test_an_over_long_invitation_email_is_a_form_error():
    user, organization = member_on_plan("watcher")
    page = reverse("accounts:member_list", kwargs={"org_slug": organization.slug})
    email = "a" * 60 + "@" + ".".join(["b" * 60] * 4) + ".test"
    assert len(email) > 254
    response = csrf_post(
        csrf_client(user),
        reverse("accounts:invitation_create", kwargs={"org_slug": organization.slug}),
        {"email": email, "role": "member"},
        form_page=page,
        follow=True,
    )

    assert response.status_code == 200
    assert "at most 254 characters" in response.content.decode()
    assert not Invitation.objects.exists()


def test_an_over_long_platform_name_on_the_dashboard_is_a_form_error():
    user, organization = member_on_plan("free")
    PlatformFactory()
    page = reverse("monitoring:dashboard", kwargs={"org_slug": organization.slug})
    response = csrf_post(
        csrf_client(user),
        reverse("monitoring:platform_add", kwargs={"org_slug": organization.slug}),
        {"platform": "x" * 100_000},
        form_page=page,
        follow=True,
    )

    assert response.status_code == 200
    assert "No platform has a name that long" in response.content.decode()
    assert not WatchedPlatform.objects.filter(organization=organization).exists()
