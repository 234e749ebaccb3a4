"""A plan that shrinks below what the organization tracks deletes nothing: the newest extra
items are paused (not monitored, shown as paused) and owners choose which to keep."""

import pytest
from django.test import TestCase
from django.urls import reverse

from apps.billing.models import Plan
from apps.billing.services import subscription_grant
from apps.monitoring.models import WatchedPlatform, WatchedProvision
from apps.monitoring.services import watchlist_add_platform, watchlist_add_provision
from tests.factories import PlatformFactory, ProvisionFactory
from tests.tiers import csrf_client, csrf_post, member_on_plan

pytestmark = pytest.mark.django_db


def _grant(organization, code):
    with TestCase.captureOnCommitCallbacks(execute=True):
        subscription_grant(organization=organization, plan=Plan.objects.get(code=code))


def _track(organization, count):
    return [
        watchlist_add_platform(organization=organization, platform_ref=PlatformFactory().slug)
        for _ in range(count)
    ]


def test_a_smaller_plan_pauses_the_newest_extra_items(fake_stripe):
    _owner, organization = member_on_plan("professional")
    platforms = _track(organization, 3)
    provision = watchlist_add_provision(
        organization=organization, provision_id=ProvisionFactory().pk
    )
    _grant(organization, "free")

    assert list(WatchedPlatform.objects.monitored().filter(organization=organization)) == [
        platforms[0]
    ]
    assert set(WatchedPlatform.objects.paused()) == set(platforms[1:])
    assert WatchedProvision.objects.get(pk=provision.pk).paused_at is not None
    assert WatchedPlatform.objects.filter(organization=organization).count() == 3


def test_a_bigger_plan_resumes_paused_items(fake_stripe):
    _owner, organization = member_on_plan("watcher")
    _track(organization, 3)
    _grant(organization, "free")
    _grant(organization, "watcher")
    assert WatchedPlatform.objects.paused().count() == 0


def test_owners_choose_which_items_to_keep(fake_stripe):
    owner, organization = member_on_plan("watcher")
    first, second = _track(organization, 2)
    _grant(organization, "free")
    client = csrf_client(owner)
    dashboard = organization.get_absolute_url()

    def action(name, watched):
        url = reverse(
            f"monitoring:{name}",
            kwargs={"org_slug": organization.slug, "kind": "platforms", "watched_id": watched.pk},
        )
        return csrf_post(client, url, form_page=dashboard)

    refused = action("item_resume", second)
    assert refused.status_code == 302
    second.refresh_from_db()
    assert second.paused_at is not None, "the free plan has no room: pause another first"

    action("item_pause", first)
    action("item_resume", second)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.paused_at is not None
    assert second.paused_at is None
    page = client.get(dashboard).content.decode()
    assert "1 item is paused" in page
    assert "Resume<span" in page


def test_an_unknown_kind_is_404(fake_stripe):
    owner, organization = member_on_plan("watcher")
    [watched] = _track(organization, 1)
    url = reverse(
        "monitoring:item_pause",
        kwargs={"org_slug": organization.slug, "kind": "documents", "watched_id": watched.pk},
    )
    client = csrf_client(owner)
    assert csrf_post(client, url, form_page=organization.get_absolute_url()).status_code == 404
