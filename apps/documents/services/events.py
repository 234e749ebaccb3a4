"""Change events: the record that a version changed its document, written inside the ingest's
transaction, and its announcement to the apps above once that transaction commits."""

import logging

from django.db import transaction

from apps.documents.models import ChangeEvent, DocumentVersion
from apps.documents.normalization import normalize_text
from apps.documents.signals import change_event_recorded

logger = logging.getLogger(__name__)


def change_event_summary(*, change_summary: dict, text: str, word_count: int | None = None) -> dict:
    """An event's structured summary from its version's change summary: section titles as plain
    text and word counts. A first record (no change summary) adds every word of its text
    (`word_count` when the caller has counted them already)."""
    if not change_summary:
        return {
            "sections_added": [],
            "sections_removed": [],
            "sections_reworded": [],
            "words_added": (
                word_count if word_count is not None else len(normalize_text(text).split())
            ),
            "words_removed": 0,
        }
    summary = {
        "sections_added": change_summary["sections_added"],
        "sections_removed": change_summary["sections_removed"],
        "sections_reworded": [item["heading"] for item in change_summary["sections_reworded"]],
        "words_added": change_summary["words_added"],
        "words_removed": change_summary["words_removed"],
    }
    if "restores_version" in change_summary:
        summary["restores_version"] = change_summary["restores_version"]
    return summary


def change_event_record(
    *,
    version: DocumentVersion,
    previous_version: DocumentVersion | None,
    word_count: int | None = None,
) -> ChangeEvent:
    """Record that a version changed its document, inside the caller's transaction, and
    announce it once that transaction commits. `word_count`, the words of the version's
    normalised text, spares normalising it again."""
    event = ChangeEvent(
        document=version.document,
        version=version,
        previous_version=previous_version,
        summary=change_event_summary(
            change_summary=version.change_summary, text=version.text, word_count=word_count
        ),
        # When the change was seen, not when the row was written: a replayed history (the demo
        # loader) keeps its dates.
        created_at=version.captured_at,
    )
    # The fields are checked, but not by queries: the document and both versions were just
    # read or written in the caller's transaction.
    event.full_clean(exclude=["document", "version", "previous_version"], validate_unique=False)
    event.save()
    event_id, version_id = event.pk, version.pk
    transaction.on_commit(
        lambda: _change_event_announce(change_event_id=event_id, version_id=version_id)
    )
    return event


def _change_event_announce(*, change_event_id: int, version_id: int) -> None:
    # Each reaction is queued on its own: one that cannot be queued (or, run eagerly, fails) is
    # logged and must neither stop the others nor fail the snapshot just committed.
    responses = change_event_recorded.send_robust(
        sender=ChangeEvent, change_event_id=change_event_id, version_id=version_id
    )
    for receiver, response in responses:
        if isinstance(response, Exception):
            logger.error(
                "Reaction %s to change event %s failed: %r",
                getattr(receiver, "__qualname__", receiver),
                change_event_id,
                response,
                exc_info=response,
            )
