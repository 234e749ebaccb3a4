import io

from django.core.management import call_command

from apps.catalog_demo.loader import provision_rows
from apps.documents.models import Document, DocumentVersion
from apps.documents.tasks import wayback_capture
from apps.platforms.models import Platform
from apps.provisions.models import FAQEntry, Provision, ProvisionAgency
from tests.demo.guards import shared_folder_unreadable


def test_load_demo_twice_changes_nothing_and_stays_offline(db, settings, monkeypatch):
    # Archive requests are on in production; the demo must still not make any.
    settings.WAYBACK_ENABLED = True
    archive_requests = []
    monkeypatch.setattr(wayback_capture, "delay", archive_requests.append)
    monkeypatch.setattr(wayback_capture, "delay_on_commit", archive_requests.append)

    def snapshot():
        return {
            "provisions": sorted(
                Provision.objects.values_list("record_id", "slug", "status", "updated_at")
            ),
            "documents": sorted(Document.objects.values_list("record_id", "slug", "updated_at")),
            "versions": DocumentVersion.objects.count(),
            "faq": FAQEntry.objects.count(),
            "agencies": ProvisionAgency.objects.count(),
            "history": Provision.history.count(),
            "platforms": Platform.objects.count(),
        }

    output = io.StringIO()
    with shared_folder_unreadable():
        call_command("load_demo", stdout=io.StringIO())
        first = snapshot()
        call_command("load_demo", stdout=output)

    assert snapshot() == first
    assert "Demo catalog: created: nothing; updated: nothing" in output.getvalue()
    assert first["provisions"] and len(first["provisions"]) == len(provision_rows())
    assert first["versions"] >= 22
    assert archive_requests == []
