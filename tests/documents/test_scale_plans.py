"""On PostgreSQL, the reads that pages, the admin and periodic jobs make at scale are served by an
index in their own order: no sort of the whole table, however large it grows. The planner is
told to avoid sequential scans and sorts, as it does by itself once tables are large; a Sort
left in the plan then means no index can give the order."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.documents.models import (
    ArchivedSnapshot,
    AttemptErrorKind,
    Document,
    FetchAttempt,
    FetchOutcome,
    VersionKind,
)
from apps.documents.selectors import (
    documents_due,
    documents_failing_to_fetch,
    snapshots_scrub_batch,
)
from apps.documents.services import fetch_attempts_prune_batch
from apps.provisions.selectors import provision_recently_published
from apps.site.selectors import recent_changes
from tests.factories import (
    DocumentFactory,
    DocumentVersionFactory,
    PlatformFactory,
    ProvisionFactory,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        "sqlite" in settings.DATABASES["default"]["ENGINE"],
        reason="the plans checked are PostgreSQL's",
    ),
]


@pytest.fixture
def large_table_planner(settings):
    """A few rows of each table read, and a planner that plans as for large tables."""
    # One scrub run a cycle: the batch is the whole archive, never verified and verified.
    settings.DOCUMENTS_SCRUB_DAYS = 1
    settings.DOCUMENTS_SCRUB_EVERY_SECONDS = 86400
    now = timezone.now()
    for number in range(3):
        version = DocumentVersionFactory(kind=VersionKind.CHANGE)
        ProvisionFactory(document=version.document)
        ArchivedSnapshot.objects.create(
            sha256=f"{number:064d}",
            storage_name=f"archive/{number}.gz",
            size=1,
            fetched_at=now,
            last_verified_at=None if number == 0 else now - timedelta(days=number),
        )
        FetchAttempt.objects.create(
            document=version.document,
            started_at=now - timedelta(days=100 * number),
            finished_at=now,
            outcome=FetchOutcome.UNCHANGED,
        )
        # A run a crash cut off: the admin's "Interrupted" filter lists it.
        FetchAttempt.objects.create(
            document=version.document,
            started_at=now - timedelta(days=1 + number),
            outcome=FetchOutcome.STARTED,
        )
        FetchAttempt.objects.create(
            document=version.document,
            started_at=now - timedelta(days=2 + number),
            finished_at=now,
            outcome=FetchOutcome.ERROR,
            error_kind=AttemptErrorKind.BLOCKED,
        )
    Document.objects.filter(pk=version.document_id).update(consecutive_failures=5)
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("SET enable_sort = off")
    yield
    with connection.cursor() as cursor:
        cursor.execute("RESET enable_seqscan")
        cursor.execute("RESET enable_sort")


def plan_nodes(run) -> list[dict]:
    """Every node of the plans of the SELECTs `run` makes."""
    with CaptureQueriesContext(connection) as captured:
        run()
    nodes = []
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            sql = query["sql"]
            if sql.startswith("DECLARE"):  # a server-side cursor's SELECT (iterator())
                sql = sql[sql.index(" FOR SELECT ") + len(" FOR ") :]
            if not sql.startswith("SELECT"):
                continue
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
            pending = [cursor.fetchone()[0][0]["Plan"]]
            while pending:
                node = pending.pop()
                nodes.append(node)
                pending.extend(node.get("Plans", []))
    return nodes


@pytest.mark.parametrize(
    ("read", "indexes"),
    [
        (lambda: list(documents_due(now=timezone.now())[:500]), {"document_due"}),
        (lambda: list(recent_changes()), {"version_kind_captured_id"}),
        (provision_recently_published, {"provision_published_at"}),
        (snapshots_scrub_batch, {"snapshot_never_verified", "snapshot_verified"}),
        (
            lambda: fetch_attempts_prune_batch(cutoff=timezone.now() - timedelta(days=90)),
            {"fetchattempt_started"},
        ),
        (documents_failing_to_fetch, {"document_failing"}),
    ],
    ids=[
        "dispatch",
        "recent changes",
        "recently published",
        "scrub batch",
        "prune batch",
        "failing documents",
    ],
)
def test_the_read_follows_its_index_without_sorting(large_table_planner, read, indexes):
    nodes = plan_nodes(read)
    used = {node["Index Name"] for node in nodes if "Index Name" in node}
    assert indexes <= used
    assert not [node for node in nodes if node["Node Type"] == "Sort"]


@pytest.mark.parametrize(
    ("query", "index"),
    [
        ("", "fetchattempt_started"),
        ("?outcome=error", "fetchattempt_errors"),
        ("?outcome=interrupted", "fetchattempt_unfinished"),
        ("?error_kind=blocked", "fetchattempt_error_kinds"),
    ],
    ids=["all", "failed", "interrupted", "error kind"],
)
def test_the_fetch_attempt_admin_list_follows_its_index(
    large_table_planner, admin_client, query, index
):
    nodes = plan_nodes(lambda: admin_client.get(f"/admin/documents/fetchattempt/{query}"))
    attempt_scans = [n for n in nodes if n.get("Relation Name") == "documents_fetchattempt"]
    assert "Seq Scan" not in {n["Node Type"] for n in attempt_scans}
    assert index in {n.get("Index Name") for n in attempt_scans}
    assert not [n for n in nodes if n["Node Type"] == "Sort"]


@pytest.mark.parametrize(
    ("url", "table", "index"),
    [
        ("/admin/documents/document/", "documents_document", "documents_document_pkey"),
        ("/admin/documents/document/?health=failing", "documents_document", "document_failing"),
        (
            "/admin/documents/documentversion/",
            "documents_documentversion",
            "documents_documentversion_pkey",
        ),
        (
            "/admin/monitoring/watchedplatform/",
            "monitoring_watchedplatform",
            "monitoring_watchedplatform_pkey",
        ),
        ("/admin/accounts/organization/", "accounts_organization", "accounts_organization_pkey"),
    ],
    ids=["documents", "failing documents", "versions", "tracked platforms", "organizations"],
)
def test_the_catalog_admin_lists_read_a_page_of_an_index(
    large_table_planner, admin_client, url, table, index
):
    nodes = plan_nodes(lambda: admin_client.get(url))
    reads = [node for node in nodes if node.get("Relation Name") == table]
    assert "Seq Scan" not in {node["Node Type"] for node in reads}
    assert index in {node.get("Index Name") for node in reads}
    assert not [node for node in nodes if node["Node Type"] == "Sort"]


def test_the_platform_admin_counts_the_documents_of_the_listed_platforms_only(admin_client):
    with_two = DocumentFactory().platform
    DocumentFactory(platform=with_two)
    without = PlatformFactory()

    with CaptureQueriesContext(connection) as captured:
        response = admin_client.get("/admin/platforms/platform/")

    counts = {p.pk: p.document_total for p in response.context["cl"].result_list}
    assert (counts[with_two.pk], counts[without.pk]) == (2, 0)
    # A join of every platform with every document, grouped, is what read the whole catalog.
    joined = '"platforms_platform" LEFT OUTER JOIN "documents_document"'
    assert not [q for q in captured.captured_queries if joined in q["sql"]]


def test_redundant_indexes_are_gone():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename IN"
            " ('documents_fetchattempt', 'documents_archivedsnapshot')"
        )
        definitions = [row[0] for row in cursor.fetchall()]
    assert not [d for d in definitions if d.endswith("USING btree (document_id)")]
    assert len([d for d in definitions if "(sha256" in d]) == 1


def test_the_scrub_batch_is_one_fetch_per_range_not_a_cursor(large_table_planner):
    # A server-side cursor costs a round trip per chunk; a batch is bounded, so it is fetched
    # whole (verify_archive's unbounded read keeps the cursor).
    with CaptureQueriesContext(connection) as captured:
        batch = snapshots_scrub_batch()
    statements = [query["sql"] for query in captured.captured_queries]
    assert len(batch) == 3
    assert not [sql for sql in statements if sql.startswith("DECLARE")]
