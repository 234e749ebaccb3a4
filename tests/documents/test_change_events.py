"""The change event: one per recorded version that is not a re-extraction, written with the
version, and announced to the apps above only once that transaction has committed."""

import pytest
from django.utils import timezone

from apps.documents.models import ChangeEvent, VersionKind
from apps.documents.services import document_extraction_rule_update, snapshot_ingest
from apps.documents.signals import change_event_recorded
from tests.factories import DocumentFactory

pytestmark = pytest.mark.django_db

FILLER = " ".join(f"word{number}" for number in range(60))


def ingest(document, text: str):
    return snapshot_ingest(
        document=document,
        raw=text.encode(),
        content_type="text/markdown; charset=utf-8",
        final_url="https://example.com/terms",
        headers={},
        fetched_at=timezone.now(),
    )


@pytest.fixture
def announced():
    """The keyword arguments of every `change_event_recorded` sent during the test."""
    received = []

    def receiver(sender, signal, **kwargs):
        received.append(kwargs)

    change_event_recorded.connect(receiver, dispatch_uid="test-announced")
    yield received
    change_event_recorded.disconnect(dispatch_uid="test-announced")


def test_a_first_record_is_an_event_without_a_previous_version():
    document = DocumentFactory()

    version = ingest(document, f"# Terms\n\n{FILLER}").version

    event = ChangeEvent.objects.get()
    assert (event.document, event.version, event.previous_version) == (document, version, None)
    assert event.created_at == version.captured_at
    assert event.summary == {
        "sections_added": [],
        "sections_removed": [],
        "sections_reworded": [],
        "words_added": 61,
        "words_removed": 0,
    }


def test_a_change_summarises_sections_by_their_plain_titles():
    document = DocumentFactory()
    first = ingest(
        document, f"# Terms\n\n{FILLER}\n\n## *Old* rules\n\nGone soon.\n\n## Fees\n\nTen euros."
    ).version

    second = ingest(
        document,
        f"# Terms\n\n{FILLER}\n\n## [Your **rights**](https://example.com/rights)\n\n"
        "You may leave.\n\n## Fees\n\nTwelve euros.",
    ).version

    event = second.change_event
    assert event.previous_version == first
    assert event.summary == {
        "sections_added": ["Your rights"],
        "sections_removed": ["Old rules"],
        "sections_reworded": ["Fees"],
        "words_added": 6,
        "words_removed": 5,
    }


def test_re_extractions_unchanged_texts_and_flip_backs_record_no_event():
    document = DocumentFactory()
    ingest(document, f"# Terms\n\n{FILLER}")
    ingest(document, f"# Terms\n\n{FILLER} more")
    ingest(document, f"# Terms\n\n{FILLER}")  # back to the first text: a flip, not a change
    ingest(document, f"# Terms\n\n{FILLER}")
    document_extraction_rule_update(document=document, select_selectors="main", remove_selectors="")

    reextraction = ingest(document, f"# Terms\n\n{FILLER} read anew").version

    assert reextraction.kind == VersionKind.REEXTRACTION
    assert list(ChangeEvent.objects.order_by("pk").values_list("version__number", flat=True)) == [
        1,
        2,
    ]


def test_the_event_is_written_in_the_versions_transaction(monkeypatch):
    document = DocumentFactory()

    def refuse(self, *args, **kwargs):
        raise RuntimeError("event not written")

    monkeypatch.setattr(ChangeEvent, "save", refuse)
    with pytest.raises(RuntimeError):
        ingest(document, f"# Terms\n\n{FILLER}")

    assert document.versions.count() == 0


def test_the_event_is_announced_only_after_commit(announced, django_capture_on_commit_callbacks):
    document = DocumentFactory()

    with django_capture_on_commit_callbacks() as callbacks:
        version = ingest(document, f"# Terms\n\n{FILLER}").version
    assert announced == []

    for callback in callbacks:
        callback()
    assert announced == [{"change_event_id": version.change_event.pk, "version_id": version.pk}]


@pytest.fixture
def broken_reaction():
    def broken(sender, **kwargs):
        raise ConnectionError("broker down")

    change_event_recorded.connect(broken, dispatch_uid="test-broken")
    yield
    change_event_recorded.disconnect(dispatch_uid="test-broken")


def test_a_failing_reaction_neither_stops_the_others_nor_fails_the_ingest(
    broken_reaction, announced, django_capture_on_commit_callbacks, caplog
):
    # The broken receiver is connected before the recording one, so it runs first.
    with django_capture_on_commit_callbacks(execute=True):
        version = ingest(DocumentFactory(), f"# Terms\n\n{FILLER}").version

    assert version.pk is not None
    assert len(announced) == 1
    assert "broker down" in caplog.text
