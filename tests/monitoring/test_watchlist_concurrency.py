"""The watchlist quota holds under concurrent adds: the service locks the organization's row
before counting, so parallel requests at the limit cannot all see room for one more."""

import threading
from decimal import Decimal

import pytest
from django.db import connection
from django_scopes import scope

from apps.accounts.services import organization_create_personal
from apps.billing.models import Plan
from apps.billing.services import subscription_grant
from apps.core.exceptions import ApplicationError
from apps.monitoring.models import WatchedPlatform, WatchedProvision
from apps.monitoring.services import watchlist_add_platform, watchlist_add_provision
from tests.factories import PlatformFactory, ProvisionFactory, UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the quota is serialised by SELECT ... FOR UPDATE, which SQLite does not have; "
        "SQLite runs one writer at a time instead (CI runs this test on PostgreSQL)",
    ),
]

LIMIT = 3
CONCURRENT_ADDS = 8


def _organization_on_a_plan_with_room_for(limit: int):
    plan = Plan.objects.create(
        code="concurrency",
        name="Concurrency",
        monthly_price=Decimal("1.00"),
        max_tracked_platforms=limit,
        provision_monitoring=True,
        max_tracked_provisions=limit,
    )
    organization = organization_create_personal(user=UserFactory())
    subscription_grant(organization=organization, plan=plan)
    return organization


def _add_all_at_once(organization, add, refs) -> tuple[int, list[Exception]]:
    """Runs `add(organization, ref)` for every ref, each in its own thread and database
    connection, all released together. Returns how many succeeded and what the others raised."""
    start = threading.Barrier(len(refs))
    added, refused = [], []

    def one_request(ref):
        try:
            start.wait()
            # A new thread starts with no scope, like a request before its view resolves the org.
            with scope(organization=organization):
                add(organization, ref)
            added.append(ref)
        except Exception as error:  # every outcome is asserted on below
            refused.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=one_request, args=(ref,)) for ref in refs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(added), refused


def test_parallel_platform_adds_at_the_limit_store_exactly_the_limit():
    organization = _organization_on_a_plan_with_room_for(LIMIT)
    platforms = PlatformFactory.create_batch(CONCURRENT_ADDS)

    added, refused = _add_all_at_once(
        organization,
        lambda org, slug: watchlist_add_platform(organization=org, platform_ref=slug),
        [platform.slug for platform in platforms],
    )

    assert added == LIMIT
    assert len(refused) == CONCURRENT_ADDS - LIMIT
    assert all(isinstance(error, ApplicationError) for error in refused), refused
    assert all("tracks up to 3 platforms" in error.message for error in refused)
    assert WatchedPlatform.objects.filter(organization=organization).count() == LIMIT


def test_parallel_provision_adds_at_the_limit_store_exactly_the_limit():
    organization = _organization_on_a_plan_with_room_for(LIMIT)
    provisions = ProvisionFactory.create_batch(CONCURRENT_ADDS)

    added, refused = _add_all_at_once(
        organization,
        lambda org, pk: watchlist_add_provision(organization=org, provision_id=pk),
        [provision.pk for provision in provisions],
    )

    assert added == LIMIT
    assert all(isinstance(error, ApplicationError) for error in refused), refused
    assert WatchedProvision.objects.filter(organization=organization).count() == LIMIT
