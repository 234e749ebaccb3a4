"""On PostgreSQL, search is answered from GIN indexes that migrations create there only. The
migrations write the indexed expression out, so these tests check that the search page's own
queries can still use them: an index whose expression drifted from the queries' is never used,
and search goes back to reading every row."""

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test.utils import CaptureQueriesContext

from tests.pages.bulk_catalog import build_catalog

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the full-text indexes exist on PostgreSQL only; other databases match word by word",
    ),
]

SEARCH_INDEXES = {
    "provision_search": "provisions_provision",
    "platform_search": "platforms_platform",
}
# Enough rows that reading them all costs the planner more than looking the words up, as on any
# real catalog (with 20 platforms it rightly reads the platform table instead).
PLATFORMS, PROVISIONS = 50, 200
SEARCH_MIGRATIONS = (
    ("provisions", "0003_provision_search_index"),
    ("platforms", "0002_platform_search_index"),
)


def search_indexes() -> dict[str, str]:
    """The GIN search indexes present, by name, with their table."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, tablename FROM pg_indexes "
            "WHERE indexname = ANY(%s) AND indexdef LIKE '%%USING gin%%'",
            [list(SEARCH_INDEXES)],
        )
        return dict(cursor.fetchall())


def test_migrations_create_the_search_indexes():
    assert search_indexes() == SEARCH_INDEXES


def test_search_page_queries_use_the_indexes(client):
    build_catalog(platforms=PLATFORMS, provisions=PROVISIONS)
    with connection.cursor() as cursor:
        # What autovacuum does after a bulk load: move the new rows from the GIN indexes'
        # pending lists into the indexes proper, and gather statistics.
        for index in SEARCH_INDEXES:
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])
        cursor.execute("ANALYZE")
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/search/", {"q": "arbitration licence"})
    assert response.status_code == 200 and 'class="provision-card"' in response.content.decode()
    plans = []
    with connection.cursor() as cursor:
        for query in captured:
            if "to_tsvector" in query["sql"]:
                cursor.execute(f"EXPLAIN {query['sql']}")
                plans.append("\n".join(row[0] for row in cursor.fetchall()))
    # The provision count, the provision page and the platform list.
    assert len(plans) == 3
    assert sum("provision_search" in plan for plan in plans) == 2, plans
    assert sum("platform_search" in plan for plan in plans) == 1, plans


def test_unapplying_the_migrations_drops_the_indexes():
    loader = MigrationLoader(connection)
    # PostgreSQL rolls schema changes back with the test's transaction.
    with connection.schema_editor() as editor:
        for key in SEARCH_MIGRATIONS:
            state_before = loader.project_state(key, at_end=False)
            loader.get_migration(*key).unapply(state_before, editor)
    assert search_indexes() == {}
