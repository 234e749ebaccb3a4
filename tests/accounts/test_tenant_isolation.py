"""Every organization-scoped URL answers 404 to a member of another organization, for GET and
POST, and for another organization's object ids behind one's own slug. The guard test below
fails when a URL under /orgs/ is added without an entry here."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from apps.accounts.models import ApiKey, ApiKeyScope, Invitation, Membership, Organization, Role
from apps.accounts.services import api_key_create, invitation_create
from apps.accounts.tenancy import OrganizationView
from apps.billing.models import UpgradeRequest
from apps.monitoring.models import AlertPreference, AlertSchedule, WatchedPlatform, WatchedProvision
from tests.factories import PlatformFactory, ProvisionFactory, UserFactory
from tests.tiers import csrf_client, csrf_post

pytestmark = pytest.mark.django_db


def _member_of(organization) -> dict:
    membership = Membership.objects.create(
        organization=organization, user=UserFactory(), role=Role.MEMBER
    )
    return {"membership_id": membership.pk}


def _invitation_of(organization) -> dict:
    owner = Membership.objects.filter(organization=organization, role=Role.OWNER).first().user
    invitation, _token = invitation_create(
        organization=organization, actor=owner, email="guest@example.test", role=Role.MEMBER
    )
    return {"invitation_id": invitation.pk}


def _watched_platform_of(organization) -> dict:
    watched = WatchedPlatform.objects.create(organization=organization, platform=PlatformFactory())
    return {"watched_id": watched.pk}


def _watched_provision_of(organization) -> dict:
    watched = WatchedProvision.objects.create(
        organization=organization, provision=ProvisionFactory()
    )
    return {"watched_id": watched.pk}


def _api_key_of(organization) -> dict:
    owner = Membership.objects.filter(organization=organization, role=Role.OWNER).first().user
    api_key, _secret = api_key_create(
        organization=organization, actor=owner, name="k", scope=ApiKeyScope.READ
    )
    return {"api_key_id": api_key.pk}


def _paused_platform_of(organization) -> dict:
    return {"kind": "platforms", **_watched_platform_of(organization)}


def _nothing(organization) -> dict:
    return {}


# URL name → the kwargs (besides org_slug) naming something that belongs to `organization`.
ORG_SCOPED_URLS = {
    "monitoring:dashboard": _nothing,
    "monitoring:platform_add": _nothing,
    "monitoring:platform_remove": _watched_platform_of,
    "monitoring:provision_add": _nothing,
    "monitoring:provision_remove": _watched_provision_of,
    "monitoring:notification_list": _nothing,
    "monitoring:notifications_read": _nothing,
    "monitoring:alert_preferences": _nothing,
    "accounts:member_list": _nothing,
    "accounts:member_role_change": _member_of,
    "accounts:member_remove": _member_of,
    "accounts:organization_leave": _nothing,
    "accounts:invitation_create": _nothing,
    "accounts:invitation_revoke": _invitation_of,
    "accounts:organization_settings": _nothing,
    "api_keys:list": _nothing,
    "api_keys:revoke": _api_key_of,
    "monitoring:item_pause": _paused_platform_of,
    "monitoring:item_resume": _paused_platform_of,
    "billing:billing_page": _nothing,
    "billing:checkout": _nothing,
    "billing:portal": _nothing,
    "billing:upgrade_request": _nothing,
    "workspace_org:watchlist_memo_pdf": _nothing,
    "workspace_org:mapping": _nothing,
    "workspace_org:mapping_csv": _nothing,
    "workspace_org:mapping_xlsx": _nothing,
}

# URLs under /orgs/ that name no organization, and why that is safe.
NOT_ORG_SCOPED_URLS = {
    "accounts:home": "redirects to the viewer's own current organization",
    "accounts:organization_create": "creates a new organization owned by the viewer",
    "accounts:organization_switch": "looks the slug up through the viewer's memberships (404)",
    "accounts:invitation_accept": "the unguessable token is the credential",
}


def _walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, route, inner)
        elif isinstance(entry, URLPattern):
            yield route, f"{namespace}{entry.name}", entry


def _orgs_urls():
    return [
        (route, name, entry)
        for route, name, entry in _walk(get_resolver().url_patterns)
        if route.startswith("orgs/")
    ]


def test_every_url_under_orgs_is_covered():
    scoped = {name for route, name, _ in _orgs_urls() if "<slug:org_slug>" in route}
    unscoped = {name for route, name, _ in _orgs_urls() if "<slug:org_slug>" not in route}

    assert scoped - ORG_SCOPED_URLS.keys() == set(), "org-scoped URL without a cross-org 404 test"
    assert ORG_SCOPED_URLS.keys() - scoped == set(), "registry names a URL that no longer exists"
    assert unscoped == NOT_ORG_SCOPED_URLS.keys()


def test_every_org_scoped_view_is_an_organization_view():
    for route, name, entry in _orgs_urls():
        if "<slug:org_slug>" in route:
            assert issubclass(entry.callback.view_class, OrganizationView), name


def _private_state():
    return (
        sorted(Membership.objects.values_list("pk", "role")),
        sorted(Invitation.objects.values_list("pk", "revoked_at")),
        sorted(WatchedPlatform.objects.values_list("pk", flat=True)),
        sorted(WatchedProvision.objects.values_list("pk", flat=True)),
        sorted(Organization.objects.values_list("pk", "name")),
        sorted(AlertPreference.objects.values_list("pk", "frequency")),
        sorted(AlertSchedule.objects.values_list("pk", "timezone")),
        sorted(ApiKey.objects.values_list("pk", "revoked_at")),
        sorted(UpgradeRequest.objects.values_list("pk", flat=True)),
        sorted(WatchedPlatform.objects.values_list("pk", "paused_at")),
    )


@pytest.mark.parametrize("url_name", sorted(ORG_SCOPED_URLS))
def test_another_organizations_urls_are_404(url_name, two_orgs):
    kwargs = {"org_slug": two_orgs.org_a.slug, **ORG_SCOPED_URLS[url_name](two_orgs.org_a)}
    url = reverse(url_name, kwargs=kwargs)
    outsider = csrf_client(two_orgs.owner_b)
    own_dashboard = two_orgs.org_b.get_absolute_url()
    before = _private_state()

    assert outsider.get(url).status_code == 404
    posted = csrf_post(
        outsider,
        url,
        {
            "platform": "anything",
            "provision": "1",
            "role": Role.OWNER,
            "email": "x@example.test",
            "name": "Taken over",
        },
        form_page=own_dashboard,
    )
    assert posted.status_code == 404
    assert _private_state() == before


@pytest.mark.parametrize(
    "url_name", sorted(name for name, build in ORG_SCOPED_URLS.items() if build is not _nothing)
)
def test_another_organizations_object_ids_are_404_behind_ones_own_slug(url_name, two_orgs):
    foreign_ids = ORG_SCOPED_URLS[url_name](two_orgs.org_a)
    url = reverse(url_name, kwargs={"org_slug": two_orgs.org_b.slug, **foreign_ids})
    member_of_b = csrf_client(two_orgs.owner_b)
    before = _private_state()

    posted = csrf_post(
        member_of_b, url, {"role": Role.MEMBER}, form_page=two_orgs.org_b.get_absolute_url()
    )
    assert posted.status_code == 404
    assert _private_state() == before


def test_a_visitor_is_sent_to_log_in(two_orgs):
    url = reverse("monitoring:dashboard", kwargs={"org_slug": two_orgs.org_a.slug})
    response = csrf_client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_subclasses_cannot_bypass_the_organization_check():
    with pytest.raises(TypeError, match="may not override dispatch"):

        class Sneaky(OrganizationView):
            def dispatch(self, request, *args, **kwargs):
                return super(OrganizationView, self).dispatch(request, *args, **kwargs)

    class EarlyExit:
        def dispatch(self, request, *args, **kwargs):
            raise AssertionError("runs before the organization check")

    with pytest.raises(TypeError, match="may not override dispatch"):

        class MixedIn(EarlyExit, OrganizationView):
            pass

    with pytest.raises(TypeError, match="may not override resolve_organization"):

        class AnyOrganization(OrganizationView):
            def resolve_organization(self, request, org_slug):
                return Organization.objects.get(slug=org_slug)
