"""The indexes the busiest reads of documents rely on exist in the database."""

import pytest
from django.db import connection

from apps.documents.models import ChangeEvent, DocumentVersion


def indexed_columns(model) -> list[list[str]]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
    return [item["columns"] for item in constraints.values() if item["index"]]


@pytest.mark.django_db
def test_recent_versions_of_a_kind_are_indexed():
    # The home page's recent changes and the dashboard filter by kind and sort by capture time.
    assert ["kind", "captured_at", "id"] in indexed_columns(DocumentVersion)


@pytest.mark.django_db
def test_a_documents_change_events_are_indexed_by_time():
    assert ["document_id", "created_at"] in indexed_columns(ChangeEvent)
    assert ["created_at"] in indexed_columns(ChangeEvent)
