"""Tracking platforms and clauses within the plan's limits."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from apps.billing.models import Plan
from apps.core.exceptions import ApplicationError
from apps.monitoring.models import WatchedPlatform, WatchedProvision
from apps.monitoring.services import (
    watchlist_add_platform,
    watchlist_add_provision,
    watchlist_remove_platform,
)
from tests.factories import PlatformFactory, ProvisionFactory
from tests.tiers import csrf_client, csrf_post, member_on_plan

pytestmark = pytest.mark.django_db


def test_free_tracks_one_platform_and_is_told_how_to_get_more():
    _user, organization = member_on_plan("free")
    first, second = PlatformFactory(), PlatformFactory()
    watchlist_add_platform(organization=organization, platform_ref=first.slug)

    with pytest.raises(ApplicationError) as error:
        watchlist_add_platform(organization=organization, platform_ref=second.slug)
    assert "Free plan tracks up to 1 platform" in error.value.message
    assert "Upgrade to Watcher" in error.value.message
    assert error.value.extra["upgrade_url"] == reverse("billing:pricing")
    assert list(WatchedPlatform.objects.values_list("platform", flat=True)) == [first.pk]


def test_the_limit_is_the_plans_current_value():
    _user, organization = member_on_plan("watcher")
    Plan.objects.filter(code="watcher").update(max_tracked_platforms=2)
    for platform in PlatformFactory.create_batch(2):
        watchlist_add_platform(organization=organization, platform_ref=platform.slug)

    with pytest.raises(ApplicationError, match="Watcher plan tracks up to 2 platforms"):
        watchlist_add_platform(organization=organization, platform_ref=PlatformFactory().slug)
    assert WatchedPlatform.objects.filter(organization=organization).count() == 2


def test_tracking_twice_is_harmless_and_name_works_too():
    _user, organization = member_on_plan("free")
    platform = PlatformFactory(name="Luma AI", slug="luma-ai")
    first = watchlist_add_platform(organization=organization, platform_ref="luma-ai")
    again = watchlist_add_platform(
        organization=organization, platform_ref="  luma ai ".replace(" ai", " AI")
    )
    assert first == again
    assert WatchedPlatform.objects.get().platform == platform


@pytest.mark.parametrize("ref", ["no-such-platform", "", "x" * 500])
def test_an_unknown_platform_is_refused_clearly(ref):
    _user, organization = member_on_plan("watcher")
    with pytest.raises(ApplicationError, match="no platform"):
        watchlist_add_platform(organization=organization, platform_ref=ref)
    assert not WatchedPlatform.objects.exists()


def test_single_clauses_are_for_plans_with_provision_monitoring():
    provision = ProvisionFactory()
    _user, watcher_org = member_on_plan("watcher")
    with pytest.raises(ApplicationError, match="Upgrade to Professional"):
        watchlist_add_provision(organization=watcher_org, provision_id=provision.pk)
    assert not WatchedProvision.objects.exists()

    _user, professional_org = member_on_plan("professional")
    watched = watchlist_add_provision(organization=professional_org, provision_id=provision.pk)
    assert watched.provision == provision
    with pytest.raises(ApplicationError, match="not in the catalog"):
        watchlist_add_provision(organization=professional_org, provision_id=999999)


def test_removing_frees_a_slot():
    _user, organization = member_on_plan("free")
    first, second = PlatformFactory(), PlatformFactory()
    watched = watchlist_add_platform(organization=organization, platform_ref=first.slug)
    watchlist_remove_platform(organization=organization, watched_platform_id=watched.pk)
    watchlist_add_platform(organization=organization, platform_ref=second.slug)
    assert list(WatchedPlatform.objects.values_list("platform", flat=True)) == [second.pk]


def _platform_url(platform):
    return reverse("platforms:platform_detail", kwargs={"platform_slug": platform.slug})


def _provision_url(provision):
    return reverse(
        "platforms:provision_detail",
        kwargs={
            "platform_slug": provision.document.platform.slug,
            "document_slug": provision.document.slug,
            "provision_slug": provision.slug,
        },
    )


def test_a_visitor_is_offered_a_free_account():
    platform = PlatformFactory()
    html = csrf_client().get(_platform_url(platform)).content.decode()
    assert reverse("account_signup") in html
    assert "Start monitoring" in html
    assert "/watchlist/" not in html


def test_start_monitoring_from_a_platform_page():
    user, organization = member_on_plan("free")
    platform = PlatformFactory()
    client = csrf_client(user)
    page = _platform_url(platform)
    form = client.get(page).content.decode()
    add_url = reverse("monitoring:platform_add", kwargs={"org_slug": organization.slug})
    assert f'action="{add_url}"' in form

    response = csrf_post(
        client, add_url, {"platform": platform.slug, "next": page}, form_page=page, follow=True
    )
    assert response.redirect_chain[-1][0] == page
    assert (
        escape(f"Monitoring {platform.name} for {organization.name}.") in response.content.decode()
    )
    assert WatchedPlatform.objects.filter(organization=organization, platform=platform).exists()
    assert escape(f"{organization.name} monitors {platform.name}.") in response.content.decode()


def test_over_the_limit_the_page_explains_and_links_to_plans():
    user, organization = member_on_plan("free")
    tracked, other = PlatformFactory(), PlatformFactory()
    watchlist_add_platform(organization=organization, platform_ref=tracked.slug)
    client = csrf_client(user)
    page = _platform_url(other)

    html = client.get(page).content.decode()
    assert "Free plan tracks up to 1 platform" in html
    assert reverse("billing:pricing") in html

    # Posting anyway (a stale page) changes nothing and says why, with the way to upgrade.
    response = csrf_post(
        client,
        reverse("monitoring:platform_add", kwargs={"org_slug": organization.slug}),
        {"platform": other.slug, "next": page},
        form_page=organization.get_absolute_url(),
        follow=True,
    )
    body = response.content.decode()
    assert "Upgrade to Watcher" in body
    assert f'<a href="{reverse("billing:pricing")}">Compare plans</a>' in body
    assert WatchedPlatform.objects.filter(organization=organization).count() == 1


def test_an_offsite_next_is_ignored():
    user, organization = member_on_plan("free")
    platform = PlatformFactory()
    client = csrf_client(user)
    response = csrf_post(
        client,
        reverse("monitoring:platform_add", kwargs={"org_slug": organization.slug}),
        {"platform": platform.slug, "next": "https://evil.example/"},
        form_page=_platform_url(platform),
    )
    assert response["Location"] == organization.get_absolute_url()


def test_professional_monitors_the_clause_from_a_provision_page():
    user, organization = member_on_plan("professional")
    provision = ProvisionFactory()
    client = csrf_client(user)
    page = _provision_url(provision)
    assert "Start monitoring this clause" in client.get(page).content.decode()

    csrf_post(
        client,
        reverse("monitoring:provision_add", kwargs={"org_slug": organization.slug}),
        {"provision": provision.pk, "next": page},
        form_page=page,
    )
    assert WatchedProvision.objects.filter(organization=organization, provision=provision).exists()
    assert not WatchedPlatform.objects.exists()


def test_watcher_on_a_provision_page_monitors_the_platform():
    user, organization = member_on_plan("watcher")
    provision = ProvisionFactory()
    html = csrf_client(user).get(_provision_url(provision)).content.decode()
    assert reverse("monitoring:platform_add", kwargs={"org_slug": organization.slug}) in html
    assert f'value="{provision.document.platform.slug}"' in html
    assert "Start monitoring this clause" not in html


def test_a_malformed_provision_id_is_a_clear_message():
    user, organization = member_on_plan("professional")
    client = csrf_client(user)
    dashboard = organization.get_absolute_url()
    response = csrf_post(
        client,
        reverse("monitoring:provision_add", kwargs={"org_slug": organization.slug}),
        {"provision": "1 OR 1=1"},
        form_page=dashboard,
        follow=True,
    )
    assert response.status_code == 200
    assert "not in the catalog" in response.content.decode()
    assert not WatchedProvision.objects.exists()


def test_stop_monitoring_over_http():
    user, organization = member_on_plan("professional")
    platform_watch = watchlist_add_platform(
        organization=organization, platform_ref=PlatformFactory().slug
    )
    provision_watch = watchlist_add_provision(
        organization=organization, provision_id=ProvisionFactory().pk
    )
    client = csrf_client(user)
    dashboard = organization.get_absolute_url()

    for name, watched in (
        ("monitoring:platform_remove", platform_watch),
        ("monitoring:provision_remove", provision_watch),
    ):
        url = reverse(name, kwargs={"org_slug": organization.slug, "watched_id": watched.pk})
        assert client.get(url).status_code == 405
        assert csrf_post(client, url, form_page=dashboard)["Location"] == dashboard
    assert not WatchedPlatform.objects.exists()
    assert not WatchedProvision.objects.exists()


def test_the_monitor_button_costs_a_constant_number_of_queries(
    settings, django_assert_max_num_queries
):
    # The queries of building the member's account data, which the watchlist's change would
    # otherwise make the second count alone pay (apps.core.viewer_cache).
    settings.VIEWER_CACHE_ENABLED = False
    user, organization = member_on_plan("professional")
    client = csrf_client(user)
    page = _platform_url(PlatformFactory())
    client.get(page)
    with django_assert_max_num_queries(12) as few:
        client.get(page)
    for platform in PlatformFactory.create_batch(10):
        watchlist_add_platform(organization=organization, platform_ref=platform.slug)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(page)
