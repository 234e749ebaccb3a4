"""A signed-in member's account data cached between requests (apps.core.viewer_cache): their
organization, plan, unread count and watchlist as the personal parts of cached pages show
them. Each member sees only their own, and every write that changes it shows at the next
request."""

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import Membership, Role
from apps.accounts.services import membership_remove, organization_switch
from apps.billing import entitlements
from apps.billing.models import Plan, Subscription
from apps.billing.services import subscription_grant
from apps.core.viewer_cache import viewer_cache_invalidate, viewer_part
from apps.monitoring.alerts import change_event_fan_out
from apps.monitoring.models import Channel, Delivery, SendStatus, WatchedPlatform
from tests.alerts.helpers import first_record, record_change
from tests.factories import DocumentFactory
from tests.pages.sample_catalog import build_sample_catalog
from tests.tiers import csrf_client, csrf_post, member_on_plan


@pytest.fixture
def sample(db, settings):
    settings.PAGE_CACHE_ENABLED = True
    settings.VIEWER_CACHE_ENABLED = True
    cache.clear()
    return build_sample_catalog()


def get(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def unread_badge(html: str) -> str | None:
    """The header's unread count, if it shows one."""
    found = re.search(r'id="header-dashboard">Dashboard <span[^>]*>(\d+)</span>', html)
    return found.group(1) if found else None


def notify(user, organization, count: int) -> None:
    document = DocumentFactory()
    version = first_record(document)
    for _ in range(count):
        event = record_change(version, text=f"# Terms\n\nVersion {version.number + 1}.")
        version = event.version
        Delivery.objects.create(
            organization=organization,
            recipient=user,
            change_event=event,
            channel=Channel.IN_APP,
            status=SendStatus.SENT,
        )


def signed_in(plan: str, organization_name: str):
    user, organization = member_on_plan(plan)
    organization.name = organization_name
    organization.save()
    return user, organization, csrf_client(user)


def test_each_member_sees_only_their_own_organization_watchlist_and_alerts(sample):
    platform_url = sample.platform.get_absolute_url()
    provision_url = sample.provision.get_absolute_url()
    alice, alpha, alice_client = signed_in("watcher", "Alpha Org")
    _bob, _beta, bob_client = signed_in("watcher", "Beta Org")
    _carol, _gamma, carol_client = signed_in("professional", "Gamma Org")
    WatchedPlatform.objects.create(organization=alpha, platform=sample.platform)
    notify(alice, alpha, 2)
    for _round in range(3):  # the first fills the caches, the others are served from them
        alice_html = get(alice_client, platform_url)
        assert "Alpha Org monitors Luma AI." in alice_html
        assert unread_badge(alice_html) == "2"
        bob_html = get(bob_client, platform_url)
        assert "For Beta Org: 0 of" in bob_html
        assert unread_badge(bob_html) is None
        assert "Alpha Org" not in bob_html
        # Same page, another plan: the professional tracks clauses, the watcher platforms.
        carol_html = get(carol_client, provision_url)
        assert "Start monitoring this clause" in carol_html and "For Gamma Org:" in carol_html
        assert "Alpha Org" not in carol_html and "Beta Org" not in carol_html
        assert "Start monitoring this clause" not in get(bob_client, provision_url)


def test_tracking_and_untracking_show_at_the_next_request(sample):
    user, organization, client = signed_in("watcher", "Alpha Org")
    url = sample.platform.get_absolute_url()
    assert "For Alpha Org: 0 of" in get(client, url)
    assert "For Alpha Org: 0 of" in get(client, url)  # from the caches
    add_url = reverse("monitoring:platform_add", kwargs={"org_slug": organization.slug})
    csrf_post(client, add_url, {"platform": sample.platform.slug, "next": url}, form_page=url)
    assert "Alpha Org monitors Luma AI." in get(client, url)
    watched = WatchedPlatform.objects.get(organization=organization)
    remove_url = reverse(
        "monitoring:platform_remove",
        kwargs={"org_slug": organization.slug, "watched_id": watched.pk},
    )
    csrf_post(client, remove_url, {"next": url}, form_page=url)
    html = get(client, url)
    assert "monitors Luma AI" not in html and "For Alpha Org: 0 of" in html


def test_pausing_an_item_shows_at_the_next_request(sample):
    user, organization, client = signed_in("watcher", "Alpha Org")
    other = DocumentFactory().platform
    WatchedPlatform.objects.create(organization=organization, platform=other)
    url = sample.platform.get_absolute_url()
    assert "For Alpha Org: 1 of" in get(client, url)
    watched = WatchedPlatform.objects.get(organization=organization)
    pause_url = reverse(
        "monitoring:item_pause",
        kwargs={"org_slug": organization.slug, "kind": "platforms", "watched_id": watched.pk},
    )
    csrf_post(client, pause_url, {"next": url}, form_page=url)
    assert "For Alpha Org: 0 of" in get(client, url)


def test_reading_alerts_shows_at_the_next_request(sample):
    user, organization, client = signed_in("watcher", "Alpha Org")
    notify(user, organization, 2)
    url = sample.provision.get_absolute_url()
    assert unread_badge(get(client, url)) == "2"
    assert unread_badge(get(client, url)) == "2"
    read_url = reverse("monitoring:notifications_read", kwargs={"org_slug": organization.slug})
    first = Delivery.objects.order_by("pk").first()
    csrf_post(client, read_url, {"notification": str(first.pk)}, form_page=url)
    assert unread_badge(get(client, url)) == "1"
    csrf_post(client, read_url, {}, form_page=url)
    assert unread_badge(get(client, url)) is None


def test_a_new_alert_shows_in_the_header_at_the_next_request(sample):
    user, organization, client = signed_in("watcher", "Alpha Org")
    document = DocumentFactory(platform=sample.platform)
    WatchedPlatform.objects.create(organization=organization, platform=sample.platform)
    url = sample.platform.get_absolute_url()
    event = record_change(first_record(document))
    assert unread_badge(get(client, url)) is None
    change_event_fan_out(change_event=event)
    assert unread_badge(get(client, url)) == "1"
    event.delete()
    assert unread_badge(get(client, url)) is None


def test_a_plan_change_shows_at_the_next_request(sample):
    user, organization, client = signed_in("free", "Alpha Org")
    url = sample.provision.get_absolute_url()
    assert "LOCKED-ACTION-ITEMS" not in get(client, url)
    assert "LOCKED-ACTION-ITEMS" not in get(client, url)
    subscription_grant(organization=organization, plan=Plan.objects.get(code="professional"))
    html = get(client, url)
    assert "LOCKED-ACTION-ITEMS" in html and "Start monitoring this clause" in html


def test_the_end_of_a_grace_period_shows_without_a_write(sample, monkeypatch):
    """A past-due subscription keeps its plan until its grace period ends, which no write
    announces: the cached parts that depend on the plan must not outlive it."""
    user, organization, client = signed_in("professional", "Alpha Org")
    subscription = Subscription.objects.get(organization=organization)
    subscription.grace_until = timezone.now() + timedelta(hours=1)
    subscription.save()
    url = sample.provision.get_absolute_url()
    for _round in range(2):
        html = get(client, url)
        assert "LOCKED-ACTION-ITEMS" in html and "Start monitoring this clause" in html
    later = timezone.now() + timedelta(hours=2)
    monkeypatch.setattr(entitlements.timezone, "now", lambda: later)
    html = get(client, url)
    assert "LOCKED-ACTION-ITEMS" not in html and "Start monitoring this clause" not in html
    assert "For Alpha Org: 0 of 1 platform tracked" in html


def test_an_organization_rename_shows_at_the_next_request(sample):
    _user, organization, client = signed_in("watcher", "Alpha Org")
    url = sample.platform.get_absolute_url()
    assert "For Alpha Org:" in get(client, url)
    organization.name = "Renamed Org"
    organization.save()
    assert "For Renamed Org:" in get(client, url)


def test_membership_changes_show_at_the_next_request(sample):
    owner, team, owner_client = signed_in("professional", "Team Org")
    member, _personal = member_on_plan("free")
    Membership.objects.create(organization=team, user=member, role=Role.MEMBER)
    client = csrf_client(member)
    session = client.session
    organization_switch(session=session, user=member, organization_slug=team.slug)
    session.save()
    url = sample.provision.get_absolute_url()
    html = get(client, url)
    assert "LOCKED-ACTION-ITEMS" in html and "For Team Org:" in html
    membership = Membership.objects.get(organization=team, user=member)
    membership_remove(organization=team, actor=owner, membership_id=membership.pk)
    html = get(client, url)
    assert "LOCKED-ACTION-ITEMS" not in html and "Team Org" not in html


@pytest.mark.parametrize("change", ["password", "deactivation"])
def test_a_password_change_or_deactivation_signs_other_sessions_out(sample, change):
    user, _organization, client = signed_in("watcher", "Alpha Org")
    url = sample.platform.get_absolute_url()
    assert "Log out" in get(client, url)
    assert "Log out" in get(client, url)  # the user read from the cache
    if change == "password":
        user.set_password("a-new-password-2026")
    else:
        user.is_active = False
    user.save()
    html = get(client, url)
    assert "Log in" in html and "Log out" not in html


def test_a_cached_member_page_runs_no_query(sample, django_assert_num_queries):
    _user, _organization, client = signed_in("watcher", "Alpha Org")
    for url in (sample.platform.get_absolute_url(), sample.provision.get_absolute_url()):
        first = get(client, url)
        with django_assert_num_queries(0):
            html = get(client, url)
        assert html.count("For Alpha Org:") == first.count("For Alpha Org:") == 1


def test_a_write_during_a_build_leaves_the_part_stale_not_wrong(db, settings):
    settings.VIEWER_CACHE_ENABLED = True
    cache.clear()
    builds = []

    def build():
        builds.append(len(builds))
        if len(builds) == 1:
            # Written after the build read the database, before it cached what it read.
            viewer_cache_invalidate(user_ids=[7])
        return len(builds)

    def request():
        return SimpleNamespace(user=SimpleNamespace(pk=7))

    assert viewer_part(request(), "count", build) == 1
    assert viewer_part(request(), "count", build) == 2
    assert viewer_part(request(), "count", build) == 2
    assert viewer_part(SimpleNamespace(user=SimpleNamespace(pk=8)), "count", build) == 3
