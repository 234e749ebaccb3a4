"""The organization dashboard: tracked platforms with their latest changes, the plan and usage."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.documents.models import VersionKind
from apps.monitoring.models import WatchedPlatform, WatchedProvision
from apps.monitoring.selectors import LATEST_CHANGES_PER_PLATFORM
from tests.factories import (
    DocumentFactory,
    DocumentVersionFactory,
    PlatformFactory,
    ProvisionFactory,
)
from tests.tiers import csrf_client, member_on_plan

pytestmark = pytest.mark.django_db


def _platform_with_changes(changes: int):
    document = DocumentFactory()
    start = timezone.now() - timedelta(days=changes + 1)
    DocumentVersionFactory(document=document, number=1, kind=VersionKind.FIRST_RECORD)
    for number in range(2, changes + 2):
        DocumentVersionFactory(
            document=document,
            number=number,
            kind=VersionKind.CHANGE,
            captured_at=start + timedelta(days=number),
        )
    DocumentVersionFactory(document=document, number=changes + 2, kind=VersionKind.REEXTRACTION)
    return document.platform


def _track(organization, platform):
    WatchedPlatform.objects.create(organization=organization, platform=platform)


def test_dashboard_shows_tracked_platforms_latest_changes_and_plan_usage():
    user, organization = member_on_plan("watcher")
    busy = _platform_with_changes(5)
    quiet = PlatformFactory()
    untracked = _platform_with_changes(1)
    _track(organization, busy)
    _track(organization, quiet)

    html = csrf_client(user).get(organization.get_absolute_url()).content.decode()

    assert busy.name in html and quiet.name in html
    assert untracked.name not in html
    # Only real changes, newest first, at most a few per platform.
    shown = [n for n in range(2, 7) if f"(version {n})" in html]
    assert shown == list(range(7 - LATEST_CHANGES_PER_PLATFORM, 7))
    assert "(version 1)" not in html and "(version 7)" not in html
    assert "No documented change yet" in html
    assert "Your plan: Watcher" in html
    assert "2 of 10 tracked" in html
    assert "✓ Regulatory citations" in html
    assert "✗ Full compliance memo" in html
    # Same-day alerts and the weekly digest are sent now, so the plan ticks them.
    assert "✓ Same-day change alerts" in html


def test_dashboard_queries_do_not_grow_with_the_watchlist(settings, django_assert_max_num_queries):
    # The queries of building the member's account data, which the watchlist's change would
    # otherwise make the second count alone pay (apps.core.viewer_cache).
    settings.VIEWER_CACHE_ENABLED = False
    user, organization = member_on_plan("professional")
    client = csrf_client(user)
    url = organization.get_absolute_url()
    _track(organization, _platform_with_changes(2))
    client.get(url)  # warm the session

    # 11: the organization header reads the billing row for the past-due banner; 3 more are the
    # notifications (list and unread count, shared with the header) and the header's current
    # organization.
    with django_assert_max_num_queries(14) as small:
        assert client.get(url).status_code == 200
    for _ in range(12):
        _track(organization, _platform_with_changes(4))
        WatchedProvision.objects.create(organization=organization, provision=ProvisionFactory())
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200
