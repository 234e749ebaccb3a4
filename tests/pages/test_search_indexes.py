"""On PostgreSQL, search is answered from GIN indexes that migrations create there only: the
site search's index on the generated tsvector column of its entries and the trigram index on
its vocabulary, and the API's expression indexes on provisions and platforms. The migrations
write the indexed expressions out, so these tests check that the queries can still use them: an
index that drifted from the queries' expression is never used, and search reads every row."""

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test.utils import CaptureQueriesContext

from apps.site.services import search_index_rebuild
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
    "search_entry_vector": "site_searchentry",
    "search_word_trigram": "site_searchword",
}
# Enough rows that reading them all costs the planner more than looking the words up, as on any
# real catalog (with 20 platforms it rightly reads the platform table instead).
PLATFORMS, PROVISIONS = 50, 200
SEARCH_MIGRATIONS = (
    ("site", "0001_search_index"),
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


def _plans(captured, marker: str, *, forbid_scans: bool = False) -> list[str]:
    """The plans of the captured queries containing `marker`. With `forbid_scans`, the
    planner avoids reading the whole table if it can: whether it can use the index at all,
    whatever the table's size."""
    plans = []
    with connection.cursor() as cursor:
        if forbid_scans:
            cursor.execute("SET LOCAL enable_seqscan = off")
        for query in captured:
            if marker in query["sql"]:
                cursor.execute(f"EXPLAIN {query['sql']}")
                plans.append("\n".join(row[0] for row in cursor.fetchall()))
    return plans


def _analyze(indexes) -> None:
    with connection.cursor() as cursor:
        # What autovacuum does after a bulk load: move the new rows from the GIN indexes'
        # pending lists into the indexes proper, and gather statistics.
        for index in indexes:
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])
        cursor.execute("ANALYZE")


def test_search_page_queries_use_the_indexes(client):
    build_catalog(platforms=PLATFORMS, provisions=PROVISIONS)
    search_index_rebuild()
    _analyze(["search_entry_vector", "search_word_trigram"])
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/search/", {"q": "arbitration licence platfrm"})
    assert response.status_code == 200 and "search-hit--provision" in response.content.decode()
    plans = _plans(captured, "search_vector @@", forbid_scans=True)
    # The provision count, the provision page's and the other kinds' ranked ids and their
    # snippets: none reads the whole table. (On a catalog this small the planner may prefer
    # the kind's or the key's index to the words' for some.)
    assert len(plans) == 5
    assert not any("Seq Scan on site_searchentry" in plan for plan in plans), plans
    assert any("search_entry_vector" in plan for plan in plans), plans


def test_api_search_queries_use_the_indexes(client):
    build_catalog(platforms=PLATFORMS, provisions=PROVISIONS)
    _analyze(["provision_search", "platform_search"])
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/api/v1/search/", {"q": "arbitration licence"})
    assert response.status_code == 200
    plans = _plans(captured, "to_tsvector")
    assert sum("provision_search" in plan for plan in plans) >= 1, plans
    assert sum("platform_search" in plan for plan in plans) == 1, plans


def test_unapplying_the_migrations_drops_the_indexes():
    loader = MigrationLoader(connection)
    # PostgreSQL rolls schema changes back with the test's transaction.
    with connection.schema_editor() as editor:
        for key in SEARCH_MIGRATIONS:
            state_before = loader.project_state(key, at_end=False)
            loader.get_migration(*key).unapply(state_before, editor)
    assert search_indexes() == {}
