"""Text imported from ToS;DR carries its CC BY-SA attribution wherever it is shown: the
provision's page, the lists that show it, the admin, and the open-data export."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from tests.api.test_dataset import _download
from tests.factories import ProvisionFactory

pytestmark = pytest.mark.django_db

ATTRIBUTION = "ToS;DR</a> (ToS;DR contributors), licensed"


@pytest.fixture
def imported():
    return ProvisionFactory(tosdr_point_id="6724", title="No liability for any losses")


@pytest.fixture
def written_here(imported):
    return ProvisionFactory(document=imported.document, title="Our own finding")


def test_the_provision_page_credits_tosdr(client, imported, written_here):
    imported_page = client.get(imported.get_absolute_url()).content.decode()
    own_page = client.get(written_here.get_absolute_url()).content.decode()

    assert ATTRIBUTION in imported_page
    assert "CC BY-SA 3.0" in imported_page
    # The sibling list shows the imported provision's card on the other page, with its credit.
    assert own_page.count(ATTRIBUTION) == 1


def test_list_pages_credit_each_imported_card(client, imported, written_here):
    platform_page = client.get(imported.document.platform.get_absolute_url()).content.decode()
    clause_type_page = client.get(imported.clause_type.get_absolute_url()).content.decode()

    assert platform_page.count(ATTRIBUTION) == 1
    assert clause_type_page.count(ATTRIBUTION) == 1


def test_the_admin_names_the_source_and_licence(client, imported):
    admin_user = get_user_model().objects.create_superuser(
        email="admin@conductatlas.test", password="a long admin password"
    )
    client.force_login(admin_user)

    page = client.get(reverse("admin:provisions_provision_change", args=[imported.pk]))

    html = page.content.decode()
    assert "Imported from" in html
    assert "point 6724" in html
    assert "CC BY-SA 3.0" in html


def test_the_dataset_marks_imported_rows_and_credits_tosdr(client, imported, written_here):
    call_command("export_dataset")

    archive, zipped = _download(client)
    folder = archive.name.removesuffix(".zip")
    rows = {
        row["record_id"]: row
        for row in map(json.loads, zipped.read(f"{folder}/provisions.jsonl").splitlines())
    }
    assert rows[imported.record_id]["source"] == "tosdr:6724"
    assert rows[written_here.record_id]["source"] == ""
    readme = zipped.read(f"{folder}/README.md").decode()
    assert '"ToS;DR contributors"' in readme
    assert "CC BY-SA 3.0" in readme


def test_the_api_credits_imported_provisions(client, imported, written_here):
    listed = {
        row["record_id"]: row["attribution"]
        for row in client.get("/api/v1/provisions/").json()["results"]
    }
    detail = client.get(f"/api/v1/provisions/{imported.record_id}/").json()

    assert listed[written_here.record_id] is None
    assert listed[imported.record_id]["credit"] == "ToS;DR contributors"
    assert detail["attribution"]["licence"] == "CC BY-SA 3.0"
