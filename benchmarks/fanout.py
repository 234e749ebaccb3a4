"""How fast one change reaches everyone who tracks it, and how fast the weekly digests build.

In a throw-away database (SQLite in a temporary folder, or a scratch test_<name> database next
to the PostgreSQL one --database-url or DATABASE_URL names), builds one platform tracked by
--orgs organizations with one member each, records one change of its document, and prints:

- the fan-out: time and number of queries to create every delivery (an email and an in-app
  notification per member of a Watcher organization) and to queue the email sends, in batches,
  on an in-memory broker (the sends themselves are not run);
- the weekly digests: the same organizations on the Free plan, time and number of queries to
  build every member's digest and queue its send.

Targets on the project's machine: fan-out under 30 s, digests under 60 s, and query counts
that do not grow with --orgs.

    .venv/bin/python benchmarks/fanout.py [--orgs 100000]
        [--database-url postgres://postgres@127.0.0.1:5432/conductatlas]
"""

import argparse
import time
from datetime import timedelta

from scratch import add_database_argument, scratch_environment

BATCH = 5000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orgs", type=int, default=100_000)
    add_database_argument(parser)
    args = parser.parse_args()

    with scratch_environment(database_url=args.database_url, prefix="conductatlas-fanout-"):
        run(args)


def run(args) -> None:
    import django

    django.setup()
    from django.db import connection
    from django_scopes import scopes_disabled

    from conductatlas.celery import app

    # Queue the sends on an in-memory broker instead of running them in-process.
    app.conf.update(task_always_eager=False, broker_url="memory://")
    if connection.vendor == "sqlite":
        connection.settings_dict["TEST"]["NAME"] = connection.settings_dict["NAME"]
    database_name = connection.creation.create_test_db(
        verbosity=0, autoclobber=True, serialize=False
    )
    try:
        # The benchmark builds and counts every organization's rows, as the admin would.
        with scopes_disabled():
            measure(args)
    finally:
        connection.creation.destroy_test_db(database_name, verbosity=0)


def build(orgs: int):
    """One platform, one document with a recorded change, and `orgs`
    organizations (one member each) tracking the platform on the Watcher plan."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection

    from apps.accounts.models import Membership, Organization, Role, User
    from apps.billing.models import Plan, Subscription
    from apps.documents.models import ChangeEvent, VersionKind
    from apps.monitoring.models import WatchedPlatform
    from tests.factories import DocumentFactory, DocumentVersionFactory

    document = DocumentFactory()
    first = DocumentVersionFactory(document=document, number=1, text="# Terms\n\nOld words.")
    second = DocumentVersionFactory(
        document=document, number=2, kind=VersionKind.CHANGE, text="# Terms\n\nNew words."
    )
    event = ChangeEvent.objects.create(
        document=document,
        version=second,
        previous_version=first,
        summary={"sections_added": [], "sections_removed": [], "sections_reworded": ["Terms"]},
    )
    watcher = Plan.objects.get(code="watcher")
    no_password = make_password(None)
    for start in range(0, orgs, BATCH):
        numbers = range(start, min(start + BATCH, orgs))
        users = User.objects.bulk_create(
            [User(email=f"member{n}@bench.example", password=no_password) for n in numbers]
        )
        organizations = Organization.objects.bulk_create(
            [Organization(name=f"Organization {n}", slug=f"org-{n}") for n in numbers]
        )
        Membership.objects.bulk_create(
            [
                Membership(organization=organization, user=user, role=Role.OWNER)
                for organization, user in zip(organizations, users, strict=True)
            ]
        )
        WatchedPlatform.objects.bulk_create(
            [
                WatchedPlatform(organization=organization, platform=document.platform)
                for organization in organizations
            ]
        )
        Subscription.objects.bulk_create(
            [Subscription(organization=org, plan=watcher) for org in organizations]
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    return event


def timed(what, function):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = function()
        elapsed = time.perf_counter() - started
    print(f"{what}: {elapsed:.2f} s, {len(queries)} queries")
    slowest = sorted(queries.captured_queries, key=lambda query: -float(query["time"]))[:3]
    for query in slowest:
        print(f"  {float(query['time']):7.2f} s  {query['sql'][:70]}")
    return result


def measure(args) -> None:
    from django.db import connection
    from django.utils import timezone

    from apps.billing.models import AlertFrequency, Plan, Subscription
    from apps.monitoring.alerts import change_event_alerts_queue
    from apps.monitoring.digests import DEFAULT_SCHEDULE, digests_dispatch
    from apps.monitoring.models import Channel, Delivery

    started = time.perf_counter()
    event = build(args.orgs)
    now = timezone.now()
    # The change falls in the week whose digests are due now.
    _start, end = DEFAULT_SCHEDULE.period(AlertFrequency.WEEKLY, now)
    event.created_at = end - timedelta(days=1)
    event.save(update_fields=["created_at"])
    print(
        f"{args.orgs:,} organizations tracking one platform, built in "
        f"{time.perf_counter() - started:.1f} s ({connection.vendor})"
    )

    fan_out = timed(
        "fan-out (deliveries created, sends queued)",
        lambda: change_event_alerts_queue(change_event=event),
    )
    emails = Delivery.objects.filter(channel=Channel.EMAIL).count()
    notifications = Delivery.objects.filter(channel=Channel.IN_APP).count()
    print(
        f"  {emails:,} email deliveries, {notifications:,} notifications, "
        f"{len(fan_out.email_ids):,} sends queued"
    )

    # The same organizations on the Free plan: the change reaches them in the weekly digest.
    # (An UPDATE: deleting the subscriptions one history record at a time would take minutes.)
    Subscription.objects.update(plan=Plan.objects.get(code="free"))
    Delivery.objects.all().delete()
    built = timed(
        "weekly digests (built, sends queued)",
        lambda: digests_dispatch(now=now),
    )
    print(f"  {len(built):,} digests built")


if __name__ == "__main__":
    main()
