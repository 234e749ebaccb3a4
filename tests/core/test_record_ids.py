import pytest

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
