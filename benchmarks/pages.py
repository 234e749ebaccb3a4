"""How fast the public pages are on a large catalog, relative to the framework itself.

Builds a catalog (by default 1,000 platforms and 50,000 provisions) in a throw-away database
(SQLite in a temporary folder, or with a PostgreSQL --database-url, or DATABASE_URL, a scratch
database created next to the one named and dropped afterwards, as the test runner does), then
requests the public pages and a minimal Django view through the same process, middleware and
test client, and prints the median time per request of each, rendered (the page cache off) and
served from the page cache (search results too), with its ratio to the minimal view.

    .venv/bin/python benchmarks/pages.py [--platforms 1000] [--provisions 50000] [--requests 30]
        [--database-url postgres://postgres@127.0.0.1:5432/conductatlas]
"""

import argparse
import statistics
import sys
import time

from scratch import add_database_argument, scratch_environment


def minimal_view(request):
    from django.http import HttpResponse

    return HttpResponse("ok")


def timings_ms(client, url: str, *, requests: int) -> list[float]:
    for _ in range(3):  # warm caches, connections and template loading
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def median_ms(client, url: str, *, requests: int) -> float:
    return statistics.median(timings_ms(client, url, requests=requests))


def main(measure_on_catalog=None, description: str = __doc__, extra_arguments=()) -> None:
    """Builds the catalog in a scratch database and runs `measure_on_catalog(args)` (by
    default this module's page timings) against it. `extra_arguments` are (flags, options)
    pairs for the caller's own command-line arguments."""
    parser = argparse.ArgumentParser(description=description.split("\n\n")[0])
    parser.add_argument("--platforms", type=int, default=1000)
    parser.add_argument("--provisions", type=int, default=50000)
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page")
    for flags, options in extra_arguments:
        parser.add_argument(*flags, **options)
    add_database_argument(parser)
    args = parser.parse_args()

    with scratch_environment(database_url=args.database_url, prefix="conductatlas-bench-"):
        run(args, measure_on_catalog or measure)


def run(args, measure_on_catalog) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.urls import include, path

    # The minimal view sits in front of the real URLs, so both go through the same stack.
    module = sys.modules[__name__]
    module.urlpatterns = [
        path("__minimal__/", minimal_view),
        path("", include("conductatlas.urls")),
    ]
    settings.ROOT_URLCONF = __name__
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]

    if connection.vendor == "sqlite":
        # A file, like the embedded mode's database, rather than the test runner's in-memory one.
        connection.settings_dict["TEST"]["NAME"] = connection.settings_dict["NAME"]
    database_name = connection.creation.create_test_db(
        verbosity=0, autoclobber=True, serialize=False
    )
    try:
        measure_on_catalog(args)
    finally:
        connection.creation.destroy_test_db(database_name, verbosity=0)


def build(args) -> None:
    from django.core.management import call_command
    from django.db import connection

    from tests.pages.bulk_catalog import build_catalog

    started = time.perf_counter()
    build_catalog(platforms=args.platforms, provisions=args.provisions)
    call_command("search_index_rebuild", verbosity=0)
    if connection.vendor == "postgresql":
        # What autovacuum does shortly after a bulk load: planner statistics, and the
        # visibility map that lets index-only scans skip the table.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    print(
        f"catalog: {args.platforms:,} platforms, {args.provisions:,} provisions "
        f"(built in {time.perf_counter() - started:.1f} s, {connection.vendor})"
    )


def page_urls() -> dict[str, str]:
    from apps.platforms.models import Platform
    from apps.provisions.models import Provision

    published = Provision.objects.published().select_related("document__platform", "clause_type")
    provision = published.order_by("pk")[published.count() // 2]
    return {
        "minimal view": "/__minimal__/",
        "home": "/",
        "platform list": "/platforms/",
        "platform page": provision.document.platform.get_absolute_url(),
        "document page": provision.document.get_absolute_url(),
        "provision page": provision.get_absolute_url(),
        "clause type": provision.clause_type.get_absolute_url(),
        "regulation": provision.regulations.order_by("pk").first().get_absolute_url(),
        "search page": "/search/?q=arbitration+licence",
        "compare page": "/compare/?platforms="
        + ",".join(Platform.objects.order_by("pk").values_list("slug", flat=True)[:5]),
    }


def measure(args) -> None:
    from django.conf import settings
    from django.core.cache import cache
    from django.test import Client

    build(args)
    pages = page_urls()
    client = Client()
    settings.PAGE_CACHE_ENABLED = False
    rendered = {name: median_ms(client, url, requests=args.requests) for name, url in pages.items()}
    settings.PAGE_CACHE_ENABLED = True
    cache.clear()
    cached = {name: median_ms(client, url, requests=args.requests) for name, url in pages.items()}
    baseline = rendered["minimal view"]
    print(f"median of {args.requests} requests each, as a visitor:")
    print(f"  {'page':<15} {'rendered':>10} {'':>8}   {'cached':>10} {'':>8}")
    for name in pages:
        print(
            f"  {name:<15} {rendered[name]:7.2f} ms {rendered[name] / baseline:6.1f}x   "
            f"{cached[name]:7.2f} ms {cached[name] / baseline:6.1f}x"
        )


if __name__ == "__main__":
    main()
