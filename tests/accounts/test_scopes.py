"""Fail-closed tenancy: organizations' private data can only be queried inside an
organization's scope (django-scopes). A query that forgets the organization raises ScopeError
instead of reading every tenant's rows; the organization pages activate the scope, the admin
disables it on purpose. The cross-organization 404 tests (test_tenant_isolation.py) remain the
second layer.

Test bodies run with the scope disabled (tests/conftest.py); `scope()` with no organization puts
them back in the state production code starts in."""

import json

import pytest
from django.http import JsonResponse
from django.test import RequestFactory
from django.urls import reverse
from django_scopes import ScopeError, get_scope, scope

from apps.accounts.models import ApiKey, ApiKeyScope, Invitation, Membership, Organization, Role
from apps.accounts.services import api_key_create, invitation_create
from apps.accounts.tenancy import OrganizationView
from apps.billing.models import Subscription
from apps.catalog_demo.accounts import DEMO_TIERS, demo_accounts_load
from apps.documents.models import VersionKind
from apps.monitoring.models import WatchedPlatform, WatchedProvision
from apps.monitoring.services import watchlist_add_platform, watchlist_add_provision
from tests.factories import DocumentVersionFactory, PlatformFactory, ProvisionFactory, UserFactory
from tests.tiers import csrf_client

pytestmark = pytest.mark.django_db

ORGANIZATION_OWNED_MODELS = [
    ApiKey,
    Membership,
    Invitation,
    WatchedPlatform,
    WatchedProvision,
    Subscription,
]


@pytest.fixture
def tracked(two_orgs):
    """Both organizations track a platform and a clause, and each has invited someone."""
    for organization, owner in (
        (two_orgs.org_a, two_orgs.owner_a),
        (two_orgs.org_b, two_orgs.owner_b),
    ):
        watchlist_add_platform(organization=organization, platform_ref=PlatformFactory().slug)
        watchlist_add_provision(organization=organization, provision_id=ProvisionFactory().pk)
        invitation_create(
            organization=organization,
            actor=owner,
            email=f"guest-of-{organization.slug}@example.test",
            role=Role.MEMBER,
        )
        api_key_create(organization=organization, actor=owner, name="k", scope=ApiKeyScope.READ)
    return two_orgs


@pytest.mark.parametrize("model", ORGANIZATION_OWNED_MODELS, ids=lambda model: model.__name__)
def test_a_query_without_an_organization_raises(model, tracked):
    with scope():
        with pytest.raises(ScopeError):
            list(model.objects.all())
        with pytest.raises(ScopeError):
            model.objects.filter(organization=tracked.org_a).count()
        with pytest.raises(ScopeError):
            model.objects.get(pk=1)


def test_reaching_private_data_through_its_organization_also_needs_the_scope(tracked):
    with scope(), pytest.raises(ScopeError):
        list(tracked.org_a.watchedplatforms.all())


def test_pending_invitations_need_the_scope_too(tracked):
    with scope():
        with pytest.raises(ScopeError):
            Invitation.objects.pending()
        with pytest.raises(ScopeError):
            tracked.org_a.invitations.pending()
    with scope(organization=tracked.org_a):
        assert [invitation.organization for invitation in Invitation.objects.pending()] == [
            tracked.org_a
        ]


@pytest.mark.parametrize("model", ORGANIZATION_OWNED_MODELS, ids=lambda model: model.__name__)
def test_inside_a_scope_a_forgotten_filter_reads_only_that_organization(model, tracked):
    everyone = set(model.objects.values_list("organization", flat=True))
    assert everyone == {tracked.org_a.pk, tracked.org_b.pk}

    with scope(organization=tracked.org_a):
        assert set(model.objects.values_list("organization", flat=True)) == {tracked.org_a.pk}
        assert not model.objects.filter(organization=tracked.org_b).exists()


class _WatchlistIds(OrganizationView):
    """A page that "forgets" to filter by organization."""

    http_method_names = ["get"]

    def get(self, request, org_slug):
        return JsonResponse(
            {
                "scope": get_scope()["organization"].pk,
                "watched": list(WatchedPlatform.objects.values_list("pk", flat=True)),
            }
        )


def test_the_organization_base_view_runs_its_handler_in_the_organizations_scope(tracked):
    request = RequestFactory().get("/")
    request.user = tracked.owner_a
    with scope():
        response = _WatchlistIds.as_view()(request, org_slug=tracked.org_a.slug)

    own = list(
        WatchedPlatform.objects.filter(organization=tracked.org_a).values_list("pk", flat=True)
    )
    assert json.loads(response.content) == {"scope": tracked.org_a.pk, "watched": own}


def test_the_scope_ends_with_the_request(tracked):
    request = RequestFactory().get("/")
    request.user = tracked.owner_a
    with scope():
        _WatchlistIds.as_view()(request, org_slug=tracked.org_a.slug)
        with pytest.raises(ScopeError):
            WatchedPlatform.objects.count()


@pytest.fixture
def curator_client():
    return csrf_client(UserFactory(is_staff=True, is_superuser=True))


@pytest.mark.parametrize(
    "admin_name",
    [
        "accounts_invitation",
        "monitoring_watchedplatform",
        "monitoring_watchedprovision",
        "billing_subscription",
    ],
)
def test_admin_lists_show_every_organizations_rows(admin_name, tracked, curator_client):
    response = curator_client.get(reverse(f"admin:{admin_name}_changelist"))

    assert response.status_code == 200
    assert response.context["cl"].result_count == 2
    assert {row.organization_id for row in response.context["cl"].result_list} == {
        tracked.org_a.pk,
        tracked.org_b.pk,
    }


def test_admin_pages_of_private_rows_work(tracked, curator_client):
    subscription = Subscription.objects.get(organization=tracked.org_b)
    invitation = Invitation.objects.get(organization=tracked.org_a)
    watched = WatchedPlatform.objects.get(organization=tracked.org_b)
    pages = [
        reverse("admin:accounts_organization_change", args=[tracked.org_a.pk]),
        reverse("admin:accounts_invitation_change", args=[invitation.pk]),
        reverse("admin:billing_subscription_change", args=[subscription.pk]),
        reverse("admin:billing_subscription_history", args=[subscription.pk]),
        reverse("admin:monitoring_watchedplatform_delete", args=[watched.pk]),
    ]
    for url in pages:
        assert curator_client.get(url).status_code == 200, url

    organization_page = curator_client.get(pages[0])
    assert tracked.owner_a.email in organization_page.content.decode()


def test_the_admin_deletes_a_private_row(tracked, curator_client):
    watched = WatchedPlatform.objects.get(organization=tracked.org_b)
    url = reverse("admin:monitoring_watchedplatform_delete", args=[watched.pk])
    curator_client.get(url)
    token = curator_client.cookies["csrftoken"].value

    response = curator_client.post(url, {"post": "yes", "csrfmiddlewaretoken": token})

    assert response.status_code == 302
    assert not WatchedPlatform.objects.filter(pk=watched.pk).exists()
    assert WatchedPlatform.objects.filter(organization=tracked.org_a).count() == 1


def test_the_demo_loader_sets_up_organizations_outside_any_request():
    for _ in range(7):
        provision = ProvisionFactory()
        DocumentVersionFactory(document=provision.document, kind=VersionKind.CHANGE)

    with scope():
        demo_accounts_load()

    assert Organization.objects.count() == len(DEMO_TIERS)
    assert WatchedPlatform.objects.count() == sum(tier.tracked_platforms for tier in DEMO_TIERS)
