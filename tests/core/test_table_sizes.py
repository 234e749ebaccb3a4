"""Table sizes for sizing periodic work and the home page's figures: exact while small, the
database's estimate once large."""

import pytest
from django.db import connection

from apps.core import selectors
from apps.core.selectors import table_row_count, table_row_estimates
from apps.documents.models import Document
from apps.platforms.models import Platform
from apps.site.selectors import catalog_figures
from tests.factories import DocumentFactory, ProvisionFactory

pytestmark = pytest.mark.django_db


def test_small_tables_are_counted_exactly():
    DocumentFactory.create_batch(3)
    assert table_row_estimates(Document, Platform) == [None, None]
    assert table_row_count(Document) == 3
    figures = catalog_figures()
    assert (figures.platforms, figures.documents) == (3, 3)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="estimates are PostgreSQL's")
def test_large_tables_are_estimated_from_the_planners_statistics(monkeypatch):
    DocumentFactory.create_batch(4)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE documents_document")
    monkeypatch.setattr(selectors, "EXACT_COUNT_BELOW", 2)
    # The estimate, not a count: rows added since the last ANALYZE are not in it yet.
    DocumentFactory()

    assert table_row_estimates(Document) == [4]
    assert table_row_count(Document) == 4
    assert catalog_figures().documents == 4


@pytest.mark.skipif(connection.vendor != "postgresql", reason="estimates are PostgreSQL's")
def test_published_provisions_of_a_large_table_are_estimated_not_counted(monkeypatch):
    from django.test.utils import CaptureQueriesContext

    ProvisionFactory.create_batch(4)
    ProvisionFactory.create_batch(2, status="draft")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE provisions_provision")
    monkeypatch.setattr(selectors, "EXACT_COUNT_BELOW", 2)

    with CaptureQueriesContext(connection) as captured:
        figures = catalog_figures()

    assert figures.provisions == 4
    counts = [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"]]
    assert not [sql for sql in counts if "provisions_provision" in sql]
