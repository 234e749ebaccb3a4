import pytest

from apps.core.models import RecordSequence
from apps.core.services import record_id_allocate
from tests.factories import DocumentFactory, ProvisionFactory

pytestmark = pytest.mark.django_db


def test_record_ids_are_formatted_and_sequential():
    first = ProvisionFactory()
    second = ProvisionFactory()
    assert first.record_id.startswith("CA-P-") and len(first.record_id) == len("CA-P-000001")
    assert int(second.record_id[5:]) == int(first.record_id[5:]) + 1
    assert first.document.record_id.startswith("CA-D-") and len(first.document.record_id) == 10


def test_record_id_is_never_reused_after_delete():
    provision = ProvisionFactory()
    deleted_id = provision.record_id
    provision.delete()
    assert ProvisionFactory().record_id != deleted_id


def test_record_id_does_not_change_on_save():
    document = DocumentFactory()
    original = document.record_id
    document.title = "Renamed"
    document.save()
    document.refresh_from_db()
    assert document.record_id == original


@pytest.mark.parametrize(
    ("key", "width", "last", "expected"),
    [
        ("document", 5, 99_999, "CA-D-100000"),
        ("provision", 6, 999_999, "CA-P-1000000"),
    ],
)
def test_record_ids_grow_past_their_padded_width(key, width, last, expected):
    RecordSequence.objects.create(key=key, last_value=last - 1)
    prefix = expected[:5]
    assert record_id_allocate(key=key, prefix=prefix, width=width) == f"{prefix}{last:0{width}d}"
    assert record_id_allocate(key=key, prefix=prefix, width=width) == expected


def test_record_pages_resolve_past_the_padded_width(client):
    RecordSequence.objects.create(key="document", last_value=99_999)
    RecordSequence.objects.create(key="provision", last_value=999_999)
    provision = ProvisionFactory()
    document = provision.document
    assert (document.record_id, provision.record_id) == ("CA-D-100000", "CA-P-1000000")

    assert client.get("/records/CA-D-100000/")["Location"] == document.get_absolute_url()
    assert client.get("/records/CA-P-1000000/")["Location"] == provision.get_absolute_url()
    # Still exact: a shorter number than the padding is not an ID we ever handed out.
    assert client.get("/records/CA-D-1000/").status_code == 404
