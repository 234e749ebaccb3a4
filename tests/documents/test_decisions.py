"""The change decision on a return to an earlier text: within the flip-flop window it is a flip
back and records nothing; past it, it is a change that says which text it restores."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from apps.documents.models import ChangeEvent, VersionKind
from apps.documents.services import IngestReason, snapshot_ingest
from tests.documents.pipeline_helpers import MARKDOWN
from tests.factories import DocumentFactory

pytestmark = pytest.mark.django_db

START = datetime(2024, 1, 1, 12, tzinfo=UTC)


def terms(wording: str) -> bytes:
    """A small hand-written document whose one clause differs between wordings."""
    rules = "\n\n".join(
        f"{number}. You must keep your password secret and tell us of any misuse at once."
        for number in range(1, 7)
    )
    return f"# Terms of Service\n\nWe {wording} your data.\n\n{rules}\n".encode()


def ingest(document, wording: str, *, day: int, trailer: bytes = b""):
    return snapshot_ingest(
        document=document,
        raw=terms(wording) + trailer,
        content_type=MARKDOWN,
        final_url="https://example.com/terms",
        headers={"Content-Type": MARKDOWN},
        fetched_at=START + timedelta(days=day),
    )


@pytest.fixture
def window(settings):
    settings.DOCUMENTS_FLIPFLOP_MAX_VERSIONS = 3
    settings.DOCUMENTS_FLIPFLOP_MAX_DAYS = 30


def test_a_quick_return_is_a_flip_flop_even_after_the_text_stood_long(window):
    document = DocumentFactory()
    ingest(document, "never sell", day=0)
    ingest(document, "may sell", day=400)

    outcome = ingest(document, "never sell", day=425)

    assert outcome.reason == IngestReason.REVERTED and not outcome.changed
    assert outcome.matched_version.number == 1
    assert document.versions.count() == 2


def test_a_return_after_the_day_window_is_a_change_that_restores_the_text(window):
    document = DocumentFactory()
    first = ingest(document, "never sell", day=0).version
    ingest(document, "may sell", day=1)

    outcome = ingest(document, "never sell", day=32)

    assert outcome.reason == IngestReason.CHANGE
    version = outcome.version
    assert (version.number, version.kind) == (3, VersionKind.CHANGE)
    restored = {"number": 1, "captured_at": first.captured_at.isoformat()}
    assert version.change_summary["restores_version"] == restored
    assert (version.change_summary["words_added"], version.change_summary["words_removed"]) == (
        1,
        1,
    )
    event = ChangeEvent.objects.get(version=version)
    assert event.summary["restores_version"] == restored
    assert event.summary["words_added"] == 1
    # The restored text is now the current one: seeing it again (in other bytes) changes nothing.
    again = ingest(document, "never sell", day=33, trailer=b"\n\n")
    assert again.reason == IngestReason.UNCHANGED


def test_a_return_past_the_version_window_is_a_change(window):
    document = DocumentFactory()
    for day, wording in enumerate(["never sell", "may sell", "may rent", "may share"]):
        ingest(document, wording, day=day)
    # Three versions back, within the days: still a flip back.
    assert ingest(document, "never sell", day=5).reason == IngestReason.REVERTED

    ingest(document, "may lend", day=6)
    outcome = ingest(document, "never sell", day=7)

    assert outcome.reason == IngestReason.CHANGE
    assert outcome.version.change_summary["restores_version"]["number"] == 1


def test_the_window_comes_from_settings(settings):
    settings.DOCUMENTS_FLIPFLOP_MAX_VERSIONS = 0
    document = DocumentFactory()
    ingest(document, "never sell", day=0)
    ingest(document, "may sell", day=1)

    outcome = ingest(document, "never sell", day=2)

    assert outcome.changed
    assert outcome.version.change_summary["restores_version"]["number"] == 1


def test_an_ordinary_change_names_no_restored_version(window):
    document = DocumentFactory()
    ingest(document, "never sell", day=0)

    outcome = ingest(document, "may sell", day=1)

    assert "restores_version" not in outcome.version.change_summary
    assert "restores_version" not in ChangeEvent.objects.get(version=outcome.version).summary


def test_the_diff_page_says_which_text_a_change_restores(client, window):
    document = DocumentFactory()
    ingest(document, "never sell", day=0)
    ingest(document, "may sell", day=1)
    ingest(document, "never sell", day=40)
    diff_url = reverse(
        "documents:version_diff",
        kwargs={
            "platform_slug": document.platform.slug,
            "document_slug": document.slug,
            "from_number": 2,
            "to_number": 3,
        },
    )

    diff_page = client.get(diff_url).content.decode()

    assert "Restores the text of version 1, first captured 2024-01-01." in diff_page


def test_the_methodology_page_states_the_change_rules_with_the_configured_window(client, settings):
    settings.DOCUMENTS_FLIPFLOP_MAX_VERSIONS = 4
    settings.DOCUMENTS_FLIPFLOP_MAX_DAYS = 21

    html = client.get(reverse("site:methodology")).content.decode()

    assert 'id="changes"' in html
    assert "at most 4 versions behind the latest and was replaced at most 21 days" in html
    assert "Restores the text of" in html and "technical re-extraction" in html
