"""How the busiest reads and the dispatcher behave at scale, on PostgreSQL.

Builds the data with bulk SQL (generate_series) in the database named by --database-url
(default: the SCALE_DATABASE_URL environment variable, else h_scale_bench on the local server):
documents (100 per platform) each fetched daily, versions with their archived snapshots, fetch
attempts spread over 180 days, organizations tracking 5 platforms each (a third of them a
popular platform) and published provisions. Then prints, for that size, the median time and the
query count of each page, admin list and periodic selection, and the indexes their plans use
(any sequential scan of a large table is named too). With --reuse, data already built at the same
size is kept: building 10 million fetch attempts takes a while on a small machine.

    .venv/bin/python benchmarks/scale.py --documents 1000000 --versions-per-document 1 \
        --attempts 10000000 --organizations 100000 [--reuse] [--repeat 15]

Dispatch passes publish their tasks to the broker named by CELERY_BROKER_URL (the queue is
emptied afterwards) and are undone afterwards, so the data stays reusable.
"""

import argparse
import json
import logging
import math
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DAY = 86400
# Each document's phase within its daily interval is a permutation of its id, as the
# scheduler's hash spreads real documents, so id order and due order differ.
PHASE_SQL = "((id * 7919) %% 86400) * interval '1 second'"
LARGE_TABLE_ROWS = 10_000
TARGET_PAGE_MS = 50
TARGET_PERIODIC_MS = 10


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--versions-per-document", type=int, default=1)
    parser.add_argument("--attempts", type=int, default=100_000)
    parser.add_argument("--organizations", type=int, default=1_000)
    parser.add_argument(
        "--provisions", type=int, default=None, help="published provisions (default documents/10)"
    )
    parser.add_argument("--repeat", type=int, default=15, help="timed runs per measure")
    parser.add_argument(
        "--worker-slots",
        type=int,
        default=None,
        help="DOCUMENTS_WORKER_SLOTS for the dispatch passes (default: enough for the daily "
        "due rate at DOCUMENTS_EXPECTED_CHECK_SECONDS)",
    )
    parser.add_argument("--reuse", action="store_true", help="keep data built at the same size")
    parser.add_argument("--build-only", action="store_true", help="build, measure nothing")
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "SCALE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/h_scale_bench"
        ),
    )
    args = parser.parse_args()
    if args.provisions is None:
        args.provisions = max(args.documents // 10, 1)
    if not args.database_url.startswith("postgres"):
        parser.error("the scale benchmark builds its data with PostgreSQL's generate_series")
    if args.documents < 1000:
        parser.error("--documents must be at least 1000 (10 platforms, 5 tracked per organization)")
    return args


def setup_django(args) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "conductatlas.settings.test"
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from conductatlas.celery import app

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    # A minimal view in front of the real URLs, through the same middleware: the floor every
    # page pays on this machine at this moment, printed beside the pages.
    from django.urls import include, path

    module = sys.modules[__name__]
    module.urlpatterns = [
        path("__minimal__/", minimal_view),
        path("", include("conductatlas.urls")),
    ]
    settings.ROOT_URLCONF = __name__
    # Dispatch passes publish to a real broker, as the beat does; nothing consumes them here.
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    app.conf.broker_url = settings.CELERY_BROKER_URL
    call_command("migrate", verbosity=0)
    # The dispatcher warns at capacity, which the backlog pass is on purpose.
    logging.getLogger("apps.documents.services.scheduling").setLevel(logging.ERROR)


def minimal_view(request):
    from django.http import HttpResponse

    return HttpResponse("ok")


SIZE_COLUMNS = ["documents", "versions_per_document", "attempts", "organizations", "provisions"]


def stored_sizes(cursor) -> dict | None:
    cursor.execute(
        "CREATE TABLE IF NOT EXISTS scale_bench_sizes (sizes jsonb, built_at timestamptz)"
    )
    cursor.execute("SELECT sizes, built_at FROM scale_bench_sizes")
    row = cursor.fetchone()
    if row is None:
        return None
    # Django reads jsonb as text; its JSONField decodes it.
    return {"sizes": json.loads(row[0]), "built_at": row[1]}


def build(args, cursor) -> None:
    from django.contrib.auth import get_user_model
    from django_scopes import scopes_disabled

    from apps.accounts.models import Membership, Organization
    from apps.billing.models import Plan, Subscription
    from apps.core.models import RecordSequence
    from apps.monitoring.models import WatchedPlatform
    from apps.provisions.models import ClauseType

    documents, per_document = args.documents, args.versions_per_document
    versions = documents * per_document
    platforms = documents // 100
    started = time.perf_counter()

    def step(label, sql, params=()):
        began = time.perf_counter()
        cursor.execute(sql, params)
        print(f"  built {label} in {time.perf_counter() - began:.1f} s", flush=True)

    cursor.execute("SET synchronous_commit = off")
    cursor.execute("SET maintenance_work_mem = '256MB'")
    cursor.execute(
        "TRUNCATE platforms_platform, accounts_organization, accounts_user,"
        " provisions_clausetype, documents_archivedsnapshot, scale_bench_sizes CASCADE"
    )
    cursor.execute("SELECT now()")
    built_at = cursor.fetchone()[0]
    step(
        f"{platforms:,} platforms",
        "INSERT INTO platforms_platform (id, created_at, updated_at, name, slug, website, sector,"
        " logo_url, description) SELECT i, %s, %s, 'Platform ' || i, 'platform-' || i,"
        " 'https://platform-' || i || '.example', 'other', '', '' FROM generate_series(1, %s) i",
        [built_at, built_at, platforms],
    )
    step(
        f"{documents:,} documents",
        # The one interpolated part is this module's own constant.
        "INSERT INTO documents_document (id, created_at, updated_at, title, slug, doc_type,"  # noqa: S608
        " record_id, source_url, select_selectors, remove_selectors, extraction_rule_version,"
        " is_monitored, fetch_interval_hours, platform_id, consecutive_failures, etag,"
        " fetch_lease_token, last_modified, last_raw_sha256, next_fetch_at)"
        " SELECT i, %s, %s, 'Terms ' || i, 'terms-' || i, 'terms_of_service',"
        " 'CA-D-' || lpad(i::text, 7, '0'), 'https://platform-' || (1 + i %% %s) || '.example/'"
        " || i, '', '', 1, true, 24, 1 + i %% %s, 0, '', '', '', '',"
        f" %s + {PHASE_SQL.replace('id', 'i::bigint')} FROM generate_series(1, %s) i",
        [built_at, built_at, platforms, platforms, built_at, documents],
    )
    step(
        f"{versions:,} snapshots",
        "INSERT INTO documents_archivedsnapshot (id, created_at, updated_at, sha256, storage_name,"
        " size, content_type, final_url, headers, fetched_at, last_verified_at,"
        " last_verification_ok) SELECT i, %s, %s, md5(i::text) || md5('s' || i),"
        " 'archive/' || i || '.gz', 4000, 'text/html', '', '{}',"
        " %s - (i %% 700) * interval '1 day',"
        " CASE WHEN i %% 50 = 0 THEN NULL ELSE %s - (i %% 604800) * interval '1 second' END,"
        " CASE WHEN i %% 50 = 0 THEN NULL ELSE true END FROM generate_series(1, %s) i",
        [built_at, built_at, built_at, built_at, versions],
    )
    step(
        f"{versions:,} versions",
        "INSERT INTO documents_documentversion (id, created_at, updated_at, number, kind,"
        " captured_at, text, text_sha256, extraction_rule_version, archive_url, change_summary,"
        " document_id, snapshot_id, wayback_job_id, wayback_attempts, chain_sha256,"
        " previous_chain_sha256) SELECT i, %s, %s, 1 + (i - 1) %% %s,"
        " CASE WHEN (i - 1) %% %s > 0 OR i %% 3 = 0 THEN 'change' ELSE 'first_record' END,"
        " %s - (i %% 700) * interval '1 day' - (i %% 86400) * interval '1 second',"
        " repeat('Terms of service. ', 20), md5(i::text) || md5(i::text), 1, '', '{}',"
        " 1 + (i - 1) / %s, i, '', 0, md5('c' || i) || md5('c' || i), ''"
        " FROM generate_series(1, %s) i",
        [built_at, built_at, per_document, per_document, built_at, per_document, versions],
    )
    chunk = 2_000_000
    for first in range(1, args.attempts + 1, chunk):
        last = min(first + chunk - 1, args.attempts)
        step(
            f"fetch attempts {first:,}-{last:,}",
            # Ids grow with time, as appended rows do: the oldest is 180 days old.
            "INSERT INTO documents_fetchattempt (id, started_at, finished_at, outcome,"
            " error_kind, message, http_status, duration_ms, raw_sha256, document_id)"
            " SELECT i, %s - interval '180 days' + (i::float8 / %s * 180 * 86400) * interval"
            " '1 second', %s - interval '180 days' + (i::float8 / %s * 180 * 86400 + 1)"
            " * interval '1 second', CASE WHEN i %% 40 = 0 THEN 'error' ELSE 'unchanged' END,"
            " CASE WHEN i %% 40 = 0 THEN 'transient' ELSE '' END, '', 200, 900, '',"
            " 1 + i %% %s FROM generate_series(%s, %s) i",
            [built_at, args.attempts, built_at, args.attempts, documents, first, last],
        )
    step(
        f"{args.organizations:,} organizations",
        "INSERT INTO accounts_organization (id, created_at, updated_at, name, slug, is_personal)"
        " SELECT i, %s, %s, 'Organization ' || i, 'org-' || i, false"
        " FROM generate_series(1, %s) i",
        [built_at, built_at, args.organizations],
    )
    step(
        f"{args.organizations * 5:,} tracked platforms",
        # The first of each organization's five is one of three popular platforms; the others
        # spread over the rest of the catalog.
        "INSERT INTO monitoring_watchedplatform (created_at, updated_at, organization_id,"
        " platform_id) SELECT %s, %s, o, CASE WHEN j = 0 THEN 1 + o %% 3 ELSE"
        " 4 + (o + j * ((%s - 3) / 5)) %% (%s - 3) END"
        " FROM generate_series(1, %s) o, generate_series(0, 4) j ON CONFLICT DO NOTHING",
        [built_at, built_at, platforms, platforms, args.organizations],
    )
    clause_type = ClauseType.objects.create(name="Arbitration", slug="arbitration")
    step(
        f"{args.provisions:,} published provisions",
        "INSERT INTO provisions_provision (created_at, updated_at, record_id, title, slug, status,"
        " published_at, severity, clause_text, summary, why_it_matters, consumer_impact,"
        " interpretive_note, regulatory_framework, governance_exposure, jurisdiction_flags,"
        " contract_vendor_implications, compliance_considerations, enforcement_risk,"
        " action_items, needs_review, review_reason, curator_note, no_agency_applies,"
        " no_regulation_applies, clause_type_id, document_id)"
        " SELECT %s, %s, 'CA-P-' || lpad(i::text, 7, '0'), 'Provision ' || i, 'provision-' || i,"
        " 'published', %s - (i %% 700) * interval '1 day' - (i %% 86400) * interval '1 second',"
        " 1 + i %% 3, 'Any dispute is settled by arbitration.', 'Arbitration.', '', '', '', '',"
        " '', '', '', '', '', '', false, '', '', false, false, %s, 1 + (i * 10) %% %s"
        " FROM generate_series(1, %s) i",
        [built_at, built_at, built_at, clause_type.pk, documents, args.provisions],
    )
    for table in [
        "platforms_platform",
        "documents_document",
        "documents_archivedsnapshot",
        "documents_documentversion",
        "documents_fetchattempt",
        "accounts_organization",
    ]:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"  # noqa: S608
            f" (SELECT max(id) FROM {table}))"
        )
    RecordSequence.objects.update_or_create(key="document", defaults={"last_value": documents})
    RecordSequence.objects.update_or_create(
        key="provision", defaults={"last_value": args.provisions}
    )

    # The measuring member: an organization on the Professional plan, tracking five platforms.
    user = get_user_model().objects.create_superuser(email="bench@scale.test", password=None)
    with scopes_disabled():
        organization = Organization.objects.create(name="Bench organization", slug="bench-org")
        Membership.objects.create(organization=organization, user=user, role="owner")
        Subscription.objects.create(
            organization=organization, plan=Plan.objects.get(code="professional"), status="active"
        )
        for platform_id in range(1, 6):
            WatchedPlatform.objects.create(organization=organization, platform_id=platform_id)
    cursor.execute(
        "INSERT INTO scale_bench_sizes (sizes, built_at) VALUES (%s, %s)",
        [json.dumps(sizes_of(args)), built_at],
    )
    began = time.perf_counter()
    # What autovacuum does shortly after a bulk load: planner statistics and the visibility map.
    cursor.execute("VACUUM ANALYZE")
    print(f"  vacuumed and analysed in {time.perf_counter() - began:.1f} s")
    print(f"built in {time.perf_counter() - started:.1f} s", flush=True)


def sizes_of(args) -> dict:
    return {column: getattr(args, column) for column in SIZE_COLUMNS}


# --- measuring -----------------------------------------------------------------------------


def plan_summary(queries: list[dict]) -> str:
    """The indexes the plans of `queries` use, and any sequential scan of a large table."""
    from django.db import connection

    indexes, scans = [], []
    with connection.cursor() as cursor:
        for query in queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE", "WITH")):
                continue
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
            nodes = [cursor.fetchone()[0][0]["Plan"]]
            while nodes:
                node = nodes.pop()
                nodes.extend(node.get("Plans", []))
                if "Index Name" in node and node["Index Name"] not in indexes:
                    indexes.append(node["Index Name"])
                if node["Node Type"] == "Seq Scan":
                    cursor.execute(
                        "SELECT reltuples FROM pg_class WHERE relname = %s", [node["Relation Name"]]
                    )
                    if cursor.fetchone()[0] > LARGE_TABLE_ROWS:
                        scans.append(node["Relation Name"])
    summary = ", ".join(indexes) or "-"
    if scans:
        summary += "; SEQ SCAN " + ", ".join(sorted(set(scans)))
    return summary


def measure(name, run, *, repeat: int, target_ms: float, undo=None) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(2):
        run()
        if undo:
            undo()
    timings, cpu_timings = [], []
    for _ in range(repeat):
        started, cpu_started = time.perf_counter(), time.process_time()
        run()
        timings.append((time.perf_counter() - started) * 1000)
        cpu_timings.append((time.process_time() - cpu_started) * 1000)
        if undo:
            undo()
    with CaptureQueriesContext(connection) as captured:
        run()
    if undo:
        undo()
    return {
        "name": name,
        "ms": statistics.median(timings),
        # This process's own CPU time (the database's is its server's): on a shared machine,
        # what the wall time would be without the others' load, less the database's share.
        "cpu_ms": statistics.median(cpu_timings),
        "db_ms": sum(float(query["time"]) for query in captured.captured_queries) * 1000,
        "queries": len(captured.captured_queries),
        "plan": plan_summary(captured.captured_queries),
        "target_ms": target_ms,
    }


def measures(args, built_at) -> tuple[list[dict], list[str]]:
    from datetime import timedelta

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.test import Client
    from django_scopes import scopes_disabled

    from apps.accounts.models import Organization
    from apps.documents.models import Document
    from apps.documents.selectors import documents_due, snapshots_scrub_batch
    from apps.documents.services import (
        documents_dispatch,
        documents_dispatch_capacity,
        fetch_attempts_prune_batch,
    )
    from apps.monitoring.models import WatchedPlatform
    from apps.monitoring.services import watchlist_add_platform
    from conductatlas.celery import app

    client = Client()
    client.force_login(get_user_model().objects.get(email="bench@scale.test"))
    middle = args.documents // 2
    document = Document.objects.select_related("platform").get(pk=middle)
    repeat = args.repeat

    def page(url):
        def run():
            response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")

        return run

    def watchlist_add():
        with scopes_disabled(), transaction.atomic():
            organization = Organization.objects.get(slug="bench-org")
            watchlist_add_platform(organization=organization, platform_ref="platform-7")
            transaction.set_rollback(True)

    def who_tracks():
        with scopes_disabled():
            list(
                WatchedPlatform.objects.filter(platform_id=1, paused_at__isnull=True).values_list(
                    "organization_id", flat=True
                )
            )

    results = [
        measure("minimal view (floor)", page("/__minimal__/"), repeat=repeat, target_ms=50),
        measure("home page", page("/"), repeat=repeat, target_ms=TARGET_PAGE_MS),
        measure(
            "platform page",
            page(document.platform.get_absolute_url()),
            repeat=repeat,
            target_ms=TARGET_PAGE_MS,
        ),
        measure("document page", page(document.get_absolute_url()), repeat=repeat, target_ms=50),
        measure("dashboard", page("/orgs/bench-org/"), repeat=repeat, target_ms=TARGET_PAGE_MS),
        measure("watchlist add", watchlist_add, repeat=repeat, target_ms=TARGET_PAGE_MS),
        measure(
            "admin fetch attempts",
            page("/admin/documents/fetchattempt/"),
            repeat=repeat,
            target_ms=TARGET_PAGE_MS,
        ),
        measure(
            "admin fetch attempts, errors",
            page("/admin/documents/fetchattempt/?outcome=error"),
            repeat=repeat,
            target_ms=TARGET_PAGE_MS,
        ),
        measure(
            "admin fetch attempts, interrupted",
            page("/admin/documents/fetchattempt/?outcome=interrupted"),
            repeat=repeat,
            target_ms=TARGET_PAGE_MS,
        ),
        measure(
            "admin fetch attempts, blocked",
            page("/admin/documents/fetchattempt/?error_kind=blocked"),
            repeat=repeat,
            target_ms=TARGET_PAGE_MS,
        ),
        measure(
            "admin documents",
            page("/admin/documents/document/"),
            repeat=repeat,
            target_ms=TARGET_PAGE_MS,
        ),
        measure(
            "admin documents, failing",
            page("/admin/documents/document/?health=failing"),
            repeat=repeat,
            target_ms=TARGET_PAGE_MS,
        ),
        measure(
            "admin versions",
            page("/admin/documents/documentversion/"),
            repeat=repeat,
            target_ms=TARGET_PAGE_MS,
        ),
        measure(
            "admin snapshots (scrub progress)",
            page("/admin/documents/archivedsnapshot/"),
            repeat=repeat,
            target_ms=TARGET_PAGE_MS,
        ),
        measure("who tracks this platform", who_tracks, repeat=repeat, target_ms=TARGET_PAGE_MS),
        measure(
            "scrub batch selection",
            lambda: snapshots_scrub_batch(),
            repeat=repeat,
            target_ms=TARGET_PERIODIC_MS,
        ),
        measure(
            "prune batch selection",
            fetch_attempts_prune_batch,
            repeat=repeat,
            target_ms=TARGET_PERIODIC_MS,
        ),
    ]

    # Dispatch: documents fall due evenly over the day from `built_at`. Pass k runs a minute
    # after pass k-1, so it finds the documents due in that minute; the backlog pass runs six
    # hours in with nothing dispatched before it. Each pass is undone afterwards.
    due_per_minute = args.documents / (24 * 60)
    slots = args.worker_slots or math.ceil(
        due_per_minute * 1.5 * settings.DOCUMENTS_EXPECTED_CHECK_SECONDS / 60
    )
    settings.DOCUMENTS_WORKER_SLOTS = slots
    claimed: list[int] = []
    minute = iter(range(1, 10_000))

    def undo_dispatch():
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE documents_document SET next_fetch_at = %s + {PHASE_SQL},"  # noqa: S608
                " fetch_lease_until = NULL, fetch_lease_token = '' WHERE id = ANY(%s)",
                [built_at, claimed],
            )
        claimed.clear()
        app.control.purge()

    def steady_pass():
        claimed.extend(documents_dispatch(now=built_at + timedelta(minutes=next(minute))))

    def backlog_pass():
        claimed.extend(documents_dispatch(now=built_at + timedelta(hours=6)))

    period_ms = settings.DOCUMENTS_DISPATCH_EVERY_SECONDS * 1000
    capacity = documents_dispatch_capacity()
    selection = measure(
        "dispatch selection",
        lambda: list(
            documents_due(now=built_at + timedelta(hours=6)).values_list("pk", flat=True)[:capacity]
        ),
        repeat=repeat,
        target_ms=TARGET_PERIODIC_MS,
    )
    app.control.purge()
    # Steady passes are not undone between runs: each takes the next minute's documents. A
    # pass (selection, lease claims and publishing every task) must end well inside its period.
    steady = measure("dispatch pass", steady_pass, repeat=repeat, target_ms=period_ms)
    queued_steady = len(claimed) / (repeat + 3)
    undo_dispatch()
    backlog = measure(
        "dispatch pass, 6 h backlog",
        backlog_pass,
        repeat=3,
        target_ms=period_ms,
        undo=undo_dispatch,
    )
    notes = [
        f"dispatch: {due_per_minute:,.0f} documents due per minute on a daily interval; "
        f"capacity {capacity:,} per pass ({slots} worker slots x "
        f"{settings.DOCUMENTS_DISPATCH_EVERY_SECONDS:.0f} s / "
        f"{settings.DOCUMENTS_EXPECTED_CHECK_SECONDS:g} s per check); "
        f"steady pass queued {queued_steady:,.0f} per minute in {steady['ms']:.0f} ms; "
        f"backlog pass queued {capacity:,} in {backlog['ms']:.0f} ms "
        f"(the dispatcher alone could queue {capacity * 60_000 / backlog['ms']:,.0f} a minute)",
    ]
    results += [selection, steady, backlog]
    return results, notes


def main() -> None:
    args = parse_arguments()
    setup_django(args)
    from django.db import connection

    with connection.cursor() as cursor:
        stored = stored_sizes(cursor)
        if args.reuse and stored and stored["sizes"] == sizes_of(args):
            print(f"reusing the data built at {stored['built_at']:%Y-%m-%d %H:%M} UTC")
        else:
            print("building:", ", ".join(f"{k} {v:,}" for k, v in sizes_of(args).items()))
            build(args, cursor)
            stored = stored_sizes(cursor)
    if args.build_only:
        return
    results, notes = measures(args, stored["built_at"])

    sizes = sizes_of(args)
    print()
    print(
        f"{sizes['documents']:,} documents, {sizes['documents'] * sizes['versions_per_document']:,}"
        f" versions, {sizes['attempts']:,} fetch attempts, {sizes['organizations']:,}"
        f" organizations, {sizes['provisions']:,} provisions (PostgreSQL; median of"
        f" {args.repeat} runs)"
    )
    load = ", ".join(f"{figure:.1f}" for figure in os.getloadavg())
    print(f"load average while measuring: {load} ({os.cpu_count()} CPUs)")
    print(
        f"{'measure':<34} {'ms':>9} {'cpu ms':>7} {'db ms':>8} {'queries':>8} {'target':>8}"
        "  plan (indexes used)"
    )
    for result in results:
        met = "ok" if result["ms"] < result["target_ms"] else "MISSED"
        target = f"<{result['target_ms']:g}"
        print(
            f"{result['name']:<34} {result['ms']:9.2f} {result['cpu_ms']:7.1f} "
            f"{result['db_ms']:8.1f} {result['queries']:8d} {target:>7} {met:<6} {result['plan']}"
        )
    for note in notes:
        print(note)


if __name__ == "__main__":
    main()
