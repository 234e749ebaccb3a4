"""On PostgreSQL, search is answered from GIN indexes that migrations create there only. The
migrations write the indexed expression out, so these tests check that the search page's own
queries can still use them: an index whose expression drifted from the queries' is never used,
and search goes back to reading every row."""

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test.utils import CaptureQueriesContext

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


def test_search_page_queries_use_the_indexes(client, catalog):
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/search/", {"q": "training output"})
    assert (
        response.status_code == 200 and "Prohibition on Using Output" in response.content.decode()
    )
    search_queries = [query["sql"] for query in captured if "to_tsvector" in query["sql"]]
    plans = []
    with connection.cursor() as cursor:
        # A handful of rows is cheaper to read than to look up, so without this the planner
        # would rightly ignore any index here. Sequential scans only get a prohibitive cost:
        # an index whose expression does not match the query's still cannot be chosen.
        cursor.execute("SET LOCAL enable_seqscan = off")
        for sql in search_queries:
            cursor.execute(f"EXPLAIN {sql}")
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
