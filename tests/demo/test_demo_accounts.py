"""The demo logins listed in the README: one organization per plan, plus the curators' admin."""

import pytest

from apps.accounts.models import Membership, Organization, User
from apps.billing.entitlements import entitlements_for_organization
from apps.catalog_demo.accounts import ADMIN_EMAIL, DEMO_PASSWORD, DEMO_TIERS, demo_accounts_load
from apps.documents.models import VersionKind
from apps.monitoring.models import WatchedPlatform, WatchedProvision
from tests.factories import DocumentVersionFactory, ProvisionFactory
from tests.tiers import csrf_client, csrf_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog():
    for _ in range(7):
        provision = ProvisionFactory()
        DocumentVersionFactory(document=provision.document, kind=VersionKind.CHANGE)


def test_demo_creates_a_login_per_tier_idempotently(catalog):
    demo_accounts_load()
    demo_accounts_load()

    assert User.objects.filter(email__endswith="@demo.conductatlas.test").count() == 4
    assert Organization.objects.count() == len(DEMO_TIERS)
    for tier in DEMO_TIERS:
        organization = Organization.objects.get(memberships__user__email=tier.email)
        assert organization.name == tier.organization_name
        assert entitlements_for_organization(organization).plan_code == tier.plan_code
        assert WatchedPlatform.objects.filter(organization=organization).count() == (
            tier.tracked_platforms
        )
        assert WatchedProvision.objects.filter(organization=organization).count() == (
            tier.tracked_provisions
        )
    admin = User.objects.get(email=ADMIN_EMAIL)
    assert admin.is_superuser and admin.is_staff
    assert not Membership.objects.filter(user=admin).exists()


def test_demo_users_log_in_with_the_published_password(catalog):
    demo_accounts_load()
    for tier in DEMO_TIERS:
        client = csrf_client()
        response = csrf_post(
            client,
            "/accounts/login/",
            {"login": tier.email, "password": DEMO_PASSWORD},
            form_page="/accounts/login/",
        )
        assert response.status_code == 302, tier.email
        assert client.session["_auth_user_id"] == str(User.objects.get(email=tier.email).pk)


def test_demo_admin_reaches_the_admin(catalog):
    demo_accounts_load()
    client = csrf_client()
    response = csrf_post(
        client,
        "/admin/login/",
        {"username": ADMIN_EMAIL, "password": DEMO_PASSWORD, "next": "/admin/"},
        form_page="/admin/login/",
    )
    assert response["Location"] == "/admin/"
    assert client.get("/admin/billing/plan/").status_code == 200
