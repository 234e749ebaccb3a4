"""The pipeline's single-row UPDATEs without the ORM's query building (services/rows.py)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from apps.documents.models import Document
from apps.documents.services.rows import column_name, row_update
from tests.factories import DocumentFactory

pytestmark = pytest.mark.django_db


def test_row_update_sets_values_adds_increments_and_matches_only_its_row():
    document, other = DocumentFactory(consecutive_failures=2), DocumentFactory()
    due = timezone.now() + timedelta(hours=3)

    updated = row_update(
        Document,
        values={"next_fetch_at": due, "etag": '"abc"', "fetch_lease_until": None},
        where={"id": document.pk, "fetch_lease_token": ""},
        increments=("consecutive_failures",),
    )

    assert updated == 1
    document.refresh_from_db()
    assert (document.next_fetch_at, document.etag, document.consecutive_failures) == (
        due,
        '"abc"',
        3,
    )
    assert Document.objects.get(pk=other.pk).etag == ""


def test_row_update_extra_condition_decides_whether_the_row_is_written():
    now = timezone.now()
    held = DocumentFactory(fetch_lease_until=now + timedelta(minutes=5), fetch_lease_token="a")
    lease = column_name(Document, "fetch_lease_until")
    when = Document._meta.get_field("fetch_lease_until").get_db_prep_value(now, connection)

    def claim() -> int:
        return row_update(
            Document,
            values={"fetch_lease_token": "b"},
            where={"id": held.pk},
            where_sql=f"{lease} IS NULL OR {lease} <= %s",
            where_params=(when,),
        )

    assert claim() == 0
    Document.objects.filter(pk=held.pk).update(fetch_lease_until=now - timedelta(seconds=1))
    assert claim() == 1
    assert Document.objects.get(pk=held.pk).fetch_lease_token == "b"
